import { describe, expect, it } from 'vitest';
import { calcBitsDifference } from '../../../src/domain/difficulty-adjustment.ts';
import { blockTimeSums, estimateBlockTime } from '../../../src/domain/block-time.ts';
import { hashrateInterval, hpsToEhs } from '../../../src/domain/hashrate.ts';
import { nextBits } from '../../../src/domain/retarget.ts';
import { estimateRetarget } from '../../../src/domain/retarget-estimator.ts';
import { simulateChain } from '../../../src/domain/simulate.ts';
import {
  betaI,
  betaPrimeQuantile,
  betaQuantile,
  gammaP,
  gammaQuantile,
  normalQuantile,
  seededRandom,
} from '../../../src/domain/stats.ts';

describe('stats', () => {
  // [p, shape, published quantile, what it proves]
  const gammaRows: Array<[number, number, number, string]> = [
    [0.95, 5, 9.153519, 'chi-square(10) 95 % = 18.307 (tables), halved'],
    [0.05, 1, 0.0512933, 'exponential: −ln(0.95)'],
    [0.5, 1, Math.LN2, 'exponential median'],
    [0.95, 72, 86.6, 'chi-square(144)/2 ≈ 86.6 (Wilson–Hilferty region)'],
  ];
  it.each(gammaRows)('gammaQuantile(%f, %f) ≈ %f (%s)', (p, a, q) => {
    const x = gammaQuantile(p, a);
    expect(Math.abs(x / q - 1)).toBeLessThan(a > 50 ? 2e-3 : 1e-5);
    expect(gammaP(a, x)).toBeCloseTo(p, 10);
  });
  it('betaQuantile inverts betaI for small and large shapes', () => {
    for (const [a, b] of [
      [1, 1],
      [0.5, 0.5],
      [2015, 1154],
      [1, 3000],
      [50, 2],
    ] as const) {
      for (const p of [0.05, 0.5, 0.95]) expect(betaI(betaQuantile(p, a, b), a, b)).toBeCloseTo(p, 10);
    }
    // Beta(1,1) is uniform: quantile = p.
    expect(betaQuantile(0.3, 1, 1)).toBeCloseTo(0.3, 12);
  });
  it('normalQuantile agrees with reference quantiles (R qnorm) to 1.2e-9 relative, tails included', () => {
    // [p, qnorm(p)]: centre, the 90 % and 95 % bounds, both tails down to 1e-10, and the
    // region boundary of Acklam's central branch (0.02425) from either side.
    const table: ReadonlyArray<readonly [number, number]> = [
      [0.5, 0],
      [0.6, 0.2533471031357997],
      [0.3, -0.5244005127080407],
      [0.8, 0.8416212335729143],
      [0.95, 1.6448536269514722],
      [0.05, -1.6448536269514722],
      [0.975, 1.959963984540054],
      [0.99, 2.3263478740408408],
      [0.01, -2.3263478740408408],
      [0.999, 3.090232306167813],
      [0.001, -3.090232306167813],
      [0.9999, 3.719016485455709],
      [1e-5, -4.264890793922825],
      [1e-10, -6.361340902404056],
    ];
    for (const [p, q] of table) {
      const got = normalQuantile(p);
      expect(Math.abs(got - q), `p = ${p}`).toBeLessThanOrEqual(1.2e-9 * Math.max(1e-12, Math.abs(q)));
    }
    // Symmetric (up to 1 − p's rounding), and monotone across the branch boundaries.
    for (const p of [1e-8, 0.02, 0.02425, 0.1, 0.4])
      expect(Math.abs(normalQuantile(p) + normalQuantile(1 - p))).toBeLessThan(1e-8);
    const ps = [0.0242, 0.02425, 0.0243, 0.9757, 0.97575, 0.9758];
    for (let i = 1; i < ps.length; i++) expect(normalQuantile(ps[i]!)).toBeGreaterThan(normalQuantile(ps[i - 1]!));
  });

  it('normalQuantile matches the 1.6449 of every table', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 6);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644854, 6);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
  it('seededRandom is deterministic and uniform-ish', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.01);
  });
});

describe('hashrateInterval', () => {
  it('90 % interval covers the true rate ~90 % of the time (exponential block times)', () => {
    const rnd = seededRandom(7);
    const work = 1e21;
    const trueHps = 8e20 / 600;
    for (const n of [144, 432]) {
      let covered = 0;
      const trials = 2000;
      for (let t = 0; t < trials; t++) {
        let span = 0;
        for (let i = 0; i < n; i++) span += -Math.log(1 - rnd()) * (work / trueHps);
        const h = hashrateInterval(n * work, span, n);
        if (h.lowHps <= trueHps && trueHps <= h.highHps) covered++;
      }
      expect(covered / trials).toBeGreaterThan(0.87);
      expect(covered / trials).toBeLessThan(0.93);
    }
  });
  it('width shrinks like 1/√n and the point is work/span', () => {
    const a = hashrateInterval(144e20, 144 * 600, 144);
    const b = hashrateInterval(1008e20, 1008 * 600, 1008);
    expect(a.hps).toBe(1e20 / 600);
    expect((a.highHps - a.lowHps) / (b.highHps - b.lowHps)).toBeCloseTo(Math.sqrt(1008 / 144), 1);
    expect(hpsToEhs(1e18)).toBe(1);
    expect(() => hashrateInterval(1, 0, 10)).toThrow(RangeError);
  });
});

