/**
 * One block's evaluation on Redis: alerting's runEvaluation (src/alerting/evaluate-block.ts) over
 * the Redis rule store. Kept as the seam tests and benches call with a Redis and a key prefix.
 */
import type { RedisClient } from '../store/connection.ts';
import {
  runEvaluation,
  type EvaluateSink,
  type EvaluateStats,
  type EvaluationPorts,
} from '../alerting/evaluate-block.ts';
import type { RuleJudge } from '../alerting/ports.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { IndexPlan } from '../store/index-plan.ts';
import type { EngineKeys } from '../store/keys.ts';
import { RedisRuleBatch } from '../store/redis-rule-batch.ts';

export type { EvaluateSink, EvaluateStats, HeldBatch } from '../alerting/evaluate-block.ts';

export interface EvaluateDeps {
  readonly redis: RedisClient;
  readonly keys: EngineKeys;
  readonly plan: IndexPlan;
  readonly judge: RuleJudge;
  /** Subscriptions per batch (one pipeline round trip each). */
  readonly batchSize?: number;
  readonly onDecision?: EvaluationPorts['onDecision'];
  /** Event series with at least this many rules fan out (alerting/fanout.ts); absent: none do. */
  readonly fanOutMin?: number;
}

/** Evaluates every rule that may change on `snapshot` (see alerting/evaluate-block.ts). */
export function evaluateBlock(
  deps: EvaluateDeps,
  snapshot: Snapshot,
  nowSec: number,
  sink: EvaluateSink,
): Promise<EvaluateStats> {
  const { judge, plan, batchSize, onDecision, fanOutMin } = deps;
  const ports: EvaluationPorts = {
    rules: new RedisRuleBatch(deps.redis, deps.keys, plan),
    plan,
    judge,
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(onDecision !== undefined ? { onDecision } : {}),
    ...(fanOutMin !== undefined ? { fanOutMin } : {}),
  };
  return runEvaluation(ports, snapshot, nowSec, sink);
}
