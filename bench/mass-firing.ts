/**
 * Issue 14 item 2, the baseline: a mass firing through today's path (one deliver job per
 * subscriber). N subscriptions each have the default `retarget` rule; a retarget block fires
 * every one of them. Prints JSON lines: evaluation + enqueue time for that block and the Redis
 * memory it added (INFO used_memory after − before, deliver jobs included); then the lazy
 * fan-out core (src/alerting/fanout.ts) on the same index: setup (the broadcast stored once),
 * the whole walk with a no-op send (chunks of 1,000) and its Redis growth, which is the
 * notification log's one key per recipient. Private
 * redis-server, killed at the end. Usage: npx tsx bench/mass-firing.ts [maxSubs=100000]
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { alertIndexPlan, alertJudge } from '../src/alerting/engine.ts';
import { fanOutStep } from '../src/alerting/fanout.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { evaluateBlock } from '../src/jobs/evaluate-core.ts';
import { queueSink, type EvaluateProcessorDeps } from '../src/jobs/evaluate-processor.ts';
import { deliverQueueName } from '../src/jobs/queues.ts';
import { engineKeys } from '../src/store/keys.ts';
import { RedisBroadcasts } from '../src/store/redis-broadcasts.ts';
import { RedisNotificationLog } from '../src/store/redis-notification-log.ts';
import { makeSnapshot, MemorySnapshotReader } from '../test/fakes/memory-snapshots.ts';
import { emit, privateRedis, seed } from './engine-redis.ts';

const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= Number(process.argv[2] ?? 100_000));
const keys = engineKeys('hb-bench:');

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

/** The lazy fan-out core over the seeded retarget index. */
async function lazy(n: number, hash: string): Promise<void> {
  let cursor = '0';
  let series: string | undefined;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.prefix}ix:*:e`, 'COUNT', 10_000);
    cursor = next;
    series ??= found[0]?.slice(`${keys.prefix}ix:`.length, -':e'.length);
  } while (cursor !== '0' && series === undefined);
  if (series === undefined) throw new Error('no event index seeded');
  const store = new RedisBroadcasts(redis, keys);
  const log = new RedisNotificationLog(redis, keys);
  const before = await usedMemory(redis);
  const t0 = performance.now();
  await store.put(series, hash, JSON.stringify({ kind: 'retarget', text: 'x'.repeat(600) }));
  const setupMs = performance.now() - t0;
  const setupGrew = (await usedMemory(redis)) - before;
  let told = 0;
  const t1 = performance.now();
  for (;;) {
    const r = await fanOutStep(store, log, { series, blockHash: hash, count: 1000 }, async () => {
      told++;
    });
    if (r === null || r.done) break;
  }
  const walkMs = performance.now() - t1;
  const grew = (await usedMemory(redis)) - before;
  emit('mass-firing', 'lazy-fan-out-setup', setupMs, 'ms', { subscriptions: n, setupBytes: setupGrew });
  emit('mass-firing', 'lazy-fan-out-walk', walkMs, 'ms', {
    subscriptions: n,
    told,
    how: 'every chunk of 1,000 with a no-op send (the limiter paces it in production)',
  });
  emit('mass-firing', 'lazy-redis-memory-growth', grew / 1e6, 'MB', {
    subscriptions: n,
    perRecipientBytes: Math.round(grew / Math.max(1, told)),
    how: 'INFO used_memory after the whole walk - before (the notification log keys)',
  });
}

const { port, stop } = await privateRedis();
const redis = new Redis({ port, maxRetriesPerRequest: null });
try {
  for (const n of SIZES) {
    await redis.flushall();
    await seed(redis, keys, alertIndexPlan, 0, n, () => [{ kind: 'retarget' }]);
    const deliver = new Queue(deliverQueueName('telegram'), {
      connection: redis as unknown as ConnectionOptions,
      prefix: 'hb-bench',
    });
    const retarget = makeSnapshot({ height: 2016 * 466, dropPct: 0, retarget: true });
    const deps: EvaluateProcessorDeps = {
      redis,
      keys,
      plan: alertIndexPlan,
      judge: alertJudge,
      snapshots: new MemorySnapshotReader(),
      deliverQueues: { telegram: deliver },
      nowSec: () => retarget.timeSec,
      log: silentLogger(),
    };
    await deliver.waitUntilReady();
    const before = await usedMemory(redis);
    const t0 = performance.now();
    const stats = await evaluateBlock(deps, retarget, retarget.timeSec, queueSink(deps));
    const ms = performance.now() - t0;
    const grew = (await usedMemory(redis)) - before;
    const jobs = await deliver.getWaitingCount();
    emit('mass-firing', 'evaluation-and-enqueue', ms, 'ms', {
      subscriptions: n,
      messages: stats.messages,
      deliverJobs: jobs,
      path: 'job per subscriber (before lazy fan-out)',
    });
    emit('mass-firing', 'redis-memory-growth', grew / 1e6, 'MB', {
      subscriptions: n,
      perMessageBytes: Math.round(grew / Math.max(1, stats.messages)),
      how: 'INFO used_memory after - before the block',
    });
    await deliver.obliterate({ force: true });
    await deliver.close();
    await lazy(n, retarget.hash);
  }
} finally {
  redis.disconnect();
  stop();
}
