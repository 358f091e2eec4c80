import { describe, expect, it } from 'vitest';
import { bitsToTarget } from '../../../src/domain/bits.ts';
import { nextBits } from '../../../src/domain/retarget.ts';
import { simulateChain } from '../../../src/domain/simulate.ts';
import { BlockOrderError, SnapshotBuilder } from '../../../src/domain/snapshot-builder.ts';
import type { PushContext } from '../../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import type { Block } from '../../../src/domain/types.ts';
import { loadEpochs } from './fixtures.ts';

const ctx = (b: Block, usd: number | null = 90_000): PushContext => ({
  nowSec: b.timestamp,
  price: usd === null ? null : { timeSec: b.timestamp - 60, usd },
  source: 'replay',
});

/** Smallest integer span whose consensus retarget of `bits` gives `target` bits, or null. */
function spanFor(bits: number, next: number): number | null {
  const want = bitsToTarget(next);
  let lo = 302_400;
  let hi = 4_838_400;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (bitsToTarget(nextBits({ bits, firstBlockTime: 0, lastBlockTime: mid })) >= want) hi = mid;
    else lo = mid + 1;
  }
  return nextBits({ bits, firstBlockTime: 0, lastBlockTime: lo }) === next ? lo : null;
}

describe('retarget outcome on a chain rebuilt from the real epochs (455–462)', () => {
  const epochs = loadEpochs();
  const blocks: Block[] = [];
  let t = 1_750_000_000;
  for (let e = 455; e <= 462; e++) {
    const row = epochs[e]!;
    const span = spanFor(row.bits, epochs[e + 1]!.bits)!;
    for (let j = 0; j < 2016; j++) {
      blocks.push({
        id: `b${row.startHeight + j}`,
        height: row.startHeight + j,
        timestamp: t + Math.round((j * span) / 2015),
        bits: row.bits,
        feesSats: 1e6,
        feesKnown: true,
      });
    }
    t += span + 600;
  }
  const last = epochs[463]!;
  blocks.push({
    id: `b${last.startHeight}`,
    height: last.startHeight,
    timestamp: t,
    bits: last.bits,
    feesSats: 1e6,
    feesKnown: true,
  });
  const builder = new SnapshotBuilder();
  const outcomes = blocks.map((b) => builder.push(b, ctx(b)).retargetOutcome).filter((o) => o !== null);

  it('every epoch start carries the CSV change exactly (first start has no previous block: null)', () => {
    expect(outcomes.map((o) => o.height)).toEqual(epochs.slice(456, 464).map((r) => r.startHeight));
    for (const o of outcomes) {
      const row = epochs[o.height / 2016]!;
      expect(o.bits).toBe(row.bits);
      expect(o.changePct).toBe(row.changePct);
    }
  });

  it('the scorecard holds the estimates at 10/25/50/75/90 % of the finished epoch', () => {
    const o = outcomes[3]!;
    expect(o.scorecard.map((r) => r.progressPct)).toEqual([10, 25, 50, 75, 90]);
    expect(o.scorecard.map((r) => r.height - (o.height - 2016))).toEqual([202, 504, 1008, 1512, 1815]);
    // Evenly spaced blocks make the rate exactly known: late estimates sit close to the truth.
    const late = o.scorecard[4]!;
    expect(Math.abs(late.hashbellPct - o.changePct)).toBeLessThan(1);
    expect(late.hashbellLowPct).toBeLessThanOrEqual(late.hashbellPct);
    for (const r of o.scorecard) expect(r.mempoolPct).not.toBeNull();
  });
});

