/**
 * Start-up configuration. `loadConfig(env)` is pure (the caller passes `process.env`), so tests
 * can run it over tables of values and nothing else in the code base reads the environment.
 */
import {
  envSchema,
  SECRET_VARIABLES,
  type ChainSourceName,
  type LogFormat,
  type LogLevel,
  type Role,
} from './schema.ts';

/** Where hashbell looks for a Redis when REDIS_URL is unset. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export {
  envSchema,
  VARIABLES,
  ROLE_NAMES,
  LOG_LEVELS,
  LOG_FORMATS,
  SECRET_VARIABLES,
  CHAIN_SOURCES,
} from './schema.ts';
export type { Role, LogLevel, LogFormat, VariableDoc, ChainSourceName } from './schema.ts';

/** The validated configuration, camelCase, with defaults applied. Unset optionals are undefined. */
export interface Config {
  /** REDIS_URL, or DEFAULT_REDIS_URL when unset (see redisUrlSet). */
  readonly redisUrl: string;
  /**
   * REDIS_URL was given: use exactly that server. When false the start path may run a private
   * redis-server instead (src/app/embedded-redis.ts); config itself stays pure.
   */
  readonly redisUrlSet: boolean;
  /**
   * REDIS_URL is a Redis Cluster (REDIS_CLUSTER, else: it lists several seed nodes). Keys and
   * queues are hash-tagged there (src/store/keys.ts); src/store/connection.ts opens it.
   */
  readonly redisCluster: boolean;
  readonly mempoolUrl: string;
  readonly mempoolMaxRps: number;
  readonly bitcoinRpcUrl: string | undefined;
  /** The source that drives the chain (CHAIN_SOURCE); 'bitcoind' implies bitcoinRpcUrl is set. */
  readonly chainSource: ChainSourceName;
  readonly telegramBotToken: string | undefined;
  readonly telegramApiRoot: string;
  readonly telegramWebhookUrl: string | undefined;
  readonly discordToken: string | undefined;
  readonly discordApplicationId: string | undefined;
  readonly discordApiBase: string;
  readonly discordGuildId: string | undefined;
  /** Local port of the Telegram webhook listener (TELEGRAM_WEBHOOK_PORT). */
  readonly telegramWebhookPort: number;
  /** Alerts with allow_paid_broadcast, limiter and send timeline at 1,000 messages/s (costs Stars). */
  readonly telegramPaidBroadcast: boolean;
  /** The operator's public Telegram channel for the default rules (`@name` or id). */
  readonly broadcastTelegramChat: string | undefined;
  /** The operator's Discord announcement channel for the default rules. */
  readonly broadcastDiscordChannel: string | undefined;
  readonly httpPort: number;
  /** Address the /livez, /readyz, /metrics server binds (loopback unless widened). */
  readonly httpHost: string;
  /** Roles this process runs; `ROLES=all` expands to every role. */
  readonly roles: readonly Role[];
  readonly logLevel: LogLevel;
  /** auto = pretty on a TTY, JSON otherwise. */
  readonly logFormat: LogFormat;
}

