/**
 * BullMQ glue for evaluation: validates the job, loads the block's snapshot from chain state,
 * runs evaluateBlock and turns its outcome into deliver jobs (deterministic ids, one queue per
 * platform) and held events + delayed digest jobs. The slow-blocks tick reuses the same path
 * with only the time-based series.
 */
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import type { Platform } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { IndexPlan } from '../store/index-plan.ts';
import type { SnapshotReader } from './engine-ports.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import { evaluateBlock, type EvaluateDeps, type EvaluateSink, type EvaluateStats } from './evaluate-core.ts';
import {
  DIGEST_JOB_NAME,
  EvaluateJobSchema,
  TICK_JOB_NAME,
  deliverJobId,
  digestJobId,
  type DeliverJob,
} from './queues.ts';

/** Days a deliver job's result is kept for inspection; the notification log is the real dedupe. */
const KEEP_FAILED_SEC = 7 * 86_400;

export const DELIVER_JOB_OPTS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { age: KEEP_FAILED_SEC },
} as const;

export interface EvaluateProcessorDeps extends EvaluateDeps {
  readonly snapshots: SnapshotReader;
  /** Deliver queue per platform (a missing platform's messages are logged and dropped). */
  readonly deliverQueues: Partial<Record<Platform, Queue>>;
  readonly nowSec: () => number;
  readonly log: Logger;
  readonly metrics?: EngineMetrics;
}

function platformOf(subscriptionId: string): Platform | null {
  const p = subscriptionId.slice(0, subscriptionId.indexOf('-'));
  return p === 'telegram' || p === 'discord' || p === 'console' ? p : null;
}

/** The sink that writes a batch's outcome to BullMQ and the held lists. */
export function queueSink(deps: EvaluateProcessorDeps): EvaluateSink {
  const queueFor = (subId: string): Queue | undefined => {
    const p = platformOf(subId);
    return p === null ? undefined : deps.deliverQueues[p];
  };
  return {
    async deliver(jobs) {
      const byQueue = new Map<Queue, DeliverJob[]>();
      for (const j of jobs) {
        const q = queueFor(j.subscriptionId);
        if (!q) {
          deps.log.warn({ subscriptionId: j.subscriptionId }, 'no deliver queue for this platform; message dropped');
          continue;
        }
        byQueue.set(q, [...(byQueue.get(q) ?? []), j]);
      }
      for (const [q, list] of byQueue) {
        await q.addBulk(
          list.map((data) => ({
            name: 'deliver',
            data,
            opts: { ...DELIVER_JOB_OPTS, jobId: deliverJobId(data.subscriptionId, data.hash, data.digest) },
          })),
        );
      }
    },
    async hold(held) {
      const tx = deps.redis.multi();
      for (const h of held) tx.rpush(deps.keys.held(h.subscriptionId), ...h.events.map((e) => JSON.stringify(e)));
      await tx.exec();
      const now = deps.nowSec();
      for (const h of held) {
        const q = queueFor(h.subscriptionId);
        await q?.add(
          DIGEST_JOB_NAME,
          { subscriptionId: h.subscriptionId, releaseAtSec: h.releaseAtSec },
          {
            ...DELIVER_JOB_OPTS,
            jobId: digestJobId(h.subscriptionId, h.releaseAtSec),
            delay: Math.max(0, h.releaseAtSec - now) * 1000,
          },
        );
      }
    },
  };
}

function logStats(log: Logger, snapshot: Snapshot, stats: EvaluateStats, ms: number): void {
  const level = stats.changed > 0 || stats.messages > 0 ? 'info' : 'debug';
  log[level]({ height: snapshot.height, hash: snapshot.hash, ...stats, ms }, 'block evaluated');
}

/**
 * The processor for QUEUE_NAMES.evaluate (block jobs and the slow-blocks tick). Poison payloads
 * fail for good; a missing snapshot retries.
 */
export function evaluateProcessor(deps: EvaluateProcessorDeps): (job: Job) => Promise<EvaluateStats | null> {
  const sink = queueSink(deps);
  const tick = tickProcessor(deps);
  return async (job) => {
    if (job.name === TICK_JOB_NAME) {
      const t0 = performance.now();
      const stats = await tick();
      deps.metrics?.evaluateSeconds.observe({ job: 'tick' }, (performance.now() - t0) / 1000);
      if (stats) deps.metrics?.rulesChanged.inc(stats.changed);
      return stats;
    }
    const parsed = EvaluateJobSchema.safeParse(job.data);
    if (!parsed.success) {
      deps.log.error({ jobId: job.id, issue: parsed.error.issues[0]?.message }, 'poison evaluate job');
      throw new UnrecoverableError(`poison evaluate job: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
    }
    const { height, hash } = parsed.data;
    const snapshot = await deps.snapshots.byBlock(height, hash);
    if (snapshot === null) throw new Error(`snapshot ${height} ${hash} not in chain state (yet)`);
    const t0 = performance.now();
    const stats = await evaluateBlock(deps, snapshot, deps.nowSec(), sink);
    const ms = performance.now() - t0;
    deps.metrics?.evaluateSeconds.observe({ job: 'block' }, ms / 1000);
    deps.metrics?.rulesChanged.inc(stats.changed);
    logStats(deps.log.child({ jobId: job.id }), snapshot, stats, Math.round(ms));
    return stats;
  };
}

/** Plan restricted to the time-based series, re-judging the tip block (slow-blocks). */
export function tickPlan(plan: IndexPlan, series: readonly string[] = ['sb']): IndexPlan {
  return {
    placement: plan.placement,
    observe(snapshot, nowSec) {
      const all = plan.observe(snapshot, nowSec);
      return { levels: new Map([...all.levels].filter(([s]) => series.includes(s))), events: [] };
    },
  };
}

/**
 * The slow-blocks tick: evaluates only time-based rules against the latest snapshot. Its
 * messages carry `slow-<hash>` so they never collide with the block's own message.
 */
export function tickProcessor(deps: EvaluateProcessorDeps): () => Promise<EvaluateStats | null> {
  // The judge treats the same tip judged again later as a tick for time-based kinds.
  const tickDeps: EvaluateProcessorDeps = { ...deps, plan: tickPlan(deps.plan) };
  const inner = queueSink(deps);
  const sink: EvaluateSink = {
    deliver: (jobs) => inner.deliver(jobs.map((j) => ({ ...j, hash: `slow-${j.hash}` }))),
    hold: (held) => inner.hold(held),
  };
  return async () => {
    const snapshot = await deps.snapshots.latest();
    if (snapshot === null) return null;
    return evaluateBlock(tickDeps, snapshot, deps.nowSec(), sink);
  };
}