describe('estimateRetarget', () => {
  const base = { bits: 0x1702796c, epochStartHeight: 2016 * 450, epochStartTimeSec: 1_750_000_000 };
  it('locked in at block 2015: exact consensus change, zero-width interval', () => {
    const tipTimeSec = base.epochStartTimeSec + 1_100_000;
    const est = estimateRetarget({
      ...base,
      tipHeight: base.epochStartHeight + 2015,
      tipTimeSec,
      nowSec: tipTimeSec + 50,
      rate: { meanBlockSec: 600, effectiveBlocks: 1000 },
    });
    const exact = calcBitsDifference(
      base.bits,
      nextBits({ bits: base.bits, firstBlockTime: base.epochStartTimeSec, lastBlockTime: tipTimeSec }),
    );
    expect(est.changePct).toBe(exact);
    expect(est.lowPct).toBe(exact);
    expect(est.highPct).toBe(exact);
    expect(est.etaLowSec).toBeLessThan(est.etaSec);
  });
  it('on-schedule rate at the epoch start: ≈ +0.05 % (Core counts 2015 intervals), interval ±~5 %', () => {
    const est = estimateRetarget({
      ...base,
      tipHeight: base.epochStartHeight,
      tipTimeSec: base.epochStartTimeSec,
      nowSec: base.epochStartTimeSec,
      rate: { meanBlockSec: 600, effectiveBlocks: 1000 },
    });
    expect(est.changePct).toBeGreaterThan(-0.5);
    expect(est.changePct).toBeLessThan(0.5);
    expect(est.lowPct).toBeLessThan(-3);
    expect(est.highPct).toBeGreaterThan(3);
    expect(est.etaSec - base.epochStartTimeSec).toBeCloseTo(2016 * 600, -4);
  });
  it('rejects a tip outside the epoch', () => {
    expect(() =>
      estimateRetarget({
        ...base,
        tipHeight: base.epochStartHeight + 2016,
        tipTimeSec: 0,
        nowSec: 0,
        rate: { meanBlockSec: 600, effectiveBlocks: 10 },
      }),
    ).toThrow(RangeError);
  });
  it('blockTimeSums rescales previous-epoch intervals by the difficulty ratio', () => {
    // Two epochs mined at exactly 600 s per block at the respective difficulties: θ̂ = 600.
    const blocks = [
      { height: 2014, timestamp: 0, bits: 0x1702796c },
      { height: 2015, timestamp: 600, bits: 0x1702796c },
      // next difficulty is 2× (target halved): at the old hash rate, blocks take 1200 s
      { height: 2016, timestamp: 1800, bits: 0x17013cb6 },
    ];
    const s = blockTimeSums(blocks, 2, 1800, { halfLifeBlocks: 1e9, maxBlocks: 10 });
    expect(s.wx / s.w).toBeCloseTo(1200, 0);
    expect(estimateBlockTime(blocks, 2, 1800 + 600, { halfLifeBlocks: 1e9, maxBlocks: 10 }).meanBlockSec).toBeCloseTo(
      1500,
      0,
    );
  });
});

describe('calibration of the retarget interval (1,200 simulated epochs)', () => {
  it('covers the realised change 87–93 % of the time at 10 %, 25 % and 50 % of the epoch', () => {
    const progress = [0.1, 0.25, 0.5];
    const covered = [0, 0, 0];
    const epochs = 1200;
    for (let s = 0; s < epochs; s++) {
      const level = 0.9 + (s % 21) / 100; // constant hash rate, 0.90…1.10 × the start difficulty's
      const drift = s % 2 === 0 ? 0 : 0.01; // every other chain drifts mildly: +1 % per epoch
      const blocks = simulateChain({
        seed: 90_000 + s,
        startHeight: 0,
        startTimeSec: 1_700_000_000,
        startBits: 0x1702796c,
        blocks: 3 * 2016 + 1,
        hashrate: (_h, t) => level * (1 + (drift * (t - 1_700_000_000)) / 1_209_600),
      });
      const e = 4032;
      const start = blocks[e]!;
      const actual = calcBitsDifference(start.bits, blocks[6048]!.bits);
      progress.forEach((p, i) => {
        const ti = e + Math.round(p * 2016);
        const tip = blocks[ti]!;
        const est = estimateRetarget({
          bits: start.bits,
          epochStartHeight: e,
          epochStartTimeSec: start.timestamp,
          tipHeight: tip.height,
          tipTimeSec: tip.timestamp,
          nowSec: tip.timestamp,
          rate: estimateBlockTime(blocks, ti, tip.timestamp),
        });
        if (actual >= est.lowPct && actual <= est.highPct) covered[i]! += 1;
      });
    }
    const coverage = covered.map((c) => c / epochs);
    console.log(`calibration coverage at 10/25/50 %: ${coverage.map((c) => c.toFixed(3)).join(' ')}`);
    for (const c of coverage) {
      expect(c).toBeGreaterThanOrEqual(0.87);
      expect(c).toBeLessThanOrEqual(0.93);
    }
  });
});

describe('betaPrimeQuantile', () => {
  it('the Wilson–Hilferty branch agrees with exact inversion to 1e-4', () => {
    for (const a of [30, 200, 2015]) {
      for (const b of [30, 1154, 3000]) {
        for (const p of [0.05, 0.5, 0.95]) {
          const x = betaQuantile(p, a, b);
          expect(Math.abs(betaPrimeQuantile(p, a, b) / (x / (1 - x)) - 1)).toBeLessThan(1e-4);
        }
      }
    }
  });
});
