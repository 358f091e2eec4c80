/**
 * The bot under a slow or failing backend: a command whose work takes longer than Discord's
 * 3-second window still gets its answer (it deferred first), a failing service gets the member a
 * clear reply and leaves the bot running, and `npm run register-commands` reads its settings
 * through config/ and registers to one guild.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { err } from '../../src/alerting/result.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createDiscordBot, type DiscordBot } from '../../src/platforms/discord/bot.ts';
import { COMMANDS } from '../../src/platforms/discord/commands.ts';
import type { SubscriptionService } from '../../src/subscriptions/service.ts';
import { SubscriptionUseCases } from '../../src/subscriptions/use-cases.ts';
import { DiscordStandIn } from '../fakes/discord/index.ts';
import { MemorySubscriptionStore } from '../fakes/memory-stores.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';

let standIn: DiscordStandIn | null = null;
let bot: DiscordBot | null = null;
afterEach(async () => {
  await bot?.stop();
  await standIn?.close();
  bot = null;
  standIn = null;
});

function service(latestDelayMs: number, failList = false): SubscriptionService {
  const real = new SubscriptionUseCases({
    store: new MemorySubscriptionStore(),
    latestSnapshot: async () => {
      await new Promise((r) => setTimeout(r, latestDelayMs));
      return makeSnapshot({ height: 900_000 });
    },
    preview: async () => err('no-history', {}),
  });
  if (!failList) return real;
  return Object.assign(Object.create(real) as SubscriptionService, {
    listRules: async () => {
      throw new Error('redis down');
    },
  });
}

async function world(svc: SubscriptionService): Promise<DiscordStandIn> {
  standIn = await DiscordStandIn.start();
  bot = createDiscordBot({
    token: standIn.token,
    applicationId: standIn.applicationId,
    apiBase: standIn.apiBase,
    service: svc,
    logger: silentLogger(),
  });
  await bot.start();
  return standIn;
}

describe('Discord bot resilience', () => {
  it('defers before slow work, so an answer after more than 3 s still arrives', async () => {
    const s = await world(service(3300));
    const r = await s.invoke('status', {}, {});
    expect(r.responses.map((x) => x.kind)).toEqual(['defer', 'edit']);
    expect(r.embeds[0]?.['title']).toBe('Block 900000');
  });

  it('a failing backend gets a clear reply, and the bot keeps answering', async () => {
    const s = await world(service(0, true));
    const r = await s.invoke('alert list', {}, {});
    expect(r.content).toContain('Something went wrong on my side; nothing was changed');
    const ok = await s.invoke('preview retarget', {}, {});
    expect(ok.content).toContain('There is no chain history to preview against yet');
    const ac = await s.autocomplete('alert remove', { id: '' }, 'id', {});
    expect(ac.choices).toEqual([]);
  });

  it('npm run register-commands registers to DISCORD_GUILD_ID through config/', async () => {
    standIn = await DiscordStandIn.start();
    const env = {
      ...process.env,
      DISCORD_TOKEN: standIn.token,
      DISCORD_APPLICATION_ID: standIn.applicationId,
      DISCORD_API_BASE: standIn.apiBase,
      DISCORD_GUILD_ID: standIn.guildId,
    };
    // Asynchronous spawn: a blocking one would freeze the stand-in's event loop.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'src/platforms/discord/register-commands.ts'], { env });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += String(d);
      });
      p.stderr.on('data', (d: Buffer) => {
        stderr += String(d);
      });
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`registered ${COMMANDS.length} commands`);
    expect(r.stdout).toContain(`guild ${standIn.guildId}`);
    expect(r.status).toBe(0);
    expect(standIn.world.guildCommands.get(standIn.guildId)?.length).toBe(COMMANDS.length);
    expect(standIn.world.globalCommands.length).toBe(0);
  });
});
