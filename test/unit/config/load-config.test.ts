import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_REDIS_URL, loadConfig, VARIABLES } from '../../../config/index.ts';

const TG = '123456789:AAEabcdefghijklmnopqrstuvwxyz0123456';
const DC = 'MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123';

describe('loadConfig defaults', () => {
  it('an empty environment gives every default of PRODUCT.md §4', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      redisUrlSet: false,
      redisCluster: false,
      mempoolUrl: 'https://mempool.space',
      mempoolMaxRps: 4,
      bitcoinRpcUrl: undefined,
      chainSource: 'mempool',
      telegramBotToken: undefined,
      telegramApiRoot: 'https://api.telegram.org',
      telegramWebhookUrl: undefined,
      discordToken: undefined,
      discordApplicationId: undefined,
      discordApiBase: 'https://discord.com/api',
      discordGuildId: undefined,
      telegramWebhookPort: 8443,
      telegramPaidBroadcast: false,
      broadcastTelegramChat: undefined,
      broadcastDiscordChannel: undefined,
      httpPort: 9464,
      httpHost: '127.0.0.1',
      roles: ['watcher', 'evaluator', 'notifier', 'bot'],
      logLevel: 'info',
      logFormat: 'auto',
    });
  });

  it('blank values count as unset (an .env copied from .env.example works as is)', () => {
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: '', BITCOIN_RPC_URL: '  ', HTTP_PORT: '' });
    expect(c.telegramBotToken).toBeUndefined();
    expect(c.bitcoinRpcUrl).toBeUndefined();
    expect(c.httpPort).toBe(9464);
  });
});

// Each row: an environment that must load, and the config fields it must produce.
const good: Array<[string, Record<string, string>, Record<string, unknown>]> = [
  [
    'own mempool instance, trailing slash dropped',
    { MEMPOOL_URL: 'http://umbrel.local:3006/' },
    { mempoolUrl: 'http://umbrel.local:3006' },
  ],
  ['fractional rate limit', { MEMPOOL_MAX_RPS: '0.5' }, { mempoolMaxRps: 0.5 }],
  ['high rate for a private instance', { MEMPOOL_MAX_RPS: '50' }, { mempoolMaxRps: 50 }],
  [
    'rediss with password',
    { REDIS_URL: 'rediss://:pw@redis.example:6380/2' },
    { redisUrl: 'rediss://:pw@redis.example:6380/2', redisUrlSet: true },
  ],
  [
    'a Redis Cluster: seed nodes separated by commas',
    { REDIS_URL: 'redis://10.0.0.1:7000, redis://10.0.0.2:7000' },
    { redisUrl: 'redis://10.0.0.1:7000, redis://10.0.0.2:7000', redisCluster: true },
  ],
  [
    'a Redis Cluster behind one configuration endpoint',
    { REDIS_URL: 'rediss://:pw@cfg.cache.example:7000', REDIS_CLUSTER: 'true' },
    { redisCluster: true },
  ],
  ['one server is not a cluster', { REDIS_URL: 'redis://127.0.0.1:6380/3' }, { redisCluster: false }],
  [
    'REDIS_URL naming the default address still means exactly that server',
    { REDIS_URL: DEFAULT_REDIS_URL },
    { redisUrlSet: true },
  ],
  [
    'blank REDIS_URL is unset (the start path may run a private server)',
    { REDIS_URL: ' ' },
    { redisUrl: DEFAULT_REDIS_URL, redisUrlSet: false },
  ],
  ['metrics on all interfaces when asked', { HTTP_HOST: '0.0.0.0' }, { httpHost: '0.0.0.0' }],
  ['IPv6 loopback', { HTTP_HOST: '::1' }, { httpHost: '::1' }],
  ['webhook port', { TELEGRAM_WEBHOOK_PORT: '8080' }, { telegramWebhookPort: 8080 }],
  ['log format', { LOG_FORMAT: 'Pretty' }, { logFormat: 'pretty' }],
  [
    'bitcoind with credentials',
    { BITCOIN_RPC_URL: 'http://user:pass@127.0.0.1:8332' },
    { bitcoinRpcUrl: 'http://user:pass@127.0.0.1:8332' },
  ],
  [
    'bitcoind as the chain source',
    { CHAIN_SOURCE: 'bitcoind', BITCOIN_RPC_URL: 'http://u:p@127.0.0.1:8332' },
    { chainSource: 'bitcoind' },
  ],
  ['chain source case tolerated', { CHAIN_SOURCE: ' Mempool ' }, { chainSource: 'mempool' }],
  ['telegram token', { TELEGRAM_BOT_TOKEN: TG }, { telegramBotToken: TG }],
  [
    'telegram webhook',
    { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_WEBHOOK_URL: 'https://bot.example/tg' },
    { telegramWebhookUrl: 'https://bot.example/tg' },
  ],
  [
    'local Bot API server',
    { TELEGRAM_API_ROOT: 'http://127.0.0.1:8081' },
    { telegramApiRoot: 'http://127.0.0.1:8081' },
  ],
  [
    'discord both set',
    { DISCORD_TOKEN: DC, DISCORD_APPLICATION_ID: '1234567890123' },
    { discordToken: DC, discordApplicationId: '1234567890123' },
  ],
  ['discord guild', { DISCORD_GUILD_ID: '987654321' }, { discordGuildId: '987654321' }],
  ['port 0 (ephemeral, tests)', { HTTP_PORT: '0' }, { httpPort: 0 }],
  ['roles subset, spaces and case tolerated', { ROLES: ' Watcher, evaluator ' }, { roles: ['watcher', 'evaluator'] }],
  ['roles duplicates collapse', { ROLES: 'bot,bot' }, { roles: ['bot'] }],
  ['log level', { LOG_LEVEL: 'DEBUG' }, { logLevel: 'debug' }],
];

