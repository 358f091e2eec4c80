import { describe, expect, it } from 'vitest';
import { bitsToDifficulty, bitsToTarget, blockWork, targetToBits, uint256ToDouble } from '../../../src/domain/bits.ts';

const Z = (bytes: number): string => '00'.repeat(bytes);

describe('bitsToTarget / targetToBits (Core arith_uint256_tests SetCompact/GetCompact)', () => {
  // [bits, expected target hex, expected GetCompact of that target]
  const rows: Array<[number, string, number, string]> = [
    [0x00000000, '0', 0, 'zero encodes zero'],
    [0x00123456, '0', 0, 'size 0 shifts the whole mantissa away'],
    [0x01003456, '0', 0, 'size 1 keeps only the top mantissa byte, here 0'],
    [0x02000056, '0', 0, 'size 2 keeps two bytes, both 0'],
    [0x03000000, '0', 0, 'zero mantissa at size 3'],
    [0x04000000, '0', 0, 'zero mantissa at size 4'],
    [0x00923456, '0', 0, 'sign bit with a mantissa shifted to 0 is NOT negative'],
    [0x01803456, '0', 0, 'sign test uses the shifted word (Core quirk)'],
    [0x02800056, '0', 0, 'same quirk at size 2'],
    [0x03800000, '0', 0, 'sign bit with zero word: zero, not negative'],
    [0x04800000, '0', 0, 'same at size 4'],
    [0x01123456, '12', 0x01120000, 'size 1 keeps 0x12; GetCompact pads the mantissa'],
    [0x02123456, '1234', 0x02123400, 'size 2 keeps 0x1234'],
    [0x03123456, '123456', 0x03123456, 'size 3 is the mantissa itself, round-trips'],
    [0x04123456, '12345600', 0x04123456, 'size 4 shifts left one byte'],
    [0x05009234, '92340000', 0x05009234, 'a leading zero byte keeps the sign bit clear'],
    [0x20123456, '123456' + Z(29), 0x20123456, 'size 32, top of the 256-bit range'],
    [0x1d00ffff, 'ffff' + Z(26), 0x1d00ffff, 'difficulty-1 target (genesis bits)'],
    [0x2100ffff, 'ffff' + Z(30), 0x2100ffff, 'largest mantissa allowed at size 33'],
    [0x220000ff, 'ff' + Z(31), 0x2100ff00, 'largest at size 34; GetCompact re-encodes it canonically at size 33'],
  ];
  it.each(rows)('0x%s → %s (%s)', (bits, hex, compact) => {
    const target = bitsToTarget(bits);
    expect(target).toBe(BigInt(`0x${hex}`));
    expect(targetToBits(target)).toBe(compact);
  });

  // Core: negative when the (shifted) word is non-zero and the sign bit set; overflow past 256 bits.
  const bad: Array<[number, string]> = [
    [0x01fedcba, 'negative at size 1 (word 0x7e after the shift)'],
    [0x04923456, 'negative at size 4'],
    [0xff123456, 'overflow: size 255'],
    [0x23000001, 'overflow: size 35 > 34 with any non-zero word'],
    [0x22000100, 'overflow: word > 0xff at size 34'],
    [0x21010000, 'overflow: word > 0xffff at size 33'],
  ];
  it.each(bad)('0x%s throws RangeError (%s)', (bits) => {
    expect(() => bitsToTarget(bits)).toThrow(RangeError);
  });

  it('rejects non-uint32 inputs', () => {
    for (const v of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => bitsToTarget(v)).toThrow(RangeError);
  });

  it('GetCompact moves a would-be sign bit into the exponent, never sets 0x00800000', () => {
    // 0x80 has its top bit set: Core encodes it as 0x02008000, not 0x01800000.
    expect(targetToBits(0x80n)).toBe(0x02008000);
    // 0x800000 at size 3 would read as negative: becomes 0x04008000.
    expect(targetToBits(0x800000n)).toBe(0x04008000);
    // Rounds down to 3 significant bytes.
    expect(targetToBits(0x123456789n)).toBe(0x05012345);
    expect(() => targetToBits(-1n)).toThrow(RangeError);
    expect(() => targetToBits(1n << 256n)).toThrow(RangeError);
  });
});

describe('bitsToDifficulty (Core blockchain_tests get_difficulty)', () => {
  const rows: Array<[number, number, string]> = [
    [0x1f111111, 0.000001, 'easier than difficulty 1'],
    [0x1ef88f6f, 0.000016, 'one exponent step higher'],
    [0x1df88f6f, 0.004023, 'exponent 29: no scaling loop'],
    [0x1cf88f6f, 1.029916, 'just above difficulty 1'],
    [0x12345678, 5913134931067755359633408.0, 'huge difficulty via many ×256 steps'],
    [0x1d00ffff, 1, 'difficulty-1 target is exactly 1'],
  ];
  it.each(rows)('0x%s ≈ %s (%s)', (bits, diff) => {
    expect(Math.abs(bitsToDifficulty(bits) - diff) / diff).toBeLessThan(1e-5 / Math.min(diff, 1));
  });
});

describe('blockWork (Core GetBlockProof)', () => {
  it('is floor(2^256/(target+1)) computed as ~t/(t+1)+1', () => {
    for (const bits of [0x1d00ffff, 0x1702796c, 0x170362d3, 0x207fffff]) {
      const t = bitsToTarget(bits);
      const mask = (1n << 256n) - 1n;
      // Core's own formula, independent from the implementation's 2^256/(t+1).
      expect(blockWork(bits)).toBe((mask ^ t) / (t + 1n) + 1n);
    }
    // Difficulty-1 work is 0x100010001 (4295032833), the famous genesis chainwork step.
    expect(blockWork(0x1d00ffff)).toBe(0x100010001n);
    expect(blockWork(0)).toBe(0n);
  });
  it('uint256ToDouble adds limbs low to high like base_uint::getdouble', () => {
    expect(uint256ToDouble(0x100010001n)).toBe(4295032833);
    expect(uint256ToDouble(1n << 200n)).toBe(2 ** 200);
  });
});
