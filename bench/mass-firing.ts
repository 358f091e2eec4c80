/**
 * Issue 14 item 2: a mass firing. N subscriptions each have the default `retarget` rule, plus one
 * broadcast channel (alerting/broadcast.ts); a retarget block fires every one of them. Prints JSON
 * lines, for the wired fan-out path (evaluator → one stored notice per platform → chunk jobs):
 * - evaluation + fan-out setup for the block (evaluateBlock with the production sink);
 * - when the broadcast channel's post was enqueued, and when the first chunk's first platform
 *   request would go out (the first chunk job run right after the evaluation, no-op sends),
 *   both measured from the block's evaluation start;
 * - Redis growth: INFO used_memory after the evaluation − before, and after the WHOLE walk
 *   (every recipient told with a no-op send, chunks of 1,000) − before;
 * and, with `--baseline` (only up to 100k), the old path's job per subscriber for comparison.
 * `--personal`: every subscription also has the default hash-rate-drop rule and the block shows a
 * 15 % drop, so a personal mass firing (one deliver job each) is evaluated at the same time: the
 * broadcast channel's post must still be enqueued first (issue 14's "all subscribers of the default
 * rules are told within 1 s": the post is a lifo job, the next one a notifier takes).
 * `--defaults`: every subscription has the /start rules, so the retarget block also sweeps every
 * retarget-estimate rule (judged one by one: the retarget walk follows that evaluation, because a
 * closed estimate's score is folded into each subscriber's notice).
 * `--told=PCT` (with `--defaults`): PCT % of the subscriptions' estimates fired and eased in the
 * closing epoch (ok, still carrying what they told): the sweep closes those and folds their lines
 * into the notices; the rest have nothing to close (the sweep's cost follows the told ones).
 * Private redis-server, killed at the end.
 * Usage: npx tsx bench/mass-firing.ts [maxSubs=100000] [--baseline] [--personal] [--defaults] [--told=PCT]
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { alertIndexPlan, alertJudge } from '../src/alerting/engine.ts';
import { BROADCAST_OWNER } from '../src/alerting/broadcast.ts';
import { fanOutStep, type FanOutPorts } from '../src/alerting/fanout.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { evaluateBlock } from '../src/jobs/evaluate-core.ts';
import { queueSink, type EvaluateProcessorDeps } from '../src/jobs/evaluate-processor.ts';
import { deliverQueueName } from '../src/jobs/queues.ts';
import { encodeState } from '../src/store/codec.ts';
import { engineKeys, ruleKey } from '../src/store/keys.ts';
import { RedisBroadcasts } from '../src/store/redis-broadcasts.ts';
import { RedisSubscriptionStore } from '../src/store/redis-subscriptions.ts';
import type { Subscription } from '../src/alerting/types.ts';
import { makeSnapshot, MemorySnapshotReader } from '../test/fakes/memory-snapshots.ts';
import { emit, privateRedis, seed } from './engine-redis.ts';

const max = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= max);
const baseline = process.argv.includes('--baseline');
const personal = process.argv.includes('--personal');
const DROP = { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '14d' } as const;
/** `--defaults`: the /start rules (retarget, hash-rate drop, retarget estimate): the retarget block sweeps every estimate. */
const defaults = process.argv.includes('--defaults');
const ESTIMATE = { kind: 'retarget-estimate', pct: 5, direction: 'both' } as const;
const toldPct = Number(/^--told=([\d.]+)$/.exec(process.argv.find((a) => a.startsWith('--told=')) ?? '')?.[1] ?? 0);
const RETARGET_HEIGHT = 2016 * 466;

/** `--told`: every (100 / toldPct)-th subscription's estimate (rule 3) eased in the closing epoch. */
async function seedTold(redis: Redis, n: number): Promise<number> {
  if (!defaults || !(toldPct > 0)) return 0;
  const every = Math.max(1, Math.round(100 / toldPct));
  const sec = makeSnapshot({ height: RETARGET_HEIGHT - 500 }).timeSec;
  const state = encodeState({
    status: 'ok',
    lastHeight: RETARGET_HEIGHT - 1,
    lastHash: 'f'.repeat(64),
    firingSinceHeight: RETARGET_HEIGHT - 200,
    lastNotifiedSec: sec + 300 * 600,
    sinceSec: null,
    told: { value: -6, low: -8.1, high: -5.2, sec, height: RETARGET_HEIGHT - 500 },
  });
  let told = 0;
  for (let i = 0; i < n; i += 2000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(n, i + 2000); j += 1) {
      if (j % every !== 0) continue;
      const id = `telegram-chat-${100_000_000 + j}`;
      p.hset(keys.states(id), '3', state);
      p.zadd(keys.toldIndex(alertIndexPlan.placement(ESTIMATE).series), 0, ruleKey(id, '3'));
      told++;
    }
    await p.exec();
  }
  return told;
}
const rulesOf = () =>
  defaults
    ? [{ kind: 'retarget' } as const, DROP, ESTIMATE]
    : personal
      ? [{ kind: 'retarget' } as const, DROP]
      : [{ kind: 'retarget' } as const];
const keys = engineKeys('hb-bench:');

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