describe('loadConfig accepts good values', () => {
  it.each(good)('%s', (_label, env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });
});

// Each row: a bad environment, the variable the error must name, and a secret that must NOT
// appear in the message (or null when the value may be echoed).
const bad: Array<[string, Record<string, string>, string, string | null]> = [
  ['redis scheme', { REDIS_URL: 'http://127.0.0.1:6380' }, 'REDIS_URL', null],
  ['redis url with password is not echoed', { REDIS_URL: 'notaurl-s3cretpw' }, 'REDIS_URL', 's3cretpw'],
  ['cluster seed list with a bad entry', { REDIS_URL: 'redis://a:7000,http://b:7001' }, 'REDIS_URL', null],
  ['cluster seeds have no database number', { REDIS_URL: 'redis://a:7000/2,redis://b:7001' }, 'REDIS_URL', null],
  ['REDIS_CLUSTER not a boolean', { REDIS_URL: 'redis://a:7000', REDIS_CLUSTER: 'maybe' }, 'REDIS_CLUSTER', null],
  ['REDIS_CLUSTER without REDIS_URL', { REDIS_CLUSTER: 'true' }, 'REDIS_CLUSTER', null],
  [
    'a one-seed cluster with a database number',
    { REDIS_URL: 'redis://cfg:7000/2', REDIS_CLUSTER: 'true' },
    'REDIS_URL',
    null,
  ],
  ['mempool not a url', { MEMPOOL_URL: 'mempool.space' }, 'MEMPOOL_URL', null],
  ['mempool ws scheme', { MEMPOOL_URL: 'wss://mempool.space' }, 'MEMPOOL_URL', null],
  ['rate zero', { MEMPOOL_MAX_RPS: '0' }, 'MEMPOOL_MAX_RPS', null],
  ['rate negative', { MEMPOOL_MAX_RPS: '-1' }, 'MEMPOOL_MAX_RPS', null],
  ['rate not a number', { MEMPOOL_MAX_RPS: 'fast' }, 'MEMPOOL_MAX_RPS', null],
  ['rpc url malformed, password hidden', { BITCOIN_RPC_URL: 'user:hunter2@host' }, 'BITCOIN_RPC_URL', 'hunter2'],
  ['chain source unknown', { CHAIN_SOURCE: 'electrum' }, 'CHAIN_SOURCE', null],
  ['bitcoind source without rpc url', { CHAIN_SOURCE: 'bitcoind' }, 'CHAIN_SOURCE', null],
  [
    'telegram token shape, value hidden',
    { TELEGRAM_BOT_TOKEN: 'not-a-token-XYZSECRET' },
    'TELEGRAM_BOT_TOKEN',
    'XYZSECRET',
  ],
  ['telegram api root', { TELEGRAM_API_ROOT: 'api.telegram.org' }, 'TELEGRAM_API_ROOT', null],
  ['webhook without token', { TELEGRAM_WEBHOOK_URL: 'https://bot.example/tg' }, 'TELEGRAM_WEBHOOK_URL', null],
  [
    'webhook over http',
    { TELEGRAM_BOT_TOKEN: TG, TELEGRAM_WEBHOOK_URL: 'http://bot.example/tg' },
    'TELEGRAM_WEBHOOK_URL',
    TG,
  ],
  ['discord token without app id, token hidden', { DISCORD_TOKEN: DC }, 'DISCORD_APPLICATION_ID', DC],
  ['discord app id without token', { DISCORD_APPLICATION_ID: '123' }, 'DISCORD_TOKEN', null],
  [
    'discord token shape, value hidden',
    { DISCORD_TOKEN: 'bad token with spaces', DISCORD_APPLICATION_ID: '1' },
    'DISCORD_TOKEN',
    'bad token',
  ],
  ['discord app id not numeric', { DISCORD_TOKEN: DC, DISCORD_APPLICATION_ID: 'abc' }, 'DISCORD_APPLICATION_ID', DC],
  ['discord api base', { DISCORD_API_BASE: 'discord.com/api' }, 'DISCORD_API_BASE', null],
  ['guild id', { DISCORD_GUILD_ID: 'my-guild' }, 'DISCORD_GUILD_ID', null],
  ['port text', { HTTP_PORT: 'http' }, 'HTTP_PORT', null],
  ['port too big', { HTTP_PORT: '70000' }, 'HTTP_PORT', null],
  ['port negative', { HTTP_PORT: '-1' }, 'HTTP_PORT', null],
  ['unknown role', { ROLES: 'watcher,miner' }, 'ROLES', null],
  ['empty role list', { ROLES: ',' }, 'ROLES', null],
  ['all mixed with roles', { ROLES: 'all,bot' }, 'ROLES', null],
  ['log level', { LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', null],
  ['log format', { LOG_FORMAT: 'xml' }, 'LOG_FORMAT', null],
  ['http host with a scheme', { HTTP_HOST: 'http://0.0.0.0' }, 'HTTP_HOST', null],
  ['http host with spaces', { HTTP_HOST: 'my host' }, 'HTTP_HOST', null],
  ['webhook port text', { TELEGRAM_WEBHOOK_PORT: 'https' }, 'TELEGRAM_WEBHOOK_PORT', null],
];

describe('loadConfig rejects bad values with one line naming the variable', () => {
  it.each(bad)('%s', (_label, env, variable, secret) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const e = caught as ConfigError;
    expect(e.name).toBe('ConfigError');
    expect(e.variable).toBe(variable);
    expect(e.message).toContain(variable);
    expect(e.message).not.toContain('\n');
    if (secret !== null) expect(e.message).not.toContain(secret);
  });

  it('a non-secret bad value is quoted so the operator sees what was read', () => {
    expect(() => loadConfig({ HTTP_PORT: 'abc' })).toThrow(/HTTP_PORT .*"abc"/);
  });
});

describe('broadcast and paid broadcast', () => {
  it('takes a channel @name or -100 id, a Discord channel id and a boolean; each needs its token', () => {
    const c = loadConfig({
      TELEGRAM_BOT_TOKEN: TG,
      DISCORD_TOKEN: DC,
      DISCORD_APPLICATION_ID: '123456789012345678',
      BROADCAST_TELEGRAM_CHAT: '@hashbell_alerts',
      BROADCAST_DISCORD_CHANNEL: '223456789012345678',
      TELEGRAM_PAID_BROADCAST: 'TRUE',
    });
    expect([c.broadcastTelegramChat, c.broadcastDiscordChannel, c.telegramPaidBroadcast]).toEqual([
      '@hashbell_alerts',
      '223456789012345678',
      true,
    ]);
    expect(
      loadConfig({ TELEGRAM_BOT_TOKEN: TG, BROADCAST_TELEGRAM_CHAT: '-1001234567890' }).broadcastTelegramChat,
    ).toBe('-1001234567890');
    const bad = (env: Record<string, string>, variable: string, words: RegExp): void => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      try {
        loadConfig(env);
      } catch (e) {
        expect((e as ConfigError).variable).toBe(variable);
        expect((e as ConfigError).message).toMatch(words);
      }
    };
    bad({ TELEGRAM_BOT_TOKEN: TG, BROADCAST_TELEGRAM_CHAT: 'hashbell alerts' }, 'BROADCAST_TELEGRAM_CHAT', /@username/);
    bad({ BROADCAST_TELEGRAM_CHAT: '@hashbell_alerts' }, 'BROADCAST_TELEGRAM_CHAT', /TELEGRAM_BOT_TOKEN is not/);
    bad({ TELEGRAM_PAID_BROADCAST: 'true' }, 'TELEGRAM_PAID_BROADCAST', /TELEGRAM_BOT_TOKEN is not/);
    bad({ TELEGRAM_BOT_TOKEN: TG, TELEGRAM_PAID_BROADCAST: 'maybe' }, 'TELEGRAM_PAID_BROADCAST', /true or false/);
    bad({ BROADCAST_DISCORD_CHANNEL: '223456789012345678' }, 'BROADCAST_DISCORD_CHANNEL', /DISCORD_TOKEN is not/);
  });
});

describe('.env.example', () => {
  it('lists every variable of the schema, with its default', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    for (const v of VARIABLES) {
      const line = text.split('\n').find((l) => l.startsWith(`${v.name}=`));
      expect(line, v.name).toBeDefined();
      expect(line).toBe(`${v.name}=${v.defaultValue ?? ''}`);
    }
    const names = text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(names.sort()).toEqual(VARIABLES.map((v) => v.name).sort());
  });

  it('loads as is (its values are the defaults)', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const env = Object.fromEntries(
      text
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
    );
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });
});

describe('README configuration table', () => {
  it('names every variable of the schema', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    for (const v of VARIABLES)
      expect(readme, v.name).toMatch(new RegExp(`^\\| \`${v.name}\`|\`${v.name}\`\\s*\\|`, 'm'));
  });
});
