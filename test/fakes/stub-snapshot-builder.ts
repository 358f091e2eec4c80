/**
 * Stand-in for the domain's SnapshotBuilder while it is being written: a deterministic builder
 * whose figures depend on every block pushed (a rolling sum), so a wrong rebuild, a skipped or a
 * doubled block changes the snapshot. Only the fields the watcher tests read are real.
 */
import type { Block } from '../../src/domain/types.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { PushContext, SnapshotBuilderFactory, SnapshotBuilderLike } from '../../src/sources/snapshot-port.ts';

export function stubBuilderFactory(requiredHistoryBlocks = 50): SnapshotBuilderFactory {
  return {
    requiredHistoryBlocks,
    create(): SnapshotBuilderLike {
      const window: Block[] = [];
      return {
        push(block: Block, ctx: PushContext): Snapshot {
          const last = window.at(-1);
          if (last && block.height !== last.height + 1) throw new Error(`stub builder: ${block.height} after ${last.height}`);
          window.push(block);
          if (window.length > requiredHistoryBlocks) window.shift();
          const feeSum = window.reduce((s, b) => s + b.feesSats, 0);
          const span = (window.at(-1)?.timestamp ?? 0) - (window[0]?.timestamp ?? 0);
          const priceStale = ctx.price === null || block.timestamp - ctx.price.timeSec > 3600;
          return {
            height: block.height, hash: block.id, timeSec: block.timestamp, computedAtSec: ctx.nowSec,
            source: ctx.source, correction: ctx.correction, bits: block.bits, difficulty: 0,
            hashrate: { '1d': null, '3d': null, '7d': null },
            hashprice: { avgFeesSats: feeSum / window.length, feeBlocks: window.length, spanSec: span, priceUsd: ctx.price?.usd ?? null, priceTimeSec: ctx.price?.timeSec ?? null, priceStale },
          } as unknown as Snapshot;
        },
      };
    },
  };
}