describe('ordering, bad input, partial data', () => {
  const chain = simulateChain({
    seed: 3,
    startHeight: 2016 * 400,
    startTimeSec: 1_650_000_000,
    startBits: 0x1703a30c,
    blocks: 3000,
    hashrate: () => 1,
  });

  it('throws BlockOrderError on a gap, a repeat or a broken link, and keeps its state', () => {
    const b = new SnapshotBuilder();
    b.push(chain[0]!, ctx(chain[0]!));
    b.push(chain[1]!, ctx(chain[1]!));
    expect(() => b.push(chain[3]!, ctx(chain[3]!))).toThrow(BlockOrderError);
    expect(() => b.push(chain[1]!, ctx(chain[1]!))).toThrow(/expected height 806402, got 806401/);
    expect(() => b.push({ ...chain[2]!, previousHash: 'not-the-tip' }, ctx(chain[2]!))).toThrow(BlockOrderError);
    expect(() => b.push({ ...chain[2]!, bits: 0x1d80ffff }, ctx(chain[2]!))).toThrow(RangeError);
    expect(() => b.push({ ...chain[2]!, timestamp: 1.5 }, ctx(chain[2]!))).toThrow(RangeError);
    const ok = b.push({ ...chain[2]!, previousHash: chain[1]!.id }, ctx(chain[2]!));
    expect(ok.height).toBe(chain[2]!.height);
    expect(ok.hashrate['1d']!.blocks).toBe(2);
  });

  it('first block: no hash rate, no peaks, still a retarget figure; fee average from what it has', () => {
    const s = new SnapshotBuilder().push(chain[0]!, ctx(chain[0]!, null));
    expect(s.hashrate['1d']).toBeNull();
    expect(s.peaks['7d']['90d']).toBeNull();
    expect(Number.isFinite(s.retarget.changePct)).toBe(true);
    expect(s.hashprice.usdPerPhDay).toBeNull();
    expect(s.hashprice.priceStale).toBe(true);
    expect(s.hashprice.feeBlocks).toBe(1);
    expect(s.hashpriceAgo['24h']).toBeNull();
  });

  it('a price older than an hour is stale but still used', () => {
    const b = new SnapshotBuilder();
    const s = b.push(chain[0]!, {
      nowSec: chain[0]!.timestamp,
      price: { timeSec: chain[0]!.timestamp - 3601, usd: 50_000 },
      source: 'mempool',
    });
    expect(s.hashprice.priceStale).toBe(true);
    expect(s.hashprice.usdPerPhDay).toBeCloseTo(s.hashprice.btcPerPhDay * 50_000, 9);
    expect(s.source).toBe('mempool');
  });

  it('data starting mid-epoch: start flagged estimated, interval wider than with the full epoch', () => {
    const full = new SnapshotBuilder();
    const part = new SnapshotBuilder();
    let a: Snapshot | undefined;
    let p: Snapshot | undefined;
    for (let i = 0; i <= 1500; i++) {
      a = full.push(chain[i]!, ctx(chain[i]!));
      if (i >= 1200) p = part.push(chain[i]!, ctx(chain[i]!));
    }
    expect(a!.retarget.epochStartEstimated).toBe(false);
    expect(p!.retarget.epochStartEstimated).toBe(true);
    expect(p!.retarget.highPct - p!.retarget.lowPct).toBeGreaterThan(a!.retarget.highPct - a!.retarget.lowPct);
    // The estimated start: 1200 missing blocks at θ̂ from 300 intervals (±5.8 % each): within 20 %.
    expect(Math.abs(p!.retarget.mempool.previousTime - chain[0]!.timestamp)).toBeLessThan(0.2 * 1200 * 600);
    expect(p!.retarget.mempool.previousRetarget).toBe(0);
    // Run into the next epoch: the outcome exists, its scorecard has only the points seen, mempool null.
    let outcome = null;
    for (let i = 1501; i <= 2016; i++) outcome = part.push(chain[i]!, ctx(chain[i]!)).retargetOutcome ?? outcome;
    expect(outcome!.scorecard.map((r) => r.progressPct)).toEqual([75, 90]);
    expect(outcome!.scorecard.every((r) => r.mempoolPct === null)).toBe(true);
  });
});

describe('rebuild after restart', () => {
  it('a builder fed only requiredHistoryBlocks gives the same snapshot as one fed everything', () => {
    const n = SnapshotBuilder.requiredHistoryBlocks;
    // The drop detector's 90d reference, its 14-day gap and a 2-week warm-up (drop-detector.ts).
    expect(n).toBe(12_960 + 2016 + 2016 + 1);
    const chain = simulateChain({
      seed: 8,
      startHeight: 2016 * 420,
      startTimeSec: 1_690_000_000,
      startBits: 0x17053894,
      blocks: n + 3000,
      hashrate: (h) => 1 + 0.1 * Math.sin(h / 1500),
      feesSats: (h) => h % 1000,
    });
    const all = new SnapshotBuilder();
    const tail = new SnapshotBuilder();
    let a: Snapshot | undefined;
    let b: Snapshot | undefined;
    chain.forEach((blk, i) => {
      a = all.push(blk, ctx(blk));
      if (i >= chain.length - n) b = tail.push(blk, ctx(blk));
    });
    expect(b!.height).toBe(a!.height);
    expect(b!.hashrate).toEqual(a!.hashrate);
    expect(b!.retarget).toEqual(a!.retarget);
    expect(b!.hashprice).toEqual(a!.hashprice);
    expect(b!.hashpriceAgo).toEqual(a!.hashpriceAgo);
    for (const l of ['7d', '14d', '30d', '90d'] as const)
      expect(b!.drop![l]!.referenceHps).toBe(a!.drop![l]!.referenceHps);
    for (const w of ['1d', '3d', '7d'] as const) {
      for (const l of ['7d', '14d', '30d', '90d'] as const) {
        expect(b!.peaks[w][l]!.height).toBe(a!.peaks[w][l]!.height);
        expect(b!.peaks[w][l]!.hps / a!.peaks[w][l]!.hps - 1).toBeCloseTo(0, 12);
      }
    }
  });

  it('the drop detector: a rebuilt builder alarms the same cells with the same figures after a step drop', () => {
    const n = SnapshotBuilder.requiredHistoryBlocks;
    const dropAt = 2016 * 420 + n + 2000;
    const chain = simulateChain({
      seed: 11,
      startHeight: 2016 * 420,
      startTimeSec: 1_690_000_000,
      startBits: 0x17053894,
      blocks: n + 3000,
      hashrate: (h) => (h < dropAt ? 1 : 0.75),
    });
    const all = new SnapshotBuilder();
    const tail = new SnapshotBuilder();
    let a: Snapshot | undefined;
    let b: Snapshot | undefined;
    chain.forEach((blk, i) => {
      a = all.push(blk, ctx(blk));
      if (i >= chain.length - n) b = tail.push(blk, ctx(blk));
    });
    // Clamped CUSUMs forget their start within the warm-up, so both see the drop identically.
    expect(b!.drop).toEqual(a!.drop);
    expect(a!.drop!['90d']!.alarms.map((x) => x.pct)).toContain(20);
    expect(a!.drop!['90d']!.alarms[0]!.sinceHeight).toBeGreaterThan(dropAt - 200);
  });
});
