/** The production SnapshotBuilderFactory: the domain's SnapshotBuilder behind the watcher's port. */
import { CHECKPOINT_USEFUL_BLOCKS, SnapshotBuilder } from '../domain/snapshot-builder.ts';
import type { SnapshotBuilderFactory } from './snapshot-port.ts';

/** Fresh builders with the domain's real history requirement (90 d lookback + 7 d window). */
export function domainBuilderFactory(): SnapshotBuilderFactory {
  return {
    create: () => new SnapshotBuilder(),
    requiredHistoryBlocks: SnapshotBuilder.requiredHistoryBlocks,
    checkpointUsefulBlocks: CHECKPOINT_USEFUL_BLOCKS,
  };
}
