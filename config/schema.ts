/**
 * The environment contract of PRODUCT.md §4 as one zod schema. Every variable the bot reads is
 * declared here, with its default, so `.env.example`, the README table and start-up validation
 * cannot drift apart.
 */
import { z } from 'zod';

/** Parts of the bot a process may run (PRODUCT.md §4 `ROLES`). */
export const ROLE_NAMES = ['watcher', 'evaluator', 'notifier', 'bot'] as const;
export type Role = (typeof ROLE_NAMES)[number];

/** Chain sources CHAIN_SOURCE may name; the other configured one cross-checks. */
export const CHAIN_SOURCES = ['mempool', 'bitcoind'] as const;
export type ChainSourceName = (typeof CHAIN_SOURCES)[number];

/** auto: pretty on a TTY, JSON otherwise (decided at start, where the TTY is known). */
export const LOG_FORMATS = ['auto', 'pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables whose values must never appear in an error message. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'TELEGRAM_BOT_TOKEN',
  'DISCORD_TOKEN',
  'BITCOIN_RPC_URL',
  'REDIS_URL',
]);

/** One documented variable: used for `.env.example`, the README table and tests. */
export interface VariableDoc {
  readonly name: string;
  readonly defaultValue: string | null;
  readonly meaning: string;
}

export const VARIABLES: readonly VariableDoc[] = [
  {
    name: 'REDIS_URL',
    defaultValue: null,
    meaning:
      'BullMQ queues and all state; unset: the Redis on 127.0.0.1:6379 if one answers, else `npm start` runs a private redis-server with its data in .hashbell/. A Redis Cluster: its seed nodes separated by commas (redis://a:7000,redis://b:7001)',
  },
  {
    name: 'REDIS_CLUSTER',
    defaultValue: null,
    meaning:
      'true: REDIS_URL is a Redis Cluster even when it names one seed node; unset: a cluster when REDIS_URL lists several nodes',
  },
  {
    name: 'MEMPOOL_URL',
    defaultValue: 'https://mempool.space',
    meaning: 'mempool.space or a self-hosted instance; websocket at /api/v1/ws of the same host',
  },
  { name: 'MEMPOOL_MAX_RPS', defaultValue: '4', meaning: 'REST requests per second at most (backfill, polling)' },
  {
    name: 'BITCOIN_RPC_URL',
    defaultValue: null,
    meaning: 'a Bitcoin Core node (http://user:pass@host:8332) as source or cross-check',
  },
  {
    name: 'CHAIN_SOURCE',
    defaultValue: 'mempool',
    meaning:
      'which source drives the chain: mempool, or bitcoind (needs BITCOIN_RPC_URL; prices still come from MEMPOOL_URL)',
  },
  { name: 'TELEGRAM_BOT_TOKEN', defaultValue: null, meaning: 'enables Telegram' },
  {
    name: 'TELEGRAM_API_ROOT',
    defaultValue: 'https://api.telegram.org',
    meaning: 'Bot API root (or a local Bot API server)',
  },
  {
    name: 'TELEGRAM_WEBHOOK_URL',
    defaultValue: null,
    meaning: 'public HTTPS URL for webhook mode; long polling when unset',
  },
  { name: 'DISCORD_TOKEN', defaultValue: null, meaning: 'enables Discord (with DISCORD_APPLICATION_ID)' },
  {
    name: 'DISCORD_APPLICATION_ID',
    defaultValue: null,
    meaning: 'the Discord application (needed to register slash commands)',
  },
  {
    name: 'DISCORD_API_BASE',
    defaultValue: 'https://discord.com/api',
    meaning: 'REST base; the gateway URL comes from it',
  },
  {
    name: 'DISCORD_GUILD_ID',
    defaultValue: null,
    meaning: 'register slash commands in this guild only (instant, for testing)',
  },
  {
    name: 'TELEGRAM_PAID_BROADCAST',
    defaultValue: 'false',
    meaning:
      'true: alerts use Telegram paid broadcast (allow_paid_broadcast), up to 1,000 messages/s for 0.1 Telegram Stars per message beyond the free 30/s, from the bot’s balance',
  },
  {
    name: 'BROADCAST_TELEGRAM_CHAT',
    defaultValue: null,
    meaning:
      'public Telegram channel (@name or -100… id; the bot an administrator allowed to post) that gets the default rules, offered on /start',
  },
  {
    name: 'BROADCAST_DISCORD_CHANNEL',
    defaultValue: null,
    meaning:
      'Discord announcement channel id that gets the default rules; alerts are crossposted to the servers following it',
  },
  {
    name: 'TELEGRAM_WEBHOOK_PORT',
    defaultValue: '8443',
    meaning: 'local port the webhook listener binds (all interfaces; your TLS proxy forwards to it)',
  },
  {
    name: 'HTTP_PORT',
    defaultValue: '9464',
    meaning: '/livez, /readyz (alias /healthz) and Prometheus /metrics, in every process; 0 picks a free port',
  },
  {
    name: 'HTTP_HOST',
    defaultValue: '127.0.0.1',
    meaning: 'address the HTTP_PORT server binds; 0.0.0.0 to let Prometheus on another host scrape it',
  },
  {
    name: 'ROLES',
    defaultValue: 'all',
    meaning: 'which parts this process runs: all, or a comma list of watcher,evaluator,notifier,bot',
  },
  { name: 'LOG_LEVEL', defaultValue: 'info', meaning: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  {
    name: 'LOG_FORMAT',
    defaultValue: 'auto',
    meaning: 'auto (readable lines on a terminal, JSON otherwise), pretty or json',
  },
];

const blankToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** A URL whose scheme is one of `protocols` (e.g. 'http:'). */
const urlWith = (protocols: readonly string[], message: string) =>
  z
    .string()
    .trim()
    .refine((s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    }, message);

const httpUrl = urlWith(['http:', 'https:'], 'must be an http(s) URL');
const oneRedisUrl = urlWith(['redis:', 'rediss:'], 'must be a redis:// or rediss:// URL');

/** One redis:// URL, or a cluster's seed nodes separated by commas. */
const redisUrl = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const urls = s.split(',').map((u) => u.trim());
    // (A cluster's URLs may not name a database: checked in loadConfig, with REDIS_CLUSTER.)
    if (urls.some((u) => !oneRedisUrl.safeParse(u).success))
      ctx.addIssue({ code: 'custom', message: 'must be a redis:// or rediss:// URL, or several separated by commas' });
  });

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => ['true', 'false', '1', '0', 'yes', 'no'].includes(s), 'must be true or false')
  .transform((s) => ['true', '1', 'yes'].includes(s));

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, def: string) =>
  z.preprocess((v) => blankToUndefined(v) ?? def, schema);

