/**
 * What ChainSync is given and the small types around it (evaluate job options, the queue port,
 * the "chain moved" signal), apart from the sync logic so both stay readable.
 */
import type { ChainSource } from './ports.ts';
import type { SnapshotBuilderFactory } from './snapshot-port.ts';
import type { RedisChainState } from '../store/chain-state.ts';
import type { WatcherMetrics } from '../observability/metrics.ts';
import type { Logger } from '../observability/logger.ts';
import { EVALUATE_JOB_OPTS, type EvaluateJob } from '../jobs/queues.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { SnapshotHistory } from './snapshot-history.ts';
import type { BlockAuthority, HoldLimits } from './block-gate.ts';

/** Evaluate job options live with the other job options (jobs/queues.ts). */
export { EVALUATE_JOB_OPTS };

export type EvaluateJobOptions = typeof EVALUATE_JOB_OPTS & { readonly jobId: string };

/** Where evaluate jobs go (a BullMQ Queue satisfies it). */
export interface EvaluateQueue {
  add(name: string, data: EvaluateJob, opts: EvaluateJobOptions): Promise<unknown>;
}

export interface ChainSyncDeps {
  readonly source: ChainSource;
  readonly state: RedisChainState;
  readonly queue: EvaluateQueue;
  readonly builder: SnapshotBuilderFactory;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  readonly now: () => number;
  /** Deepest reorg repaired in place; deeper → state reset (default 100). */
  readonly maxReorgDepth: number;
  /** Blocks loaded on a cold start (default: the builder's required history). */
  readonly coldStartBlocks: number;
  /** A gap longer than this is history: loaded but only the newest this many get jobs. */
  readonly maxCatchUpJobs: number;
  readonly onSnapshot?: (s: Snapshot) => void;
  /**
   * Receives EVERY committed snapshot (live, cold start, backfill, corrections) after the chain
   * commit and before its evaluate job, so an alert never outruns its chart. A failure is logged
   * and never holds the chain up.
   */
  readonly history?: SnapshotHistory;
  /** Aborts source requests on shutdown. */
  readonly signal?: AbortSignal;
  /** Bitcoin Core in cross-check mode: a block it does not have is held, then not taken. */
  readonly authority?: BlockAuthority;
  readonly holdLimits?: Partial<HoldLimits>;
}

/** The source's chain moved under us mid-sync; the caller simply syncs again. */
export class ChainMovedError extends Error {
  override readonly name = 'ChainMovedError';
}