/**
 * A bad environment. The message is one line naming the variable and what is wrong, and never
 * contains the value of a secret, so it can be printed and logged as is.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    /** The offending environment variable. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

function describeValue(name: string, value: unknown): string {
  if (SECRET_VARIABLES.has(name) || typeof value !== 'string') return '';
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return ` (got ${JSON.stringify(shown)})`;
}

/** Validates `env` (normally `process.env`) and returns the typed config, or throws ConfigError. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
    throw new ConfigError(
      name,
      `Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}${describeValue(name, env[name])}${more}`,
    );
  }
  const e = parsed.data;
  if ((e.DISCORD_TOKEN === undefined) !== (e.DISCORD_APPLICATION_ID === undefined)) {
    const missing = e.DISCORD_TOKEN === undefined ? 'DISCORD_TOKEN' : 'DISCORD_APPLICATION_ID';
    const other = missing === 'DISCORD_TOKEN' ? 'DISCORD_APPLICATION_ID' : 'DISCORD_TOKEN';
    throw new ConfigError(
      missing,
      `Invalid configuration: ${missing} must be set when ${other} is (Discord needs both, or neither)`,
    );
  }
  if (e.CHAIN_SOURCE === 'bitcoind' && e.BITCOIN_RPC_URL === undefined) {
    throw new ConfigError(
      'CHAIN_SOURCE',
      'Invalid configuration: CHAIN_SOURCE=bitcoind needs BITCOIN_RPC_URL (the Bitcoin Core node to follow)',
    );
  }
  const redisCluster = e.REDIS_CLUSTER ?? (e.REDIS_URL ?? '').split(',').length > 1;
  const numberedDb = (u: string): boolean => !/^\/?0?$/.test(new URL(u.trim()).pathname);
  if (redisCluster && e.REDIS_URL !== undefined && e.REDIS_URL.split(',').some(numberedDb)) {
    throw new ConfigError(
      'REDIS_URL',
      'Invalid configuration: REDIS_URL names a Redis Cluster, which has no database numbers (/0 only)',
    );
  }
  if (e.REDIS_CLUSTER === true && e.REDIS_URL === undefined) {
    throw new ConfigError(
      'REDIS_CLUSTER',
      'Invalid configuration: REDIS_CLUSTER=true needs REDIS_URL (the cluster seed nodes, e.g. redis://a:7000,redis://b:7001)',
    );
  }
  const needs = (name: string, value: unknown, token: unknown, tokenName: string): void => {
    if (value !== undefined && value !== false && token === undefined)
      throw new ConfigError(name, `Invalid configuration: ${name} is set but ${tokenName} is not`);
  };
  needs('BROADCAST_TELEGRAM_CHAT', e.BROADCAST_TELEGRAM_CHAT, e.TELEGRAM_BOT_TOKEN, 'TELEGRAM_BOT_TOKEN');
  needs('TELEGRAM_PAID_BROADCAST', e.TELEGRAM_PAID_BROADCAST, e.TELEGRAM_BOT_TOKEN, 'TELEGRAM_BOT_TOKEN');
  needs('BROADCAST_DISCORD_CHANNEL', e.BROADCAST_DISCORD_CHANNEL, e.DISCORD_TOKEN, 'DISCORD_TOKEN');
  if (e.TELEGRAM_WEBHOOK_URL !== undefined) {
    if (e.TELEGRAM_BOT_TOKEN === undefined) {
      throw new ConfigError(
        'TELEGRAM_WEBHOOK_URL',
        'Invalid configuration: TELEGRAM_WEBHOOK_URL is set but TELEGRAM_BOT_TOKEN is not',
      );
    }
    if (!e.TELEGRAM_WEBHOOK_URL.startsWith('https://')) {
      throw new ConfigError(
        'TELEGRAM_WEBHOOK_URL',
        `Invalid configuration: TELEGRAM_WEBHOOK_URL must be an https URL (Telegram only calls https webhooks)${describeValue('TELEGRAM_WEBHOOK_URL', env['TELEGRAM_WEBHOOK_URL'])}`,
      );
    }
  }
  return {
    redisUrl: e.REDIS_URL ?? DEFAULT_REDIS_URL,
    redisUrlSet: e.REDIS_URL !== undefined,
    redisCluster,
    mempoolUrl: e.MEMPOOL_URL.replace(/\/+$/, ''),
    mempoolMaxRps: e.MEMPOOL_MAX_RPS,
    bitcoinRpcUrl: e.BITCOIN_RPC_URL,
    chainSource: e.CHAIN_SOURCE,
    telegramBotToken: e.TELEGRAM_BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT,
    telegramWebhookUrl: e.TELEGRAM_WEBHOOK_URL,
    discordToken: e.DISCORD_TOKEN,
    discordApplicationId: e.DISCORD_APPLICATION_ID,
    discordApiBase: e.DISCORD_API_BASE.replace(/\/+$/, ''),
    discordGuildId: e.DISCORD_GUILD_ID,
    telegramWebhookPort: e.TELEGRAM_WEBHOOK_PORT,
    telegramPaidBroadcast: e.TELEGRAM_PAID_BROADCAST,
    broadcastTelegramChat: e.BROADCAST_TELEGRAM_CHAT,
    broadcastDiscordChannel: e.BROADCAST_DISCORD_CHANNEL,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    roles: e.ROLES,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
  };
}

/**
 * Loads `path` (default `.env` in the working directory) into the process environment when it
 * exists; variables already set win (Node's own parser, `process.loadEnvFile`). Returns whether a
 * file was read. Called once by the process entry points before loadConfig.
 */
export function loadDotEnv(path = '.env'): boolean {
  try {
    process.loadEnvFile(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ConfigError('.env', `Invalid configuration: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The process environment; the one place outside tests that reads it (DESIGN.md style 7). */
export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
