import { describe, expect, it } from 'vitest';
import { blockWork, uint256ToDouble } from '../../../src/domain/bits.ts';
import { estimateBlockTime } from '../../../src/domain/block-time.ts';
import { calcBitsDifference, difficultyAdjustment } from '../../../src/domain/difficulty-adjustment.ts';
import { networkHashps } from '../../../src/domain/network-hashps.ts';
import { estimateRetarget } from '../../../src/domain/retarget-estimator.ts';
import { simulateChain } from '../../../src/domain/simulate.ts';
import { SnapshotBuilder } from '../../../src/domain/snapshot-builder.ts';
import type { PushContext } from '../../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { seededRandom } from '../../../src/domain/stats.ts';
import type { Block } from '../../../src/domain/types.ts';

const START = 1_700_000_000;
/** A chain whose hash rate wanders (so peaks and retargets move), with fees, 9 epochs long. */
const chain: Block[] = simulateChain({
  seed: 11,
  startHeight: 2016 * 440,
  startTimeSec: START,
  startBits: 0x1702796c,
  blocks: 2016 * 9 + 7,
  hashrate: (h) => 1 + 0.15 * Math.sin(h / 2500),
  feesSats: (h) => 2_000_000 + ((h * 7919) % 1000) * 1000,
}).map((b, i) => (i % 37 === 5 ? { ...b, feesKnown: false, feesSats: 0 } : b));
const price = (t: number): PushContext['price'] => ({ timeSec: t - 600, usd: 90_000 + ((t / 3600) % 50) * 100 });
const ctx = (b: Block): PushContext => ({ nowSec: b.timestamp, price: price(b.timestamp), source: 'replay' });

function replay(blocks: Block[]): Snapshot[] {
  const builder = new SnapshotBuilder();
  return blocks.map((b) => builder.push(b, ctx(b)));
}
const snaps = replay(chain);
const rnd = seededRandom(5);
const randomIndices = Array.from({ length: 25 }, () => 1100 + Math.floor(rnd() * (chain.length - 1100)));

describe('SnapshotBuilder vs direct computation on the same blocks', () => {
  it.each(randomIndices)('block index %i: hash-rate windows equal networkHashps', (i) => {
    const s = snaps[i]!;
    for (const [w, n] of [
      ['1d', 144],
      ['3d', 432],
      ['7d', 1008],
    ] as const) {
      const est = s.hashrate[w]!;
      expect(est.blocks).toBe(n);
      expect(est.hps / networkHashps(chain.slice(0, i + 1), n) - 1).toBeCloseTo(0, 12);
      expect(est.lowHps).toBeLessThan(est.hps);
      expect(est.highHps).toBeGreaterThan(est.hps);
    }
  });

  it.each(randomIndices)('block index %i: mempool object equals difficultyAdjustment on the blocks', (i) => {
    const s = snaps[i]!;
    const tip = chain[i]!;
    const e = tip.height - (tip.height % 2016);
    const ei = i - (tip.height - e);
    const expected = difficultyAdjustment({
      lastRetargetTimeSec: chain[ei]!.timestamp,
      quarterEpochBlockTimeSec: chain[i - 503]!.timestamp,
      nowSec: tip.timestamp,
      tipHeight: tip.height,
      // the data starts at an epoch start: its previous retarget is unknown, the builder passes 0
      previousRetargetPct: ei > 0 ? calcBitsDifference(chain[ei - 1]!.bits, chain[ei]!.bits) : 0,
      latestBlockTimestampSec: tip.timestamp,
      network: 'mainnet',
    });
    expect(s.retarget.mempool).toEqual(expected);
    expect(s.retarget.epochStartEstimated).toBe(false);
  });

  it.each(randomIndices)('block index %i: hashbell estimate equals the brute-force estimator', (i) => {
    const s = snaps[i]!;
    const tip = chain[i]!;
    const e = tip.height - (tip.height % 2016);
    const ei = i - (tip.height - e);
    const rate = estimateBlockTime(chain, i, tip.timestamp);
    const direct = estimateRetarget({
      bits: tip.bits,
      epochStartHeight: e,
      epochStartTimeSec: chain[ei]!.timestamp,
      tipHeight: tip.height,
      tipTimeSec: tip.timestamp,
      nowSec: tip.timestamp,
      rate,
    });
    expect(s.retarget.changePct).toBeCloseTo(direct.changePct, 6);
    expect(s.retarget.lowPct).toBeCloseTo(direct.lowPct, 6);
    expect(s.retarget.highPct).toBeCloseTo(direct.highPct, 6);
    expect(s.retarget.etaSec).toBeCloseTo(direct.etaSec, 0);
    expect(s.retarget.lowPct).toBeLessThanOrEqual(s.retarget.changePct);
    expect(s.retarget.highPct).toBeGreaterThanOrEqual(s.retarget.changePct);
  });

  it.each(randomIndices.slice(0, 8))('block index %i: peaks, fees and hash price ago equal brute force', (i) => {
    const s = snaps[i]!;
    const work = chain.map((b) => uint256ToDouble(blockWork(b.bits)));
    for (const [w, n] of [
      ['1d', 144],
      ['7d', 1008],
    ] as const) {
      for (const [l, len] of [
        ['7d', 1008],
        ['30d', 4320],
      ] as const) {
        let best = -1;
        for (let j = Math.max(n, i - len + 1); j <= i; j++) {
          let sum = 0;
          let lo = Infinity;
          let hi = -Infinity;
          for (let q = j - n; q <= j; q++) {
            if (q > j - n) sum += work[q]!;
            lo = Math.min(lo, chain[q]!.timestamp);
            hi = Math.max(hi, chain[q]!.timestamp);
          }
          best = Math.max(best, sum / (hi - lo));
        }
        expect(s.peaks[w][l]!.hps / best - 1).toBeCloseTo(0, 10);
        expect(s.peaks[w][l]!.hps).toBeGreaterThanOrEqual(s.hashrate[w]!.hps);
      }
    }
    const last = chain.slice(Math.max(0, i - 143), i + 1).filter((b) => b.feesKnown);
    expect(s.hashprice.feeBlocks).toBe(last.length);
    expect(s.hashprice.avgFeesSats).toBeCloseTo(last.reduce((a, b) => a + b.feesSats, 0) / last.length, 6);
    // 24h ago: newest block such that no block up to it is later than tip − 86400.
    let runMax = -Infinity;
    let at = -1;
    for (let j = 0; j <= i; j++) {
      runMax = Math.max(runMax, chain[j]!.timestamp);
      if (runMax <= chain[i]!.timestamp - 86_400) at = j;
    }
    expect(s.hashpriceAgo['24h']!.height).toBe(chain[at]!.height);
    expect(s.hashpriceAgo['24h']!.usdPerPhDay).toBe(snaps[at]!.hashprice.usdPerPhDay);
  });
});