const { port, stop } = await privateRedis();
const redis = new Redis({ port, maxRetriesPerRequest: null });
try {
  for (const n of SIZES) {
    for (const lazy of baseline && n <= 100_000 ? [false, true] : [true]) {
      await redis.flushall();
      await seed(redis, keys, alertIndexPlan, 0, n, rulesOf);
      const eased = await seedTold(redis, n);
      const store = new RedisSubscriptionStore(redis, { keys, plan: alertIndexPlan });
      const channel: Subscription = {
        id: 'telegram-chat--1009',
        platform: 'telegram',
        targetType: 'chat',
        targetId: '-1009',
        ownerId: BROADCAST_OWNER,
        timeZone: 'UTC',
        quiet: null,
        mutedUntilSec: null,
        active: true,
        createdSec: 0,
      };
      await store.put(channel);
      for (const spec of rulesOf()) await store.addRule(channel.id, spec, 0);
      const deliver = new Queue(deliverQueueName('telegram'), {
        connection: redis as unknown as ConnectionOptions,
        prefix: 'hb-bench',
      });
      await deliver.waitUntilReady();
      const retarget = makeSnapshot({ height: RETARGET_HEIGHT, dropPct: personal ? 15 : 0, retarget: true });
      const deps: EvaluateProcessorDeps = {
        redis,
        keys,
        plan: alertIndexPlan,
        judge: alertJudge,
        snapshots: new MemorySnapshotReader(),
        deliverQueues: { telegram: deliver },
        nowSec: () => retarget.timeSec,
        log: silentLogger(),
        ...(lazy ? { fanOutMin: 1000 } : {}),
      };
      const sink = queueSink(deps);
      let channelAt = Number.NaN;
      const timed = {
        ...sink,
        deliver: async (ms: Parameters<typeof sink.deliver>[0]) => {
          await sink.deliver(ms);
          if (Number.isNaN(channelAt) && ms.some((m) => m.subscriptionId === channel.id))
            channelAt = performance.now() - t0;
        },
      };
      const before = await usedMemory(redis);
      const ports: FanOutPorts = {
        store: new RedisBroadcasts(redis, keys),
        judge: alertJudge,
        subscriptions: (ids) => Promise.all(ids.map((id) => store.get(id))),
        hold: async () => undefined,
        nowSec: () => retarget.timeSec,
      };
      const at = { series: 'retarget', height: retarget.height, hash: retarget.hash, platform: 'telegram' };
      let first = Number.NaN;
      let told = 0;
      const t0 = performance.now();
      // The first chunk's job as a notifier runs it: tried until the notice is stored and the
      // evaluation has reached its recipients (the job waits 250 ms; here 20 ms), concurrently.
      const firstChunk = (async () => {
        for (;;) {
          const r = await fanOutStep(ports, at, 0, 30, async () => {
            if (Number.isNaN(first)) first = performance.now() - t0;
            told++;
          });
          if (!lazy || (r.status !== 'wait' && r.status !== 'none')) return r;
          await new Promise((res) => setTimeout(res, 20));
        }
      })();
      const stats = await evaluateBlock(deps, retarget, retarget.timeSec, timed);
      const ms = performance.now() - t0;
      const grew = (await usedMemory(redis)) - before;
      const jobs = await deliver.getWaitingCount();
      const path = lazy ? 'fan-out (one stored notice, chunk jobs)' : 'job per subscriber (fan-out off)';
      emit('mass-firing', 'evaluation-and-fan-out-setup', ms, 'ms', {
        subscriptions: n,
        path,
        messages: stats.messages,
        fannedOut: stats.fannedOut,
        deliverJobs: jobs,
        evaluated: stats.evaluated,
        easedEstimates: eased,
      });
      const lifo = await deliver.getWaiting(0, 0);
      emit('mass-firing', 'broadcast-channel-enqueued', channelAt, 'ms after the evaluation started', {
        subscriptions: n,
        path,
        personalMassFiring: personal,
        defaultRules: defaults,
        nextJobTaken: lifo[0]?.data?.subscriptionId ?? lifo[0]?.name,
      });
      emit('mass-firing', 'redis-memory-growth-evaluation', grew / 1e6, 'MB', { subscriptions: n, path });
      if (lazy) {
        let chunk: number | null = (await firstChunk).next;
        let peak = 0;
        const t1 = performance.now();
        while (chunk !== null) {
          const r = await fanOutStep(ports, at, chunk, 1000, async () => {
            told++;
          });
          if (r.status !== 'ok') break;
          chunk = r.next;
          if (chunk !== null && chunk % 100 === 0) peak = Math.max(peak, (await usedMemory(redis)) - before);
        }
        const walkMs = performance.now() - t1;
        const after = (await usedMemory(redis)) - before;
        emit('mass-firing', 'first-platform-request', first, 'ms after the evaluation started', {
          subscriptions: n,
          how: 'the first chunk job (30 recipients), retried every 20 ms during the evaluation; no-op send',
        });
        emit('mass-firing', 'fan-out-walk', walkMs, 'ms', {
          subscriptions: n,
          told,
          how: 'every chunk (1,000) with a no-op send; in production the platform limiter paces it',
        });
        emit('mass-firing', 'redis-memory-growth-whole-firing', Math.max(peak, after) / 1e6, 'MB', {
          subscriptions: n,
          afterWalkMB: after / 1e6,
          peakSampledMB: peak / 1e6,
          how: 'INFO used_memory − before the block: evaluation, stored notice, cursor, chunk sets, jobs',
        });
      }
      await deliver.obliterate({ force: true });
      await deliver.close();
    }
  }
} finally {
  redis.disconnect();
  stop();
}
