/**
 * The engine's read-only view of the watcher's chain state (snapshots by block, the latest one,
 * recent stored blocks for preview), so evaluation never depends on how the watcher writes.
 */
import type { RedisClient } from './connection.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { SnapshotReader } from '../alerting/ports.ts';
import type { RedisChainState } from './chain-state.ts';

export function chainSnapshotReader(state: RedisChainState): SnapshotReader {
  return {
    async byBlock(height: number, hash: string): Promise<Snapshot | null> {
      const s = await state.getSnapshot(hash);
      return s !== null && s.height === height ? s : null;
    },
    latest: () => state.getLatestSnapshot(),
  };
}

/** The stored snapshots of the last `maxBlocks` heights, ascending (preview's live history). */
export function chainHistory(
  redis: RedisClient,
  state: RedisChainState,
  maxBlocks = 2016,
): () => Promise<{ snapshots: Snapshot[]; source: 'chain-state' } | null> {
  return async () => {
    const hashes = await redis.zrevrange(state.keys.snapshotIndex, 0, maxBlocks - 1);
    if (hashes.length === 0) return null;
    const raw = await redis.hmget(state.keys.snapshots, ...hashes);
    const snapshots = raw
      .filter((r): r is string => r !== null)
      .map((r) => JSON.parse(r) as Snapshot)
      .sort((a, b) => a.height - b.height);
    return { snapshots, source: 'chain-state' };
  };
}
