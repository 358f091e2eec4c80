/**
 * Reorgs of 1, 3 and 6 blocks, announced (the `blocks` list + new tip, as mempool's handleReorg)
 * or silent (only a later block reveals them): rolled back to the fork point, replayed, every
 * hash sent to evaluation once, replaced heights marked as corrections, state equal to the chain.
 * A reorg back to a branch seen before (A→B→A): watcher-reorg-back.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { counterTotal } from '../../src/observability/metrics.ts';
import { addStats, comparable, createHarness, type Harness } from './watcher-harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function storedChainMatchesFake(): Promise<void> {
  const tip = h.fake.chain.tip.height;
  const stored = await h.state.getBlocks(tip - 30, tip);
  expect(stored.map((s) => s.block.id)).toEqual(h.fake.chain.blocks.slice(-31).map((b) => b.id));
}

/** A caught-up watcher that has taken two live blocks; returns the tip height. */
async function runningWithTwoLiveBlocks(): Promise<number> {
  h = await createHarness();
  await h.start();
  await h.caughtUp();
  h.fake.mine(2);
  await h.caughtUp();
  return h.fake.chain.tip.height;
}

describe.each([1, 3, 6])('reorg of %i block(s)', (depth) => {
  it.each([false, true])('silent=%s: fork repaired, corrections right, no duplicate jobs', async (silent) => {
    const oldTip = await runningWithTwoLiveBlocks();
    const before = h.adds.length;
    h.fake.reorg(depth, 1, { silent });
    if (silent) h.fake.mine(1);
    await h.caughtUp();
    const newTip = h.fake.chain.tip.height;
    const added = h.adds.slice(before);
    const forkHeight = oldTip - depth;
    expect(added.map((a) => a.height)).toEqual(
      Array.from({ length: newTip - forkHeight }, (_, i) => forkHeight + 1 + i),
    );
    for (const a of added) {
      expect(a.hash).toBe(h.fake.chain.at(a.height)!.id);
      expect(a.correction).toBe(a.height <= oldTip);
      const snap = await h.state.getSnapshot(a.hash);
      expect(snap && comparable(snap)).toEqual(
        comparable(h.reference(a.height, a.height <= oldTip, h.fake.pricePoint)),
      );
    }
    expect(addStats(h.adds).duplicateHashes).toEqual([]);
    expect(await counterTotal(h.metrics.reorgs)).toBe(1);
    expect(await h.state.getCorrectUntil()).toBe(-1);
    await storedChainMatchesFake();
    // the chain goes on normally afterwards, corrections over
    h.fake.mine(1);
    await h.caughtUp();
    expect(h.adds.at(-1)).toMatchObject({ height: newTip + 1, correction: false });
  });
});

describe('reorg edge cases', () => {
  it('a stale frame for an orphaned block after the reorg changes nothing', async () => {
    h = await createHarness();
    await h.start();
    await h.caughtUp();
    const orphan = h.fake.chain.tip;
    h.fake.reorg(1, 1);
    await h.caughtUp();
    const n = h.adds.length;
    h.fake.sendRaw(JSON.stringify({ block: orphan }));
    h.fake.mine(1);
    await h.caughtUp();
    expect(h.adds.length).toBe(n + 1);
    expect(addStats(h.adds).duplicateHashes).toEqual([]);
    await storedChainMatchesFake();
  });
});
