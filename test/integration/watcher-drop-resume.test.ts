/**
 * Through the real watcher, on a chain whose hash rate swings ±20 % (period 3,000 blocks): the
 * live builder has seen more blocks than chain state keeps, so a rebuild from stored blocks alone
 * would not give its drop cells (the detector is sequential). With the checkpoint stored once a
 * day beside the blocks, a restart and then a reorg mid-swing give exactly the snapshots of one
 * builder that never stopped, fed the final chain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SnapshotBuilder } from '../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { comparable, createHarness, toBlock, type Harness } from './watcher-harness.ts';
import { fullBuilderFactory } from './watcher-builder.ts';

const LENGTH = 20_500;
const PERIOD = 3_000;
/** ±20 %: the fake's intervals have far less noise than Poisson ones, so it takes more to alarm. */
const AMPLITUDE = 0.2;
/** Interval 600 s × (1 + a·sin): its integral, so block times need no running state. */
const offsetSec = (i: number): number =>
  600 * i + ((600 * AMPLITUDE * PERIOD) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * i) / PERIOD));

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function dropDiffers(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify(a.drop) !== JSON.stringify(b.drop);
}

describe('watcher restart and reorg on a swinging chain', () => {
  it('drop cells after a restart and after a reorg equal the uninterrupted run exactly', async () => {
    const nowSec = Math.floor(Date.now() / 1000);
    h = await createHarness({
      chainLength: LENGTH,
      builder: fullBuilderFactory(),
      chain: { startTimeSec: nowSec - Math.ceil(offsetSec(LENGTH + 100)) - 3_600, offsetSec },
    });
    const fast = { maxRps: 5_000 };
    // The live builder sees the whole chain; chain state keeps only the required history + 120.
    await h.start(fast, { coldStartBlocks: LENGTH });
    await h.caughtUp(90_000);
    h.fake.mine(3);
    await h.caughtUp();
    const checkpoint = await h.state.getCheckpoint(0, h.fake.chain.tip.height);
    expect(checkpoint).not.toBeNull();
    const restartTip = h.fake.chain.tip.height;
    await h.stopWatcher();
    h.fake.mine(4, { silent: true });
    await h.start(fast);
    await h.caughtUp(90_000);
    h.fake.mine(2);
    await h.caughtUp();
    h.fake.reorg(6, 2);
    await h.caughtUp();
    h.fake.mine(2);
    await h.caughtUp();

    const ref = new SnapshotBuilder();
    const expected = new Map<number, Snapshot>();
    for (const b of h.fake.chain.blocks) {
      expected.set(
        b.height,
        ref.push(toBlock(b), { nowSec: h.nowSec, price: h.fake.pricePoint, source: 'mempool', correction: false }),
      );
    }
    // What a rebuild from stored blocks alone (the old way) would have said after the restart.
    const naive = new SnapshotBuilder();
    const naiveSnaps = new Map<number, Snapshot>();
    for (const b of h.fake.chain.blocks) {
      if (b.height <= restartTip - SnapshotBuilder.requiredHistoryBlocks) continue;
      naiveSnaps.set(
        b.height,
        naive.push(toBlock(b), { nowSec: h.nowSec, price: h.fake.pricePoint, source: 'mempool', correction: false }),
      );
    }

    const tip = h.fake.chain.tip.height;
    let naiveDiffers = 0;
    let alarmed = 0;
    for (let x = restartTip + 1; x <= tip; x++) {
      const stored = await h.state.getSnapshot(h.fake.chain.at(x)!.id);
      expect(stored, `snapshot ${x}`).not.toBeNull();
      const want = expected.get(x)!;
      expect({ ...comparable(stored!), correction: false }, `snapshot ${x}`).toEqual(comparable(want));
      expect(JSON.stringify(stored!.drop)).toBe(JSON.stringify(want.drop)); // bit for bit, key order too
      if (dropDiffers(naiveSnaps.get(x)!, want)) naiveDiffers++;
      alarmed += Object.values(want.drop ?? {}).reduce((n, d) => n + (d?.alarms.length ?? 0), 0);
    }
    expect(alarmed).toBeGreaterThan(0); // mid-swing: cells are alarmed
    expect(naiveDiffers).toBeGreaterThan(0); // and a rebuild without the checkpoint gets them wrong
  }, 240_000);
});
