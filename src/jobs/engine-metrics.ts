/**
 * Prometheus metrics of the alert engine (evaluation and delivery), on an injected registry —
 * production shares the watcher's, so /metrics shows the whole flow from block to message.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface EngineMetrics {
  /** Seconds one block (or tick) took to evaluate, by job kind. */
  readonly evaluateSeconds: Histogram<'job'>;
  /** Rules whose lifecycle status changed. */
  readonly rulesChanged: Counter;
  /** Deliver/digest job outcomes by platform: sent, duplicate, inactive, retryable, permanent, rate-limited, poison… */
  readonly deliveries: Counter<'platform' | 'outcome'>;
  /** Rules judged, by the lifecycle's named decision (fired, below-threshold, cooldown, reorg-held…). */
  readonly ruleDecisions: Counter<'reason'>;
}

export function createEngineMetrics(registry: Registry): EngineMetrics {
  const registers = [registry];
  return {
    evaluateSeconds: new Histogram({
      name: 'hashbell_evaluate_seconds',
      help: 'Time to evaluate one block or tick',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
      registers,
    }),
    rulesChanged: new Counter({
      name: 'hashbell_rules_changed_total',
      help: 'Rules whose status changed (fired or resolved)',
      registers,
    }),
    deliveries: new Counter({
      name: 'hashbell_deliveries_total',
      help: 'Deliver job outcomes',
      labelNames: ['platform', 'outcome'],
      registers,
    }),
    ruleDecisions: new Counter({
      name: 'hashbell_rule_decisions_total',
      help: "Rules judged, by the lifecycle's named decision",
      labelNames: ['reason'],
      registers,
    }),
  };
}
