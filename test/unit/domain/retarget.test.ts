import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bitsToTarget } from '../../../src/domain/bits.ts';
import { calcBitsDifference } from '../../../src/domain/difficulty-adjustment.ts';
import { nextBits, nextBitsBig, nextBitsFast, POW_LIMIT, TARGET_TIMESPAN_SEC } from '../../../src/domain/retarget.ts';
import { seededRandom } from '../../../src/domain/stats.ts';

describe('nextBits (Bitcoin Core pow_tests, mainnet)', () => {
  // [bits, first block time, last block time, expected bits]
  const rows: Array<[string, number, number, number, number]> = [
    // get_next_work: block #30240 → #32255, plain proportional retarget.
    ['get_next_work', 0x1d00ffff, 1261130161, 1262152739, 0x1d00d86a],
    // get_next_work_pow_limit: genesis epoch was slow; the result is capped at the pow limit.
    ['get_next_work_pow_limit', 0x1d00ffff, 1231006505, 1233061996, 0x1d00ffff],
    // get_next_work_lower_limit_actual: span < 3.5 days → clamped to ×¼ target (4× difficulty).
    ['get_next_work_lower_limit_actual', 0x1c05a3f4, 1279008237, 1279297671, 0x1c0168fd],
    // get_next_work_upper_limit_actual: span > 8 weeks → clamped to ×4 target (¼ difficulty).
    ['get_next_work_upper_limit_actual', 0x1c387f6f, 1263163443, 1269211443, 0x1d00e1fd],
  ];
  it.each(rows)('%s', (_name, bits, first, last, expected) => {
    expect(nextBits({ bits, firstBlockTime: first, lastBlockTime: last })).toBe(expected);
  });

  it('an exactly two-week span keeps the bits (no drift from rounding)', () => {
    for (const bits of [0x1702796c, 0x170362d3, 0x1701fca1]) {
      expect(nextBits({ bits, firstBlockTime: 1_000_000, lastBlockTime: 1_000_000 + 1_209_600 })).toBe(bits);
    }
  });

  it('spans beyond the clamps give the same bits as the clamp itself', () => {
    const bits = 0x1702796c;
    const at = (span: number): number => nextBits({ bits, firstBlockTime: 0, lastBlockTime: span });
    expect(at(1)).toBe(at(302_400));
    expect(at(-5000)).toBe(at(302_400)); // a negative span (timestamps out of order) clamps too
    expect(at(99_999_999)).toBe(at(4_838_400));
    expect(calcBitsDifference(bits, at(1))).toBeCloseTo(300, 3);
    expect(calcBitsDifference(bits, at(99_999_999))).toBeCloseTo(-75, 3);
  });

  it('never exceeds the pow limit', () => {
    expect(
      bitsToTarget(nextBits({ bits: 0x1d00ffff, firstBlockTime: 0, lastBlockTime: 4_838_400 })),
    ).toBeLessThanOrEqual(POW_LIMIT);
  });

  it('rejects fractional times', () => {
    expect(() => nextBits({ bits: 0x1d00ffff, firstBlockTime: 0.5, lastBlockTime: 1 })).toThrow(RangeError);
  });
});

describe('nextBits without BigInt (the estimator asks it three times a block)', () => {
  const MIN = TARGET_TIMESPAN_SEC / 4;
  const MAX = TARGET_TIMESPAN_SEC * 4;
  const mainnetBits = [
    ...new Set(
      readFileSync('data/bitcoin-mainnet-epochs.csv', 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[4])),
    ),
  ];

  /** Every clamped span for one bits (3.5 days to 8 weeks, 4.5 million), fast against BigInt. */
  const mismatches = (bits: number, spans: Iterable<number>): number[] => {
    const bad: number[] = [];
    for (const span of spans) {
      const fast = nextBitsFast(bits, span);
      if (fast < 0 || fast !== nextBitsBig(bits, span)) bad.push(span);
    }
    return bad;
  };
  /** Every span within 20,000 s of the clamps and of two weeks (where the pow-limit cap bites). */
  function* nearEdges(): Generator<number> {
    for (const at of [MIN, TARGET_TIMESPAN_SEC, MAX])
      for (let span = Math.max(MIN, at - 20_000); span <= Math.min(MAX, at + 20_000); span++) yield span;
  }

  it('equals the BigInt form for every mainnet bits value at 2,000 spans each, clamps included', () => {
    expect(mainnetBits.length).toBeGreaterThan(200);
    const rnd = seededRandom(11);
    for (const bits of mainnetBits) {
      const spans = [MIN, MIN + 1, TARGET_TIMESPAN_SEC - 1, TARGET_TIMESPAN_SEC, TARGET_TIMESPAN_SEC + 1, MAX - 1, MAX];
      for (let i = 0; i < 2_000; i++) spans.push(MIN + Math.floor(rnd() * (MAX - MIN + 1)));
      expect(mismatches(bits, spans), `bits 0x${bits.toString(16)}`).toEqual([]);
    }
  });

  it('equals it on every span near the clamps and two weeks, for recent bits and the pow limit', () => {
    for (const bits of [0x17023a04, 0x1702796c, 0x1d00ffff, 0x1c05a3f4, 0x1c387f6f]) {
      expect(mismatches(bits, nearEdges()), `bits 0x${bits.toString(16)}`).toEqual([]);
    }
  });

  it('equals it on random compact targets of every size it takes, and declines the rest', () => {
    const rnd = seededRandom(12);
    let used = 0;
    for (let i = 0; i < 100_000; i++) {
      const e = 1 + Math.floor(rnd() * 34);
      // Mantissas from 1 up, so tiny and sign-bit-adjacent ones are covered.
      const m = i % 4 === 0 ? 1 + Math.floor(rnd() * 0xff) : Math.floor(rnd() * 0x800000);
      const bits = ((e << 24) | m) >>> 0;
      const span = MIN + Math.floor(rnd() * (MAX - MIN + 1));
      const fast = nextBitsFast(bits, span);
      if (fast < 0) continue;
      used++;
      expect(fast, `bits 0x${bits.toString(16)} span ${span}`).toBe(nextBitsBig(bits, span));
    }
    expect(used).toBeGreaterThan(50_000);
    expect(nextBitsFast(0x1d80ffff, TARGET_TIMESPAN_SEC)).toBe(-1); // negative encoding: BigInt throws
    expect(nextBitsFast(0x2100ffff, TARGET_TIMESPAN_SEC)).toBe(-1); // too wide for doubles
    expect(nextBitsFast(0x1d00ffff, 0.5)).toBe(-1);
    expect(() => nextBits({ bits: 0x1d80ffff, firstBlockTime: 0, lastBlockTime: 1 })).toThrow(RangeError);
  });
});
