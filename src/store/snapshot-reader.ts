/**
 * The engine's read-only view of the watcher's chain state (snapshots by block, the latest one,
 * recent stored blocks for preview), so evaluation never depends on how the watcher writes.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { SnapshotReader } from '../jobs/engine-ports.ts';
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
