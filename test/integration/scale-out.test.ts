/**
 * Issue 14 §6: two evaluators and three notifiers as separate processes on one Redis. A block
 * fires for N Telegram subscribers at once; the Bot API stand-in enforces Telegram's limits
 * (30 msg/s overall, 1/s per chat) and records when each request arrived. Together the processes
 * must hold the global limit (every request takes its slot on the send timeline shared through
 * Redis, src/platforms/send-timeline.ts): at most 30 requests in any 1-s window, no 429, and every
 * subscriber gets the message exactly once. Whether five processes finish no later than one is
 * timed in bench/scale-out.ts, not here.
 *
 * Load: the rate check does not depend on it. A request leaves only a window after the answer to
 * the one 30 before it, and the stand-in stamps a request before answering it, so even a stand-in
 * (this test process) that stalls and stamps late cannot see 31 in a second. The waits for the
 * processes to start and deliver are deadlines against a hang, not assertions: they are long.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.ts';
import { TELEGRAM_FAQ_LIMITS } from '../fakes/telegram-limits.ts';
import { getJson, privateRedis, spawnHashbell, until, type HashbellProcess } from '../support/hashbell-process.ts';
import {
  chatOf,
  densestWindow,
  duplicates,
  fireBlock,
  seedSubscribers,
  watchLoopStalls,
} from '../support/scale-out.ts';

const N = 120;
const CAP = TELEGRAM_FAQ_LIMITS.globalPerSec;
const ROLES = ['evaluator', 'evaluator', 'notifier', 'notifier', 'notifier'] as const;

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Sum of a counter's samples with `labels` in Prometheus text. */
function counter(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

describe('scale-out: 2 evaluators and 3 notifiers on one Redis', () => {
  it('a mass firing stays within the platform limit and reaches every subscriber exactly once', async () => {
    const tg = await FakeTelegramBotApi.start({ limits: TELEGRAM_FAQ_LIMITS });
    const redis = await privateRedis();
    cleanup.push(async () => {
      await redis.stop();
      await tg.close();
    });
    // A few subscribers first: one block to them warms every process up (a running bot has
    // delivered before; a first request's connection set-up is not what this measures).
    const WARM = 9;
    await seedSubscribers(redis.url, WARM, N);
    const env = {
      REDIS_URL: redis.url,
      MEMPOOL_URL: 'http://127.0.0.1:1',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
    };
    const procs: HashbellProcess[] = ROLES.map((entry) => spawnHashbell({ entry, env }));
    cleanup.push(() => {
      for (const p of procs) p.kill();
    });
    // Five processes start at once; on a loaded 2-core machine that alone can take minutes.
    const STARTUP_MS = 180_000;
    const urls = await Promise.all(procs.map((p) => p.httpUrl(STARTUP_MS)));
    await until(
      'every process ready',
      async () => (await Promise.all(urls.map((u) => getJson(`${u}/readyz`)))).every((r) => r.status === 200),
      STARTUP_MS,
    );

    await fireBlock(redis.url, 899_999);
    await until('warm-up delivered', () => tg.sent.length >= WARM, 120_000);
    await new Promise((r) => setTimeout(r, 500));
    await seedSubscribers(redis.url, N);
    const since = tg.sent.length;

    const stallWatch = watchLoopStalls(100);
    await fireBlock(redis.url, 900_000);
    const toSubscribers = () => tg.sent.filter((m) => m.chatId >= chatOf(0) && m.chatId < chatOf(N));
    await until('every subscriber told', () => new Set(toSubscribers().map((m) => m.chatId)).size === N, 120_000);
    // Give a second copy every chance to arrive (two evaluators, three notifiers).
    await new Promise((r) => setTimeout(r, 3_000));

    const stalls = stallWatch.stop();
    const sent = toSubscribers();
    expect(duplicates(sent.map((m) => m.chatId))).toEqual([]);
    expect(sent).toHaveLength(N);
    expect(tg.tooManyRequests).toBe(0);
    // The block's requests: to the N, and the warm-up chats' second alert (their rule fires again).
    const requests = tg.sent
      .slice(since)
      .filter((m) => m.method !== 'editMessageText')
      .map((m) => m.atMs);
    expect(requests).toHaveLength(N + WARM);
    // A stall of this process (where the stand-in reads its sockets) would stamp requests that
    // arrived during it together: named in the message, should this ever fail.
    const densest = densestWindow(requests, 1000);
    expect(
      densest.count,
      `densest second ${JSON.stringify(densest)}; stand-in stalls ${JSON.stringify(stalls)}`,
    ).toBeLessThanOrEqual(CAP);

    // The work really was shared: the notifiers' counters add up to N, from more than one process.
    const metrics = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    const perNotifier = metrics
      .slice(2)
      .map((t) => counter(t, 'hashbell_deliveries_total', { platform: 'telegram', outcome: 'sent' }));
    expect(perNotifier.reduce((a, b) => a + b, 0)).toBe(N + 2 * WARM);
    expect(perNotifier.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);

    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual(ROLES.map(() => 0));
  }, 600_000);
});
