/**
 * The operator's view of the flow from block to message, for every process whatever its roles:
 * latency histograms read from BullMQ's own job timestamps (so the processors need no timing
 * code), the chain tip's height and age, and the count of subscriptions and indexed rules. All on
 * an injected registry; values that need Redis are read at scrape time and left out when Redis
 * does not answer (/readyz says why).
 */
import type { Job, Worker } from 'bullmq';
import { scanTargets, type RedisClient } from '../store/connection.ts';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { RedisChainState } from '../store/chain-state.ts';
import { DELIVER_JOB_NAME, TICK_JOB_NAME } from '../jobs/queues.ts';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface FlowMetrics {
  /** Evaluate job queued by the watcher (the block seen) → its evaluation finished. */
  readonly blockToEvaluate: Histogram;
  /** Deliver job queued by the evaluator → a notifier picked it up (queue wait, pacing, retries). */
  readonly evaluateToDeliver: Histogram<'platform'>;
  /** A notifier picked the job up → the platform accepted the message. */
  readonly deliverToPlatform: Histogram<'platform'>;
}

export function createFlowMetrics(registry: Registry): FlowMetrics {
  const registers = [registry];
  return {
    blockToEvaluate: new Histogram({
      name: 'hashbell_block_to_evaluate_seconds',
      help: 'Block queued for evaluation until its evaluation finished',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    evaluateToDeliver: new Histogram({
      name: 'hashbell_evaluate_to_deliver_seconds',
      help: 'Message queued by the evaluator until a notifier took it',
      labelNames: ['platform'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    deliverToPlatform: new Histogram({
      name: 'hashbell_deliver_to_platform_seconds',
      help: 'Notifier took the message until the platform accepted it',
      labelNames: ['platform'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}

const seconds = (ms: number): number => Math.max(0, ms) / 1000;

/** Observes each completed evaluate job of `worker` (blocks only, not the slow-blocks tick). */
export function observeEvaluations(worker: Worker, m: FlowMetrics): void {
  worker.on('completed', (job: Job) => {
    if (job.name === TICK_JOB_NAME || job.finishedOn === undefined) return;
    m.blockToEvaluate.observe(seconds(job.finishedOn - job.timestamp));
  });
}

/** Observes each completed deliver job of `worker` (digests and snooze releases wait on purpose: left out). */
export function observeDeliveries(worker: Worker, platform: string, m: FlowMetrics): void {
  worker.on('completed', (job: Job) => {
    if (job.name !== DELIVER_JOB_NAME || job.processedOn === undefined || job.finishedOn === undefined) return;
    m.evaluateToDeliver.observe({ platform }, seconds(job.processedOn - job.timestamp - (job.opts.delay ?? 0)));
    m.deliverToPlatform.observe({ platform }, seconds(job.finishedOn - job.processedOn));
  });
}

/** hashbell_last_block_height and hashbell_last_block_age_seconds, from chain state at scrape. */
export function registerChainGauges(
  registry: Registry,
  redis: RedisClient,
  keyPrefix: string,
  nowMs: () => number = Date.now,
): void {
  const chain = new RedisChainState(redis, { prefix: keyPrefix, keepBlocks: 0 });
  let tip: { height: number; time: number } | null = null;
  const readTip = async (): Promise<void> => {
    const cursor = await chain.getCursor();
    if (cursor === null) {
      tip = null;
      return;
    }
    const [stored] = await chain.getBlocks(cursor.height, cursor.height);
    tip = stored === undefined ? null : { height: cursor.height, time: stored.block.timestamp };
  };
  new Gauge({
    name: 'hashbell_last_block_height',
    help: 'Height of the newest block in chain state',
    registers: [registry],
    async collect() {
      this.reset();
      await readTip().catch(() => {
        tip = null;
      });
      if (tip !== null) this.set(tip.height);
    },
  });
  new Gauge({
    name: 'hashbell_last_block_age_seconds',
    help: 'Now minus the header time of the newest block in chain state',
    registers: [registry],
    collect() {
      this.reset();
      if (tip !== null) this.set(Math.max(0, nowMs() / 1000 - tip.time));
    },
  });
}

/**
 * hashbell_subscriptions and hashbell_rules (rules in the evaluator's indexes), counted with one
 * SCAN at most every `refreshMs` (default 5 min): counting is a walk over the keyspace, too dear
 * for every scrape with a million subscriptions.
 */
export function registerStoreGauges(
  registry: Registry,
  redis: RedisClient,
  keyPrefix: string,
  refreshMs = 300_000,
): void {
  let counts: { subs: number; rules: number } | null = null;
  let at = -Infinity;
  let running: Promise<void> | null = null;
  const refresh = async (): Promise<void> => {
    let subs = 0;
    const indexes: string[] = [];
    // On a cluster every master is walked (the engine's slot lives on one of them).
    for (const node of scanTargets(redis)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const k of keys) {
          const rest = k.slice(keyPrefix.length);
          if (rest.startsWith('s:')) subs += 1;
          else if (rest.startsWith('ix:')) indexes.push(k);
        }
      } while (cursor !== '0');
    }
    const tx = redis.pipeline();
    for (const k of indexes) {
      if (k.endsWith(':e')) tx.scard(k);
      else tx.zcard(k);
    }
    const res = (await tx.exec()) ?? [];
    const rules = res.reduce((sum, [err, n]) => sum + (err === null && typeof n === 'number' ? n : 0), 0);
    counts = { subs, rules };
    at = Date.now();
  };
  const ensure = async (): Promise<void> => {
    if (Date.now() - at < refreshMs) return;
    running ??= refresh()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
    await running;
  };
  new Gauge({
    name: 'hashbell_subscriptions',
    help: 'Subscriptions stored (refreshed every few minutes)',
    registers: [registry],
    async collect() {
      await ensure();
      this.reset();
      if (counts !== null) this.set(counts.subs);
    },
  });
  new Gauge({
    name: 'hashbell_rules',
    help: 'Rules in the evaluator indexes (refreshed every few minutes)',
    registers: [registry],
    async collect() {
      await ensure();
      this.reset();
      if (counts !== null) this.set(counts.rules);
    },
  });
}
