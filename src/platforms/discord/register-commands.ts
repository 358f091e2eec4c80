/**
 * `npm run register-commands`: PUTs the slash commands of commands.ts to Discord — to one guild
 * when DISCORD_GUILD_ID is set (instant, for testing) or globally (may take a while to appear in
 * every client). A bulk PUT replaces the whole set, so it is idempotent and removes stale commands.
 */
import { REST, Routes } from 'discord.js';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, processEnv } from '../../../config/index.ts';
import { COMMANDS } from './commands.ts';

export interface RegisterOptions {
  readonly token: string;
  readonly applicationId: string;
  readonly apiBase: string;
  /** Register to this guild only (fast) instead of globally. */
  readonly guildId?: string | undefined;
}

export interface RegisterOutcome {
  readonly scope: 'global' | 'guild';
  readonly names: readonly string[];
}

export async function registerCommands(opts: RegisterOptions): Promise<RegisterOutcome> {
  const rest = new REST({ api: opts.apiBase, retries: 2 }).setToken(opts.token);
  const route =
    opts.guildId !== undefined
      ? Routes.applicationGuildCommands(opts.applicationId, opts.guildId)
      : Routes.applicationCommands(opts.applicationId);
  const saved = (await rest.put(route, { body: COMMANDS })) as Array<{ name: string }>;
  return { scope: opts.guildId !== undefined ? 'guild' : 'global', names: saved.map((c) => c.name) };
}

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(processEnv());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (config.discordToken === undefined || config.discordApplicationId === undefined) {
    process.stderr.write(
      'register-commands: set DISCORD_TOKEN and DISCORD_APPLICATION_ID (and DISCORD_GUILD_ID to register to one server only)\n',
    );
    return 2;
  }
  try {
    const out = await registerCommands({
      token: config.discordToken,
      applicationId: config.discordApplicationId,
      apiBase: config.discordApiBase,
      guildId: config.discordGuildId,
    });
    const where =
      out.scope === 'guild'
        ? `guild ${config.discordGuildId ?? ''}`
        : 'global (may take up to an hour to show everywhere)';
    process.stdout.write(
      `registered ${out.names.length} commands (${out.names.map((n) => `/${n}`).join(' ')}) — ${where}\n`,
    );
    return 0;
  } catch (e) {
    const status = (e as { status?: number }).status;
    process.stderr.write(
      `register-commands failed: ${e instanceof Error ? e.message : String(e)}${status !== undefined ? ` (HTTP ${status})` : ''}\n`,
    );
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
