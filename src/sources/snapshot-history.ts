/**
 * The chain's side of the charts' history: every snapshot the watcher commits is appended here
 * (RedisChartHistory in production) before its evaluate job goes out, so an alert never outruns
 * its chart. A chart is decoration: nothing here ever throws into the chain's path.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChainCursor } from '../store/chain-state.ts';

/**
 * Where committed snapshots are recorded for charts (RedisChartHistory satisfies it). Appends
 * arrive in height order; an append at or below the newest height must replace from there up
 * (that is how reorg corrections overwrite the old branch).
 */
export interface SnapshotHistory {
  append(snapshot: Snapshot): Promise<void>;
  /**
   * Optional: non-null when the history ends exactly at this block. With it, a start whose
   * history lags the chain state (first run with charts, a lost key, a failed append at the tip)
   * refills the history from the rebuilt snapshots.
   */
  pointsUpTo?(height: number, hash: string, days: number): Promise<readonly unknown[] | null>;
}

/** Points a start-up refill writes at most (RedisChartHistory's default keep: 30+ days). */
export const HISTORY_REFILL_BLOCKS = 6_500;

/**
 * Appends the batch in height order. Issued together (one connection keeps their order) so a
 * cold start of thousands of blocks costs a few round trips, not one each. Never throws.
 */
export async function recordHistory(
  history: SnapshotHistory,
  batch: readonly Snapshot[],
  logger: Logger,
): Promise<void> {
  const results = await Promise.allSettled(batch.map((s) => history.append(s)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 0) return;
  const err = failed[0]!.reason as unknown;
  logger.warn(
    {
      failed: failed.length,
      of: batch.length,
      from: batch[0]!.height,
      to: batch[batch.length - 1]!.height,
      error: err instanceof Error ? err.message : String(err),
    },
    'chart history append failed; charts for these blocks will be missing (the chain goes on)',
  );
}

/** True when the history can tell it does not end at `cursor` (never throws). */
export async function historyLags(history: SnapshotHistory, cursor: ChainCursor | null): Promise<boolean> {
  if (!history.pointsUpTo || !cursor) return false;
  try {
    return (await history.pointsUpTo(cursor.height, cursor.hash, 0)) === null;
  } catch {
    return false; // unreadable now: the live appends will log it
  }
}
