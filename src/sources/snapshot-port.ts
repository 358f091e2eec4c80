/**
 * What the watcher needs from the domain's SnapshotBuilder, as a narrow port: a builder fed blocks
 * in height order, created fresh for every rebuild (restart, reorg) and replayed from stored
 * blocks, so a rebuilt builder is indistinguishable from one that never stopped.
 */
import type { PushContext } from '../domain/snapshot-builder.ts';
import type { Block } from '../domain/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';

/** One definition, the domain builder's (re-exported for the watcher's callers). */
export type { PushContext };

export interface SnapshotBuilderLike {
  push(block: Block, ctx: PushContext): Snapshot;
}

export interface SnapshotBuilderFactory {
  create(): SnapshotBuilderLike;
  /** Blocks of history a builder needs before its newest snapshot is complete. */
  readonly requiredHistoryBlocks: number;
}
