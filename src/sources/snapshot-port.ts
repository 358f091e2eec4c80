/**
 * What the watcher needs from the domain's SnapshotBuilder, as a narrow port: a builder fed blocks
 * in height order, created fresh for every rebuild (restart, reorg) and replayed from stored
 * blocks, so a rebuilt builder is indistinguishable from one that never stopped.
 */
import type { Block, PricePoint, SourceName } from '../domain/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { BuilderCheckpoint } from '../domain/snapshot-builder.ts';

export interface PushContext {
  readonly nowSec: number;
  readonly price: PricePoint | null;
  readonly source: SourceName;
  readonly correction: boolean;
}

export interface SnapshotBuilderLike {
  push(block: Block, ctx: PushContext): Snapshot;
  /** State to store with the block just pushed (the builder says when); null in between. */
  checkpoint?(): BuilderCheckpoint | null;
  /** Before replaying stored blocks: take this stored state when its block comes. */
  resumeFrom?(cp: BuilderCheckpoint): void;
  /** Height the builder resumed at, −1 when it did not (the checkpoint did not fit). */
  readonly resumedAtHeight?: number;
}

export interface SnapshotBuilderFactory {
  create(): SnapshotBuilderLike;
  /** Blocks of history a builder needs before its newest snapshot is complete. */
  readonly requiredHistoryBlocks: number;
  /** How far below a rebuild's tip a checkpoint can still be resumed from (none: checkpoints unused). */
  readonly checkpointUsefulBlocks?: number;
}
