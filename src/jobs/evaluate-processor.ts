/**
 * BullMQ glue for evaluation: validates the job, loads the block's snapshot from chain state,
 * runs the evaluation (alerting's pipeline over the Redis rule store) and enqueues its outcome:
 * deliver jobs (deterministic ids, one queue per platform), held events with their delayed
 * digest or snooze-release jobs. The slow-blocks tick reuses the same path with only the
 * time-based series. Every rule's named decision is counted (hashbell_rule_decisions_total) and
 * the notable ones are logged at debug.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import type { Decision } from '../alerting/lifecycle.ts';
import type { BroadcastStore, FreshnessStore, HeldEventStore, SnapshotReader } from '../alerting/ports.ts';
import type { Rule } from '../alerting/types.ts';
import { holdBatches } from '../alerting/evaluate-block.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { IndexPlan } from '../store/index-plan.ts';
import { RedisBroadcasts } from '../store/redis-broadcasts.ts';
import { RedisFreshness } from '../store/redis-freshness.ts';
import { RedisHeldEvents } from '../store/redis-held-events.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import { evaluateBlock, type EvaluateDeps, type EvaluateSink, type EvaluateStats } from './evaluate-core.ts';
import {
  EvaluateJobSchema,
  TICK_JOB_NAME,
  enqueueFanOut,
  enqueueMessages,
  enqueueRelease,
  platformOf,
  type DeliverQueues,
} from './queues.ts';

/** Re-exported: every job option lives in ./queues.ts. */
export { DELIVER_JOB_OPTS } from './queues.ts';

export interface EvaluateProcessorDeps extends EvaluateDeps {
  readonly snapshots: SnapshotReader;
  /** Deliver queue per platform (a missing platform's messages are logged and dropped). */
  readonly deliverQueues: DeliverQueues;
  readonly nowSec: () => number;
  readonly log: Logger;
  readonly metrics?: EngineMetrics;
  /** Where held events wait (default: Redis lists under `keys`). */
  readonly held?: HeldEventStore;
  /** Each rule's newest queued block, recorded before its message is queued (default: Redis under `keys`). */
  readonly freshness?: FreshnessStore;
  /** Where fanned-out notices are stored once (default: Redis under `keys`). */
  readonly broadcasts?: BroadcastStore;
}

/** Decisions worth a debug line per rule (the routine ones are only counted). */
const NOTABLE: ReadonlySet<Decision> = new Set<Decision>([
  'fired',
  'resolved',
  'notice',
  'rearmed',
  'cooldown',
  'reorg-held',
  'reorg-replaced',
  'reminded',
  'escalated',
  'epoch-closed',
]);

/** The sink that writes a batch's outcome to BullMQ and the held lists. */
export function queueSink(deps: EvaluateProcessorDeps): EvaluateSink {
  const held = deps.held ?? new RedisHeldEvents(deps.redis, deps.keys);
  const freshness = deps.freshness ?? new RedisFreshness(deps.redis, deps.keys);
  const broadcasts = deps.broadcasts ?? new RedisBroadcasts(deps.redis, deps.keys);
  return {
    async deliver(messages) {
      // Before the jobs exist: an older queued message of the same rule is superseded from now on.
      await freshness.queued(messages);
      const orphans = await enqueueMessages(deps.deliverQueues, messages);
      for (const m of orphans)
        deps.log.warn({ subscriptionId: m.subscriptionId }, 'no deliver queue for this platform; message dropped');
    },
    async broadcast(at, notice) {
      // One walk per platform with a deliver queue, each over that platform's subscribers.
      const payload = JSON.stringify(notice);
      for (const [platform, q] of Object.entries(deps.deliverQueues)) {
        if (q === undefined) continue;
        const { chunk } = await broadcasts.put({ ...at, platform }, payload);
        await enqueueFanOut(q, { series: at.series, height: at.height, hash: at.hash, chunk });
      }
    },
    async progress(at, upTo, extras) {
      // A batch is one platform's (evaluate-block.ts walkOrder): it moves that platform's walk on.
      for (const platform of Object.keys(deps.deliverQueues)) {
        if (upTo !== null && platformOf(upTo) !== platform) continue;
        const mine = extras.filter((x) => platformOf(x.subscriptionId) === platform);
        await broadcasts.progress({ ...at, platform }, upTo, mine);
      }
    },
    async hold(batches) {
      const now = deps.nowSec();
      await holdBatches(held, batches, async (h) => {
        const p = platformOf(h.subscriptionId);
        const q = p === null ? undefined : deps.deliverQueues[p];
        if (q) await enqueueRelease(q, h.list, h.subscriptionId, h.releaseAtSec, now);
      });
    },
  };
}

function logStats(log: Logger, snapshot: Snapshot, stats: EvaluateStats, ms: number): void {
  const level = stats.changed > 0 || stats.messages > 0 ? 'info' : 'debug';
  log[level]({ height: snapshot.height, hash: snapshot.hash, ...stats, ms }, 'block evaluated');
}

/** Counts a block's decisions in the metric. */
function countDecisions(deps: EvaluateProcessorDeps, stats: EvaluateStats | null): void {
  if (stats === null || deps.metrics === undefined) return;
  for (const [reason, n] of Object.entries(stats.decisions)) deps.metrics.ruleDecisions.inc({ reason }, n);
}

/** Deps whose onDecision logs the notable decisions of one job at debug. */
function withDecisionLog(deps: EvaluateProcessorDeps, log: Logger, height: () => number): EvaluateProcessorDeps {
  if (!log.isLevelEnabled('debug')) return deps;
  return {
    ...deps,
    onDecision: (rule: Rule, decision: Decision) => {
      if (NOTABLE.has(decision))
        log.debug(
          { subscriptionId: rule.subscriptionId, rule: rule.id, kind: rule.kind, decision, height: height() },
          'rule decision',
        );
    },
  };
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
      countDecisions(deps, stats);
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
    const log = deps.log.child({ jobId: job.id });
    const t0 = performance.now();
    const stats = await evaluateBlock(
      withDecisionLog(deps, log, () => height),
      snapshot,
      deps.nowSec(),
      sink,
    );
    const ms = performance.now() - t0;
    deps.metrics?.evaluateSeconds.observe({ job: 'block' }, ms / 1000);
    deps.metrics?.rulesChanged.inc(stats.changed);
    countDecisions(deps, stats);
    logStats(log, snapshot, stats, Math.round(ms));
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
    deliver: (messages) => inner.deliver(messages.map((m) => ({ ...m, hash: `slow-${m.hash}` }))),
    hold: (held) => inner.hold(held),
  };
  return async () => {
    const snapshot = await deps.snapshots.latest();
    if (snapshot === null) return null;
    return evaluateBlock(
      withDecisionLog(tickDeps, deps.log, () => snapshot.height),
      snapshot,
      deps.nowSec(),
      sink,
    );
  };
}
