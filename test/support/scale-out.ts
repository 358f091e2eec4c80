/**
 * A mass firing for processes that share one Redis (test/integration/scale-out.test.ts and
 * bench/scale-out.ts): N Telegram subscribers with a rule that fires on every block, written
 * straight into the store under the production prefix; one block committed to chain state and
 * its evaluate job queued, as the watcher does; and the figures the platform stand-in sees.
 */
import { Queue } from 'bullmq';
import type { Subscription } from '../../src/alerting/types.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { openRedis, type RedisClient } from '../../src/store/connection.ts';
import { engineKeys, keyPrefixFor, queuePrefixFor } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { EvaluateJobSchema, QUEUE_NAMES, evaluateJobId } from '../../src/jobs/queues.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';

/** The prefix the processes use (production's). */
const PREFIX = 'hb:';

/** Chat id of subscriber `i` (private chats: only the global and per-chat limits apply). */
export const chatOf = (i: number): number => 5_000_000 + i;

/** N Telegram private-chat subscriptions (chats `chatOf(from)`…) with a `new-block` rule each. */
export async function seedSubscribers(
  redisUrl: string,
  n: number,
  from = 0,
  createdSec = 1_700_000_000,
): Promise<void> {
  const redis = openRedis(redisUrl);
  try {
    const store = new RedisSubscriptionStore(redis, { keys: engineKeys(keyPrefixFor(PREFIX, redis)) });
    for (let i = 0; i < n; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, n - i) }, async (_, j) => {
          const chat = String(chatOf(from + i + j));
          const sub: Subscription = {
            id: `telegram-chat-${chat}`,
            platform: 'telegram',
            targetType: 'chat',
            targetId: chat,
            ownerId: chat,
            timeZone: 'UTC',
            quiet: null,
            mutedUntilSec: null,
            active: true,
            createdSec,
          };
          await store.put(sub);
          const r = await store.addRule(sub.id, { kind: 'new-block' }, createdSec);
          if (r === 'too-many-rules') throw new Error('unexpected: too many rules');
        }),
      );
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * Does what the watcher does for one new block: its snapshot into chain state, then its evaluate
 * job (job id from the hash, so it enters once however many evaluators there are).
 */
export async function fireBlock(redisUrl: string, height: number): Promise<void> {
  const redis: RedisClient = openRedis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = queuePrefixFor(QUEUE_NAMES.evaluate, undefined, redis);
  const queue = new Queue(QUEUE_NAMES.evaluate, { connection: redis as never, ...(prefix ? { prefix } : {}) });
  try {
    const chain = new RedisChainState(redis, { prefix: keyPrefixFor(PREFIX, redis), keepBlocks: 10 });
    const s = makeSnapshot({ height, timeSec: Math.floor(Date.now() / 1000) });
    const job = EvaluateJobSchema.parse({ height: s.height, hash: s.hash, correction: false });
    const block = { id: s.hash, height, timestamp: s.timeSec, bits: 0x17034219, feesSats: 0, feesKnown: false };
    await chain.commit([{ stored: { block, price: null, nowSec: s.timeSec }, snapshot: s, job }]);
    await queue.add('evaluate', job, { jobId: evaluateJobId(s.hash), removeOnComplete: true });
    await chain.markSent([job]);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** The most requests whose times fall inside any window of `windowMs` (sliding, not bucketed). */
export function maxInWindow(timesMs: readonly number[], windowMs = 1000): number {
  return densestWindow(timesMs, windowMs).count;
}

/**
 * The window of `windowMs` holding the most requests: how many, and the gaps (ms) between them
 * with the window's offset from the first request (to tell a start-up burst from a later one).
 */
export function densestWindow(
  timesMs: readonly number[],
  windowMs = 1000,
): { count: number; offsetMs: number; gapsMs: number[] } {
  const t = [...timesMs].sort((a, b) => a - b);
  let best = { count: 0, lo: 0 };
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while ((t[hi] as number) - (t[lo] as number) >= windowMs) lo++;
    if (hi - lo + 1 > best.count) best = { count: hi - lo + 1, lo };
  }
  const w = t.slice(best.lo, best.lo + best.count);
  return {
    count: best.count,
    offsetMs: (w[0] ?? 0) - (t[0] ?? 0),
    gapsMs: w.slice(1).map((x, i) => x - (w[i] as number)),
  };
}

/** Chats that got more than one message, with their counts. */
export function duplicates(chatIds: readonly number[]): Array<[number, number]> {
  const n = new Map<number, number>();
  for (const c of chatIds) n.set(c, (n.get(c) ?? 0) + 1);
  return [...n].filter(([, k]) => k > 1);
}

/**
 * Records when this process's event loop stood still for more than `thresholdMs` (a stand-in
 * living here reads its sockets only when the loop runs: requests that arrived during a stall
 * are stamped together when it ends). `stop()` returns the stalls as [from, to] ms.
 */
export function watchLoopStalls(thresholdMs = 100): { stop(): Array<[number, number]> } {
  const stalls: Array<[number, number]> = [];
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - last > thresholdMs) stalls.push([last, now]);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return stalls;
    },
  };
}
