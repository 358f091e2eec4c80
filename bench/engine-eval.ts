/**
 * Evaluation cost per block at 10k, 100k and 1M subscriptions (3 default rules each) where 1,000
 * rules change state, with the production index model and judge; Redis memory per rule; block →
 * deliver-job latency at 10k subscribers through the real evaluate worker. Runs on a private
 * redis-server (killed at the end). Prints JSON lines. Usage: npx tsx bench/engine-eval.ts [maxSubs]
 */
import { loadConfig } from '../config/index.ts';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { alertIndexPlan, alertJudge } from '../src/alerting/engine.ts';
import type { RuleSpec } from '../src/alerting/types.ts';
import { createApp } from '../src/app/create-app.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { evaluateBlock } from '../src/jobs/evaluate-core.ts';
import { queueSink, type EvaluateProcessorDeps } from '../src/jobs/evaluate-processor.ts';
import { deliverQueueName, evaluateJobId } from '../src/jobs/queues.ts';
import { engineKeys } from '../src/store/keys.ts';
import { makeSnapshot, MemorySnapshotReader } from '../test/fakes/memory-snapshots.ts';
import { emit, privateRedis, seed } from './engine-redis.ts';

const CHANGING = 1000;
const WEEK = 7 * 86_400;
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= Number(process.argv[2] ?? 1_000_000));
const plan = alertIndexPlan;
const keys = engineKeys('hb-bench:');
// drop 19 % in the fake snapshot alarms the drop detector's cells 3…19 % (every lookback)
const FIRE = makeSnapshot({ height: 10_000, dropPct: 19 });
const CROSS = 19;

/** 1,000 subscriptions get a drop threshold below the block's value (they fire), the rest above. */
function rulesOf(i: number, n: number): RuleSpec[] {
  const step = Math.floor(n / CHANGING);
  const changes = i % step === 0 && i / step < CHANGING;
  const pct = changes ? 10 + (i % 7) : Math.min(90, CROSS + 1 + (i % 50));
  return [
    { kind: 'retarget' },
    { kind: 'hashrate-drop', pct: Math.round(pct * 10) / 10, window: '3d', lookback: '30d' },
    { kind: 'retarget-estimate', pct: 5 + (i % 20), direction: 'both' },
  ];
}

