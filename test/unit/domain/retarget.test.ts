import { describe, expect, it } from 'vitest';
import { bitsToTarget } from '../../../src/domain/bits.ts';
import { calcBitsDifference } from '../../../src/domain/difficulty-adjustment.ts';
import { nextBits, POW_LIMIT } from '../../../src/domain/retarget.ts';

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
