/**
 * Issue 15 §3/§5 (hostile start-up): the real process with every role, the mempool.space
 * stand-in as its chain source and the Telegram Bot API stand-in answering setMyCommands with
 * 500s, then (second case) rejecting the token with 401. The process stays up, the watcher,
 * evaluator and notifiers keep working, the bot retries the 500s with backoff and gives up only
 * on the 401, and /readyz says why — without the token anywhere in /readyz or the logs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordStandIn } from '../fakes/discord/index.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.ts';
import { getJson, privateRedis, spawnHashbell, until, type HashbellProcess } from '../support/hashbell-process.ts';

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

interface World {
  p: HashbellProcess;
  url: string;
  tg: FakeTelegramBotApi;
}

/** Stand-ins first (the Telegram one already failing as `prime` says), then the process. */
async function world(prime: (tg: FakeTelegramBotApi) => void): Promise<World> {
  const mempool = await FakeMempoolSpace.start({ chain: new FakeChain({ startHeight: 870_912, length: 17_200 }) });
  const tg = await FakeTelegramBotApi.start();
  prime(tg);
  const redis = await privateRedis();
  cleanup.push(async () => {
    await redis.stop();
    await tg.close();
    await mempool.close();
  });
  const p = spawnHashbell({
    entry: 'all',
    env: {
      REDIS_URL: redis.url,
      MEMPOOL_URL: mempool.url,
      MEMPOOL_MAX_RPS: '1000',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
    },
  });
  cleanup.push(() => p.kill());
  return { p, url: await p.httpUrl(), tg };
}

type Ready = { status: number; body: { reasons?: Record<string, string>; checks?: Record<string, string> } };
const readyz = async (w: World): Promise<Ready> => (await getJson(`${w.url}/readyz`)) as Ready;

const secretOf = (token: string): string => token.split(':')[1] as string;

describe('a chat platform failing at start-up', () => {
  it('500s on setMyCommands: retried with backoff while the other roles run, /readyz says why, then the bot connects', async () => {
    const w = await world((tg) => tg.failMethod('setMyCommands', 500, 'Internal Server Error', 3));
    const seen: string[] = [];
    await until(
      'watcher synced while telegram is failing',
      async () => {
        const r = await readyz(w);
        if (r.body.reasons?.['telegram'] !== undefined) seen.push(r.body.reasons['telegram']);
        return r.body.checks?.['watcher'] === 'ok';
      },
      60_000,
    );
    await until(
      'the bot connected',
      async () => {
        const r = await readyz(w);
        if (r.body.reasons?.['telegram'] !== undefined) seen.push(r.body.reasons['telegram']);
        return r.status === 200;
      },
      60_000,
    );
    expect(
      seen.some((s) => /start-up failed \(attempt \d+\): 500: Internal Server Error; retrying in \d+ s/.test(s)),
    ).toBe(true);
    expect(w.tg.calls.filter((c) => c.method === 'setMyCommands').map((c) => c.status)).toEqual([500, 500, 500, 200]);
    expect(w.p.logs.some((l) => l.msg === 'telegram connected after 3 failed attempt(s)')).toBe(true);
    // It really is connected: a user gets an answer.
    const reply = await w.tg.ask({ id: 501, type: 'private' }, { id: 501, first_name: 'Ann' }, '/help');
    expect(reply.plain.length).toBeGreaterThan(0);
    w.p.child.kill('SIGTERM');
    expect(await w.p.exited).toBe(0);
  }, 120_000);

  it('500 then 401 (token revoked): reported clearly without the token, not retried, the other roles keep running', async () => {
    const w = await world((tg) => tg.failMethod('setMyCommands', 500, 'Internal Server Error', 2));
    await w.p.waitForLog((l) => l.msg === 'telegram start-up failed; retrying', 30_000);
    w.tg.failMethod('*', 401, 'Unauthorized');
    await until(
      'the 401 on /readyz',
      async () => /rejected the token/.test((await readyz(w)).body.reasons?.['telegram'] ?? ''),
      60_000,
    );
    await until('watcher synced', async () => (await readyz(w)).body.checks?.['watcher'] === 'ok', 60_000);
    const r = await readyz(w);
    expect(r.status).toBe(503);
    expect(r.body.reasons).toEqual({
      telegram:
        'the platform rejected the token (401 Unauthorized): check TELEGRAM_BOT_TOKEN; not retrying (the other roles keep running)',
    });
    expect(r.body.checks).toMatchObject({
      redis: 'ok',
      watcher: 'ok',
      evaluator: 'ok',
      'notifier-telegram': 'ok',
      'notifier-console': 'ok',
    });
    // Not retried after the 401, and the process is still up.
    const calls = w.tg.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(w.tg.calls.length).toBe(calls);
    expect(w.p.child.exitCode).toBeNull();
    expect((await getJson(`${w.url}/livez`)).status).toBe(200);
    // The token's secret never reached a log line or /readyz.
    const everything = JSON.stringify(w.p.logs) + JSON.stringify(r.body) + w.p.stdout.join('\n');
    expect(everything).not.toContain(secretOf(w.tg.token));
    expect(w.p.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('telegram cannot start'))).toHaveLength(
      1,
    );
    w.p.child.kill('SIGTERM');
    expect(await w.p.exited).toBe(0);
  }, 120_000);

  it('Discord rejecting the token: a bot-only process stays up, says so on /readyz without the token, and does not retry', async () => {
    const discord = await DiscordStandIn.start();
    const redis = await privateRedis();
    cleanup.push(async () => {
      await redis.stop();
      await discord.close();
    });
    const wrong = 'MTAxNTAwMDAwMDAwMDAwMDAw.Gh7Tst.wrong-token-the-stand-in-refuses-0000';
    const p = spawnHashbell({
      entry: 'bot',
      env: {
        REDIS_URL: redis.url,
        DISCORD_TOKEN: wrong,
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_API_BASE: discord.apiBase,
      },
    });
    cleanup.push(() => p.kill());
    const url = await p.httpUrl();
    await until(
      'the 401 on /readyz',
      async () =>
        /rejected the token/.test(
          ((await getJson(`${url}/readyz`)).body['reasons'] as Record<string, string> | undefined)?.['discord'] ?? '',
        ),
      60_000,
    );
    const r = await getJson(`${url}/readyz`);
    expect(r.status).toBe(503);
    expect(r.body['checks']).toEqual({
      redis: 'ok',
      discord:
        'the platform rejected the token (401 Unauthorized): check DISCORD_TOKEN; not retrying (the other roles keep running)',
    });
    expect(p.child.exitCode).toBeNull();
    expect(JSON.stringify(p.logs) + JSON.stringify(r.body)).not.toContain('wrong-token-the-stand-in-refuses');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 60_000);
});
