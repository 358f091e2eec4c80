/**
 * Prometheus metrics for the watcher and its sources, registered on an injected prom-client
 * Registry (never the global default), so tests and several app instances in one process never
 * collide and every test can read its own counters.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface WatcherMetrics {
  readonly registry: Registry;
  /** Blocks accepted into chain state, by source. */
  readonly blocksSeen: Counter<'source'>;
  readonly reorgs: Counter<'source'>;
  readonly reorgDepth: Histogram<'source'>;
  /** Websocket / poll reconnects, by source and reason. */
  readonly reconnects: Counter<'source' | 'reason'>;
  /** Frames or bodies that failed validation, by kind (garbage, oversize, block, da, ...). */
  readonly framesRejected: Counter<'source' | 'kind'>;
  /** now − block time when the block was processed, seconds. */
  readonly sourceLagSeconds: Gauge<'source'>;
  /** REST / RPC answers that made us back off (429, 503, network). */
  readonly backoffs: Counter<'source' | 'reason'>;
  readonly restRequests: Counter<'source' | 'status'>;
  readonly evaluateJobsEnqueued: Counter<'correction'>;
  /** 1 while mempool.space and Bitcoin Core disagree beyond the tolerance. */
  readonly sourceDisagreement: Gauge;
  readonly sourceDisagreements: Counter<'what'>;
  readonly resyncs: Counter<'reason'>;
  /** Blocks not taken by the consensus gate (src/sources/block-gate.ts), by named reason. */
  readonly blocksRejected: Counter<'reason'>;
}

/** Creates (once per registry) the watcher's metrics. */
export function createWatcherMetrics(registry: Registry): WatcherMetrics {
  const registers = [registry];
  return {
    registry,
    blocksSeen: new Counter({
      name: 'hashbell_blocks_seen_total',
      help: 'Blocks accepted into chain state',
      labelNames: ['source'],
      registers,
    }),
    reorgs: new Counter({
      name: 'hashbell_reorgs_total',
      help: 'Chain reorganisations handled',
      labelNames: ['source'],
      registers,
    }),
    reorgDepth: new Histogram({
      name: 'hashbell_reorg_depth_blocks',
      help: 'Blocks rolled back per reorg',
      labelNames: ['source'],
      buckets: [1, 2, 3, 6, 10, 50],
      registers,
    }),
    reconnects: new Counter({
      name: 'hashbell_source_reconnects_total',
      help: 'Live feed reconnects',
      labelNames: ['source', 'reason'],
      registers,
    }),
    framesRejected: new Counter({
      name: 'hashbell_frames_rejected_total',
      help: 'Frames/bodies that failed validation',
      labelNames: ['source', 'kind'],
      registers,
    }),
    sourceLagSeconds: new Gauge({
      name: 'hashbell_source_lag_seconds',
      help: 'now minus block time at processing',
      labelNames: ['source'],
      registers,
    }),
    backoffs: new Counter({
      name: 'hashbell_source_backoffs_total',
      help: 'Requests that made us back off',
      labelNames: ['source', 'reason'],
      registers,
    }),
    restRequests: new Counter({
      name: 'hashbell_source_requests_total',
      help: 'REST/RPC requests by status',
      labelNames: ['source', 'status'],
      registers,
    }),
    evaluateJobsEnqueued: new Counter({
      name: 'hashbell_evaluate_jobs_enqueued_total',
      help: 'Evaluate jobs enqueued',
      labelNames: ['correction'],
      registers,
    }),
    sourceDisagreement: new Gauge({
      name: 'hashbell_source_disagreement',
      help: '1 while sources disagree beyond tolerance',
      registers,
    }),
    sourceDisagreements: new Counter({
      name: 'hashbell_source_disagreements_total',
      help: 'Cross-check disagreements detected',
      labelNames: ['what'],
      registers,
    }),
    resyncs: new Counter({
      name: 'hashbell_resyncs_total',
      help: 'Resyncs against the REST/RPC tip',
      labelNames: ['reason'],
      registers,
    }),
    blocksRejected: new Counter({
      name: 'hashbell_blocks_rejected_total',
      help: 'Blocks rejected by the consensus checks (never stored or evaluated), by reason',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/** Anything with BullMQ's getJobCounts (a Queue). */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
}

/** Queue depth gauge, read from Redis at scrape time (a failed read leaves the series out). */
export function registerQueueDepths(registry: Registry, queues: readonly CountableQueue[]): Gauge<'queue' | 'state'> {
  return new Gauge({
    name: 'hashbell_queue_depth',
    help: 'BullMQ jobs by queue and state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of queues) {
        try {
          const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
        } catch {
          // Redis down: /healthz reports it; the scrape still answers.
        }
      }
    },
  });
}

/** Reads a counter's total over all label sets (tests, benches). */
export async function counterTotal(
  c: Counter<string> | Gauge<string>,
  labels: Record<string, string> = {},
): Promise<number> {
  const data = await c.get();
  return data.values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((sum, v) => sum + v.value, 0);
}