const positiveNumber = z
  .string()
  .trim()
  .refine((s) => /^\d+(\.\d+)?$/.test(s) && Number(s) > 0, 'must be a positive number')
  .transform(Number);

const port = z
  .string()
  .trim()
  .refine((s) => /^\d+$/.test(s) && Number(s) <= 65535, 'must be a port number 0–65535')
  .transform(Number);

/** Telegram tokens look like `123456789:AA…` (bot id, colon, secret). */
const telegramToken = z
  .string()
  .trim()
  .refine((s) => /^\d{1,20}:[A-Za-z0-9_-]{1,}$/.test(s), 'must look like <bot id>:<secret> as BotFather gives it');

const discordToken = z
  .string()
  .trim()
  .refine((s) => /^[A-Za-z0-9._-]{10,}$/.test(s), 'must be a bot token as the Discord developer portal gives it');

const snowflake = z
  .string()
  .trim()
  .refine((s) => /^\d{1,20}$/.test(s), 'must be a numeric Discord id');

/** A Telegram chat for posting: `@channelname` or a numeric chat id (channels: -100…). */
const telegramChat = z
  .string()
  .trim()
  .refine(
    (s) => /^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(s) || /^-?\d{1,20}$/.test(s),
    'must be a channel @username or a numeric chat id such as -1001234567890',
  );

const roles = z
  .string()
  .trim()
  .transform((s, ctx): Role[] => {
    const parts = s
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .filter((p) => p !== '');
    if (parts.length === 1 && parts[0] === 'all') return [...ROLE_NAMES];
    const bad = parts.filter((p) => !(ROLE_NAMES as readonly string[]).includes(p));
    if (parts.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be all or a comma list of ${ROLE_NAMES.join(',')}${bad.length ? ` (unknown: ${bad.join(',')})` : ''}`,
      });
      return z.NEVER;
    }
    return [...new Set(parts as Role[])];
  });

/** One word of `choices`, case-insensitive. */
const oneOf = <T extends string>(choices: readonly T[]) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((s) => (choices as readonly string[]).includes(s), `must be one of ${choices.join(', ')}`)
    .transform((s) => s as T);

const chainSource = oneOf<ChainSourceName>(CHAIN_SOURCES);
const logLevel = oneOf<LogLevel>(LOG_LEVELS);
const logFormat = oneOf<LogFormat>(LOG_FORMATS);

/** A host name or IP address to bind (no scheme, no port). */
const bindHost = z
  .string()
  .trim()
  .refine(
    (s) => /^[A-Za-z0-9.:_-]{1,253}$/.test(s) && !s.includes('://'),
    'must be an address to bind, e.g. 127.0.0.1 or 0.0.0.0',
  );

/** Raw environment → typed values. Keys are the environment variable names. */
export const envSchema = z.object({
  REDIS_URL: optional(redisUrl),
  REDIS_CLUSTER: optional(bool),
  MEMPOOL_URL: withDefault(httpUrl, 'https://mempool.space'),
  MEMPOOL_MAX_RPS: withDefault(positiveNumber, '4'),
  BITCOIN_RPC_URL: optional(httpUrl),
  CHAIN_SOURCE: withDefault(chainSource, 'mempool'),
  TELEGRAM_BOT_TOKEN: optional(telegramToken),
  TELEGRAM_API_ROOT: withDefault(httpUrl, 'https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: optional(httpUrl),
  DISCORD_TOKEN: optional(discordToken),
  DISCORD_APPLICATION_ID: optional(snowflake),
  DISCORD_API_BASE: withDefault(httpUrl, 'https://discord.com/api'),
  DISCORD_GUILD_ID: optional(snowflake),
  TELEGRAM_WEBHOOK_PORT: withDefault(port, '8443'),
  TELEGRAM_PAID_BROADCAST: withDefault(bool, 'false'),
  BROADCAST_TELEGRAM_CHAT: optional(telegramChat),
  BROADCAST_DISCORD_CHANNEL: optional(snowflake),
  HTTP_PORT: withDefault(port, '9464'),
  HTTP_HOST: withDefault(bindHost, '127.0.0.1'),
  ROLES: withDefault(roles, 'all'),
  LOG_LEVEL: withDefault(logLevel, 'info'),
  LOG_FORMAT: withDefault(logFormat, 'auto'),
});

export type Env = z.infer<typeof envSchema>;
