/**
 * Issue 15 item 2 through the real queues (Redis DB 4, real BullMQ): one chat's own limit delays
 * only that chat's job — the rest of the queue is delivered while it waits in the delayed set —
 * and nothing is lost or sent twice; a platform-wide 429 still pauses the whole queue.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/subscriptions/service.ts';
import { deliverJobId } from '../../src/jobs/queues.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { startHarness, waitFor, type Harness } from './engine-harness.ts';

const T0 = 1_750_000_000;
const chat = (n: number): Target => ({
  platform: 'telegram',
  targetType: 'chat',
  targetId: String(n),
  userId: String(n),
});
const CHATS = Array.from({ length: 30 }, (_, i) => 3001 + i);
const SLOW = 'telegram-chat-3001';
/** Above the harness limiter's max: a TTL is reported only when worker.rateLimit paused the queue. */
const PAUSED = 10_001;

let h: Harness;
beforeEach(async () => {
  h = await startHarness('isolation', 4, { nowSec: () => T0 });
  for (const n of CHATS) await h.app.service.start(chat(n), T0);
});
afterEach(async () => {
  await h.close();
});

const sentTo = (id: string): number => h.notifier.sent.filter((m) => m.subscriptionId === id).length;
const outcomes = async (): Promise<Record<string, number>> =>
  Object.fromEntries(
    (await h.registry.getSingleMetric('hashbell_deliveries_total')!.get()).values.map((v) => [
      v.labels.outcome,
      v.value,
    ]),
  );

describe('deliver queue isolation', () => {
  it('a chat paced by its own limit waits alone in the delayed set while every other chat is served, then gets its message once', async () => {
    h.notifier.failures.set(SLOW, [{ chatWaitMs: 4000 }]);
    const s = makeSnapshot({ height: 500, dropPct: 20 });
    await h.block(s);
    await waitFor(() => h.notifier.sent.length >= CHATS.length - 1, 15_000, 'the other chats');
    const slowJob = await h.app.deliverQueues.telegram!.getJob(deliverJobId(SLOW, s.hash, false));
    // Every other chat got its alert while the paced one is still waiting for its own slot.
    expect(sentTo(SLOW)).toBe(0);
    expect(await slowJob!.getState()).toBe('delayed');
    expect(await h.app.deliverQueues.telegram!.getRateLimitTtl(PAUSED)).toBeLessThanOrEqual(0);
    await waitFor(() => sentTo(SLOW) === 1, 15_000, 'the paced chat');
    // Idle means nothing delayed, waiting or still active: the paced job is counted when it
    // completes, a moment after the notifier recorded its send.
    await waitFor(
      async () => {
        const c = await h.app.deliverQueues.telegram!.getJobCounts('delayed', 'wait', 'active');
        return (c.delayed ?? 0) + (c.wait ?? 0) + (c.active ?? 0) === 0;
      },
      5000,
      'queue idle',
    );
    expect(new Set(h.notifier.sent.map((m) => m.subscriptionId)).size).toBe(CHATS.length);
    expect(h.notifier.sent).toHaveLength(CHATS.length);
    expect(await outcomes()).toEqual({ 'chat-paced': 1, sent: CHATS.length });
  });

  it('a platform-wide 429 pauses the whole queue for retry_after and still loses nothing', async () => {
    h.notifier.failures.set(SLOW, [{ rateLimitedMs: 3000 }]);
    await h.block(makeSnapshot({ height: 600, dropPct: 20 }));
    await waitFor(
      async () => (await h.app.deliverQueues.telegram!.getRateLimitTtl(PAUSED)) > 0,
      10_000,
      'the queue to pause',
    );
    await waitFor(() => h.notifier.sent.length === CHATS.length, 20_000, 'every chat after the pause');
    expect(new Set(h.notifier.sent.map((m) => m.subscriptionId)).size).toBe(CHATS.length);
    expect((await outcomes())['rate-limited']).toBe(1);
  });
});