function pct(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Sum of MEMORY USAGE over the engine keys, and the part of it in freshness lists (`qr:`). */
async function engineMemory(redis: Redis): Promise<{ bytes: number; freshness: number; pending: number }> {
  let cursor = '0';
  let bytes = 0;
  let freshness = 0;
  const qr = keys.queuedRules('');
  const lists: string[] = [];
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.prefix}*`, 'COUNT', 5000);
    cursor = next;
    const p = redis.pipeline();
    for (const k of found) p.memory('USAGE', k, 'SAMPLES', '0');
    for (const [i, [, v]] of ((await p.exec()) ?? []).entries()) {
      bytes += Number(v ?? 0);
      if (found[i]?.startsWith(qr)) {
        freshness += Number(v ?? 0);
        lists.push(found[i] as string);
      }
    }
  } while (cursor !== '0');
  let pending = 0;
  for (const k of lists) for (const v of await redis.hvals(k)) pending += v.split(',').length;
  return { bytes, freshness, pending };
}

async function dropKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}

/** CPU seconds Redis has used (user + system), from INFO cpu. */
async function redisCpuSec(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const f = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return f('used_cpu_user') + f('used_cpu_sys');
}

/**
 * Median wall time per block, and median CPU time per block (this process + Redis): on a loaded
 * machine the wall time mostly measures the wait for a core, the CPU time what the block costs.
 */
async function evalPerBlock(redis: Redis, n: number): Promise<{ ms: number; cpuMs: number }> {
  const deliver = new Queue(deliverQueueName('telegram'), {
    connection: redis as unknown as ConnectionOptions,
    prefix: 'hb-bench',
  });
  const deps: EvaluateProcessorDeps = {
    redis,
    keys,
    plan,
    judge: alertJudge,
    snapshots: new MemorySnapshotReader(),
    deliverQueues: { telegram: deliver },
    nowSec: () => FIRE.timeSec,
    log: silentLogger(),
  };
  const sink = queueSink(deps);
  const times: number[] = [];
  const cpu: number[] = [];
  // block -1/0 warm the JIT and connections; blocks 1…6 are measured
  for (let b = -2; b < 6; b++) {
    const fire = (b + 2) % 2 === 0;
    // a week between blocks keeps re-firing clear of the lifecycle's cooldown
    const s = makeSnapshot({ height: 10_010 + b, timeSec: FIRE.timeSec + (b + 2) * WEEK, dropPct: fire ? CROSS : 0 });
    // The bench drops its deliver jobs instead of sending them; sending would free their freshness
    // entries, so they are freed here (untimed) and the lists hold only the block being measured.
    await dropKeys(redis, keys.queuedRules('*'));
    const [c0, r0] = [process.cpuUsage(), await redisCpuSec(redis)];
    const t0 = performance.now();
    const stats = await evaluateBlock(deps, s, s.timeSec, sink);
    if (b >= 0) times.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    if (b >= 0) cpu.push((c1.user + c1.system) / 1000 + ((await redisCpuSec(redis)) - r0) * 1000);
    if (stats.changed !== CHANGING)
      throw new Error(`expected ${CHANGING} changes at ${n}, got ${stats.changed} (${JSON.stringify(stats)})`);
    await deliver.obliterate({ force: true });
  }
  await deliver.close();
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { ms: pct(times, 0.5), cpuMs: pct(cpu, 0.5) };
}

async function latencyAt10k(port: number): Promise<{ p50: number; p99: number }> {
  const redis = new Redis({ port, maxRetriesPerRequest: null });
  const snapshots = new MemorySnapshotReader();
  let clock = FIRE.timeSec;
  const app = await createApp(loadConfig({ ROLES: 'evaluator', LOG_LEVEL: 'silent' }), {
    redis,
    keyPrefix: keys.prefix,
    queuePrefix: 'hb-bench',
    logger: silentLogger(),
    snapshots,
    notifiers: { telegram: { platform: 'telegram', send: async () => {} } },
    tickEveryMs: 0,
    nowSec: () => clock,
  });
  const deliver = app.deliverQueues.telegram as Queue;
  const lat: number[] = [];
  for (let b = 0; b < 10; b++) {
    const s = makeSnapshot({ height: 20_000 + b, timeSec: FIRE.timeSec + b * WEEK, dropPct: b % 2 === 0 ? CROSS : 0 });
    snapshots.put(s);
    clock = s.timeSec;
    const t0 = Date.now();
    await app.evaluateQueue.add(
      'evaluate',
      { height: s.height, hash: s.hash, correction: false },
      { jobId: evaluateJobId(s.hash), removeOnComplete: true },
    );
    while ((await deliver.getWaitingCount()) < CHANGING) await new Promise((r) => setTimeout(r, 5));
    for (const j of await deliver.getWaiting(0, CHANGING)) lat.push(j.timestamp - t0);
    await deliver.obliterate({ force: true });
  }
  await app.shutdown(5000);
  redis.disconnect();
  lat.sort((a, b) => a - b);
  return { p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

const { port, stop } = await privateRedis();
const redis = new Redis({ port, maxRetriesPerRequest: null });
try {
  const perBlock = new Map<number, number>();
  let seeded = 0;
  for (const n of SIZES) {
    await redis.flushall();
    seeded = 0;
    const t0 = performance.now();
    await seed(redis, keys, plan, seeded, n, (i) => rulesOf(i, n));
    emit('engine-eval', 'seed-time', (performance.now() - t0) / 1000, 's', { subscriptions: n });
    const { ms, cpuMs } = await evalPerBlock(redis, n);
    perBlock.set(n, ms);
    emit('engine-eval', 'time-per-block', ms, 'ms', { subscriptions: n, rules: 3 * n, changing: CHANGING });
    emit('engine-eval', 'cpu-per-block', cpuMs, 'ms', {
      subscriptions: n,
      changing: CHANGING,
      how: 'median over the measured blocks of this process + Redis CPU time (user + system)',
    });
    const mem = await engineMemory(redis);
    emit('engine-eval', 'memory-usage-per-rule', mem.bytes / (3 * n), 'bytes', {
      subscriptions: n,
      how: 'sum of MEMORY USAGE over engine keys / rules',
    });
    // The freshness lists hold the last block's 1,000 messages, still queued (sent, they go).
    emit('engine-eval', 'freshness-memory-per-rule', mem.freshness / (3 * n), 'bytes', {
      subscriptions: n,
      pendingMessages: mem.pending,
      perPendingMessage: Math.round(mem.freshness / Math.max(1, mem.pending)),
      how: "part of memory-usage-per-rule in qr: lists of the last block's queued messages (0 once delivered)",
    });
    const info = await redis.info('memory');
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    emit('engine-eval', 'used-memory-per-rule', used / (3 * n), 'bytes', {
      subscriptions: n,
      how: 'INFO used_memory / rules (whole server)',
    });
  }
  const small = perBlock.get(10_000);
  const big = perBlock.get(SIZES.at(-1) ?? 0);
  if (small && big) emit('engine-eval', `ratio-t(${SIZES.at(-1)})/t(10000)`, big / small, 'x');
  await redis.flushall();
  await seed(redis, keys, plan, 0, 10_000, (i) => rulesOf(i, 10_000));
  const { p50, p99 } = await latencyAt10k(port);
  emit('engine-eval', 'block-to-deliver-job-p50', p50, 'ms', { subscriptions: 10_000, changing: CHANGING });
  emit('engine-eval', 'block-to-deliver-job-p99', p99, 'ms', { subscriptions: 10_000, changing: CHANGING });
} finally {
  redis.disconnect();
  stop();
}
