/**
 * Issue 13 §5: the split deployment of deploy/ as separate real processes on one Redis — one
 * watcher (following the mempool.space stand-in), two evaluators, two notifiers and one bot (the
 * Telegram stand-in) — each with its own /readyz and /metrics. A user subscribes through the
 * bot, one block is mined, and its alert reaches the chat exactly once; the metrics of the
 * processes that handled it show the block → evaluate → deliver → platform path.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { FakeTelegramBotApi } from '../fakes/telegram-bot-api.ts';
import { getJson, privateRedis, spawnHashbell, until, type HashbellProcess } from '../support/hashbell-process.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const ROLES = ['watcher', 'evaluator', 'evaluator', 'notifier', 'notifier', 'bot'] as const;

/** Sum of a metric's samples (all label sets matching `labels`) in Prometheus text. */
function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

describe('split roles as separate processes on one Redis', () => {
  it('one block, one alert, delivered exactly once', async () => {
    const mempool = await FakeMempoolSpace.start({ chain: new FakeChain({ startHeight: 870_912, length: 17_200 }) });
    const tg = await FakeTelegramBotApi.start();
    const redis = await privateRedis();
    cleanup.push(async () => {
      await redis.stop();
      await tg.close();
      await mempool.close();
    });
    const env = {
      REDIS_URL: redis.url,
      MEMPOOL_URL: mempool.url,
      MEMPOOL_MAX_RPS: '1000',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
    };
    const procs: HashbellProcess[] = ROLES.map((entry) => spawnHashbell({ entry, env }));
    cleanup.push(() => {
      for (const p of procs) p.kill();
    });
    const urls = await Promise.all(procs.map((p) => p.httpUrl()));

    await until(
      'every process ready',
      async () => (await Promise.all(urls.map((u) => getJson(`${u}/readyz`)))).every((r) => r.status === 200),
      90_000,
    );
    const checks = await Promise.all(
      urls.map(async (u) => Object.keys((await getJson(`${u}/readyz`)).body['checks'] as object).sort()),
    );
    expect(checks).toEqual([
      ['redis', 'watcher'],
      ['evaluator', 'redis'],
      ['evaluator', 'redis'],
      ['notifier-console', 'notifier-telegram', 'redis'],
      ['notifier-console', 'notifier-telegram', 'redis'],
      ['redis', 'telegram'],
    ]);

    const chat = { id: 4242, type: 'private' as const };
    const user = { id: 4242, first_name: 'Miner' };
    await tg.ask(chat, user, '/start');
    const added = await tg.ask(chat, user, '/alert new-block');
    expect(added.plain).toMatch(/block/i);

    const since = tg.sent.length;
    const [block] = mempool.mine(1);
    const height = String(block!.height);
    await tg.waitForBotMessage(
      (m) =>
        m.chatId === chat.id && m.plain.includes(height.slice(0, 3)) && m.plain.replace(/[^0-9]/g, '').includes(height),
      { since, timeoutMs: 30_000 },
    );
    // Give a second copy every chance to arrive (two evaluators, two notifiers).
    await new Promise((r) => setTimeout(r, 3_000));
    const forBlock = tg.sent.slice(since).filter((m) => m.chatId === chat.id);
    expect(forBlock).toHaveLength(1);

    const metrics = await Promise.all(urls.map(async (u) => (await fetch(`${u}/metrics`)).text()));
    const total = (name: string, labels?: Record<string, string>): number =>
      metrics.reduce((s, t) => s + metricSum(t, name, labels), 0);
    expect(total('hashbell_deliveries_total', { platform: 'telegram', outcome: 'sent' })).toBe(1);
    expect(total('hashbell_evaluate_to_deliver_seconds_count', { platform: 'telegram' })).toBe(1);
    expect(total('hashbell_deliver_to_platform_seconds_count', { platform: 'telegram' })).toBe(1);
    expect(total('hashbell_block_to_evaluate_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(metricSum(metrics[0]!, 'hashbell_last_block_height')).toBe(block!.height);
    expect(metricSum(metrics[1]!, 'hashbell_subscriptions')).toBe(1); // the chat; counted by the evaluators
    expect(metricSum(metrics[1]!, 'hashbell_rules')).toBeGreaterThanOrEqual(2); // its defaults and new-block
    for (const t of metrics) expect(metricSum(t, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    for (const p of procs) p.child.kill('SIGTERM');
    expect(await Promise.all(procs.map((p) => p.exited))).toEqual(ROLES.map(() => 0));
  }, 180_000);
});
