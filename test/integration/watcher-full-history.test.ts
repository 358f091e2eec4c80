/**
 * At production scale: the real SnapshotBuilder with its real 16,993-block history (the drop
 * detector's 90d reference, gap and warm-up), a cold start over a 17,200-block chain, a restart (rebuild from stored blocks) and a 3-block reorg (rebuild
 * from the fork). Every stored snapshot must equal one continuous builder fed the final chain —
 * the proof that rebuilding from `requiredHistoryBlocks` stored blocks loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { addStats, comparable, createHarness, toBlock, type Harness } from './watcher-harness.ts';
import { fullBuilderFactory } from './watcher-builder.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('watcher with the full domain history', () => {
  it('cold start, restart and reorg give the snapshots of one continuous builder', async () => {
    h = await createHarness({ chainLength: 17_200, builder: fullBuilderFactory() });
    const fast = { maxRps: 5_000 };
    const tip0 = h.fake.chain.tip.height;
    await h.start(fast);
    await h.caughtUp(60_000);
    h.fake.mine(3);
    await h.caughtUp();
    await h.stopWatcher();
    h.fake.mine(2, { silent: true });
    await h.start(fast);
    await h.caughtUp(60_000);
    const oldTip = h.fake.chain.tip.height;
    h.fake.reorg(3, 1);
    await h.caughtUp();
    h.fake.mine(1);
    await h.caughtUp();

    const ref = new SnapshotBuilder();
    const price = h.fake.pricePoint;
    const expected = new Map<number, Snapshot>();
    for (const b of h.fake.chain.blocks) {
      const s = ref.push(toBlock(b), { nowSec: h.nowSec, price, source: 'mempool', correction: false });
      if (b.height >= tip0) expected.set(b.height, s);
    }
    const tip = h.fake.chain.tip.height;
    const onMain = h.adds.filter((a) => h.fake.chain.at(a.height)?.id === a.hash).map((a) => a.height);
    expect(onMain).toEqual(Array.from({ length: tip - tip0 + 1 }, (_, i) => tip0 + i));
    expect(h.adds.length).toBe(onMain.length + 3); // + the three orphaned blocks, evaluated before the reorg
    expect(addStats(h.adds).duplicateHashes).toEqual([]);
    for (let x = tip0; x <= tip; x++) {
      const stored = await h.state.getSnapshot(h.fake.chain.at(x)!.id);
      expect(stored, `snapshot ${x}`).not.toBeNull();
      expect(stored!.correction).toBe(x > oldTip - 3 && x <= oldTip);
      expect({ ...comparable(stored!), correction: false }).toEqual(comparable(expected.get(x)!));
    }
    const last = await h.state.getLatestSnapshot();
    expect(last?.peaks['3d']['90d']).not.toBeNull(); // the full lookback really is populated
    expect(last?.drop?.['90d']).not.toBeNull(); // and so is the drop detector's longest reference
  }, 120_000);
});
