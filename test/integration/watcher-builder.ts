/**
 * The snapshot builder the watcher tests run: the domain's real SnapshotBuilder, windowed to a
 * short declared history so cold starts stay small. Each push replays the last `history` blocks
 * (with the context each was first pushed with) into a fresh real builder, so a snapshot depends
 * on exactly that window — the builder's rebuild contract, at test scale. Real figures, real math.
 */
import { SnapshotBuilder } from '../../src/domain/snapshot-builder.ts';
import { domainBuilderFactory } from '../../src/sources/domain-builder.ts';
import type { Block } from '../../src/domain/types.ts';
import type { PushContext, SnapshotBuilderFactory, SnapshotBuilderLike } from '../../src/sources/snapshot-port.ts';

export function testBuilderFactory(history: number): SnapshotBuilderFactory {
  return {
    requiredHistoryBlocks: history,
    create(): SnapshotBuilderLike {
      const window: Array<{ block: Block; ctx: PushContext }> = [];
      return {
        push(block, ctx) {
          const last = window.at(-1);
          if (last && block.height !== last.block.height + 1)
            throw new Error(`windowed builder: ${block.height} after ${last.block.height}`);
          window.push({ block, ctx });
          if (window.length > history) window.shift();
          const real = new SnapshotBuilder();
          for (let i = 0; i < window.length - 1; i++) real.push(window[i]!.block, window[i]!.ctx);
          return real.push(block, ctx);
        },
      };
    },
  };
}

/** The production factory: the real builder with its real history and checkpoints. */
export function fullBuilderFactory(): SnapshotBuilderFactory {
  return domainBuilderFactory();
}
