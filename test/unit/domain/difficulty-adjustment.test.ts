import { describe, expect, it } from 'vitest';
import { calcBitsDifference, difficultyAdjustment } from '../../../src/domain/difficulty-adjustment.ts';
import type { DifficultyAdjustmentInput } from '../../../src/domain/difficulty-adjustment.ts';

const DA = 1_700_000_000;
const E = 2016 * 417; // an epoch start height // epoch start time used by the synthetic rows
const base: DifficultyAdjustmentInput = {
  lastRetargetTimeSec: DA,
  quarterEpochBlockTimeSec: null,
  nowSec: DA,
  tipHeight: E,
  previousRetargetPct: 0,
  latestBlockTimestampSec: DA,
  network: 'mainnet',
};

describe('difficultyAdjustment (mempool rule, recreated cases)', () => {
  // [what it proves, input overrides, expected fields (values derived by hand from the rule)]
  const rows: Array<[string, Partial<DifficultyAdjustmentInput>, Record<string, number>]> = [
    [
      'epoch start: no blocks yet, timeAvg defaults to 600 s, change from (0+1) blocks over 0 s is +∞ → clamp 300',
      { tipHeight: E, nowSec: DA },
      {
        progressPercent: 0,
        remainingBlocks: 2016,
        nextRetargetHeight: E + 2016,
        timeAvg: 600_000,
        difficultyChange: 300,
        expectedBlocks: 0,
      },
    ],
    [
      'mid-epoch on schedule: 1008 blocks in 1008·600 s; mempool counts bie + 1 blocks',
      { tipHeight: E + 1008, nowSec: DA + 1008 * 600 },
      {
        progressPercent: 50,
        remainingBlocks: 1008,
        timeAvg: 600_000,
        adjustedTimeAvg: 600_000,
        remainingTime: 1008 * 600_000,
        expectedBlocks: 1008,
      },
    ],
    [
      'slow blocks, 700 s average over 1000 blocks → ((1001·600)/700000 − 1)·100',
      { tipHeight: E + 1000, nowSec: DA + 700_000 },
      { timeAvg: 700_000, remainingBlocks: 1016, estimatedRetargetDate: (DA + 700_000) * 1000 + 1016 * 700_000 },
    ],
    [
      'a clock before the epoch start clamps diffSeconds at 0',
      { tipHeight: E + 1000, nowSec: DA - 100 },
      { expectedBlocks: 0, timeAvg: 0 },
    ],
    ['huge slowness clamps at −75', { tipHeight: E + 10, nowSec: DA + 10_000_000 }, { difficultyChange: -75 }],
  ];
  it.each(rows)('%s', (_what, over, expected) => {
    const out = difficultyAdjustment({ ...base, ...over });
    for (const [k, v] of Object.entries(expected)) expect(out[k as keyof typeof out]).toBe(v);
    expect(out.previousTime).toBe(DA);
  });

  it('mid-epoch change follows (600/(span/(bie+1)) − 1)·100', () => {
    const out = difficultyAdjustment({ ...base, tipHeight: E + 1000, nowSec: DA + 700_000 });
    expect(out.difficultyChange).toBeCloseTo(((1001 * 600) / 700_000 - 1) * 100, 12);
    expect(out.adjustedTimeAvg).toBe(out.timeAvg);
  });

  it('early epoch: sliding 504-block window rescales last epoch by the previous retarget (/503 avg, /504 change)', () => {
    // 100 blocks into the epoch, 60,000 s elapsed; block tip−503 was 250,000 s before the epoch start.
    const input = {
      ...base,
      tipHeight: E + 100,
      nowSec: DA + 60_000,
      quarterEpochBlockTimeSec: DA - 250_000,
      previousRetargetPct: 4,
    };
    const out = difficultyAdjustment(input);
    const adjustedSpan = 60_000 + 250_000 * 1.04;
    expect(out.difficultyChange).toBeCloseTo((600 / (adjustedSpan / 504) - 1) * 100, 12);
    expect(out.adjustedTimeAvg).toBe(Math.floor((adjustedSpan / 503) * 1000));
    expect(out.timeAvg).toBe(600_000); // 60,000 s / 100 blocks, unaffected by the window
    expect(out.remainingTime).toBe(1916 * out.adjustedTimeAvg);
  });

  it('the sliding window stops at block 503 of the epoch', () => {
    const input = { ...base, quarterEpochBlockTimeSec: DA - 250_000, previousRetargetPct: 4 };
    const at502 = difficultyAdjustment({ ...input, tipHeight: E + 502, nowSec: DA + 300_000 });
    const at503 = difficultyAdjustment({ ...input, tipHeight: E + 503, nowSec: DA + 300_000 });
    expect(at502.adjustedTimeAvg).not.toBe(at502.timeAvg);
    expect(at503.adjustedTimeAvg).toBe(at503.timeAvg);
    expect(at503.difficultyChange).toBeCloseTo((600 / (300_000 / 504) - 1) * 100, 12);
  });

  it('a quarterEpochTime of 0 or null disables the window (mempool tests truthiness)', () => {
    const a = difficultyAdjustment({ ...base, tipHeight: E + 100, nowSec: DA + 60_000, quarterEpochBlockTimeSec: 0 });
    expect(a.difficultyChange).toBeCloseTo((600 / (60_000 / 101) - 1) * 100, 12);
  });

  it('lock-in at block 2015: the tip timestamp replaces now', () => {
    const input = { ...base, tipHeight: E + 2015, latestBlockTimestampSec: DA + 1_200_000 };
    const early = difficultyAdjustment({ ...input, nowSec: DA + 1_200_500 });
    const late = difficultyAdjustment({ ...input, nowSec: DA + 1_900_000 });
    expect(early.difficultyChange).toBe(late.difficultyChange);
    expect(early.difficultyChange).toBeCloseTo((600 / (1_200_000 / 2016) - 1) * 100, 12);
    // one block earlier, now is used
    const b2014 = difficultyAdjustment({ ...input, tipHeight: E + 2014, nowSec: DA + 1_900_000 });
    expect(b2014.difficultyChange).toBeCloseTo((600 / (1_900_000 / 2015) - 1) * 100, 12);
  });

  it('testnet caps timeAvg at 1200 s and offsets by the time since the last block', () => {
    const out = difficultyAdjustment({
      ...base,
      network: 'testnet',
      tipHeight: E + 10,
      nowSec: DA + 20_000,
      latestBlockTimestampSec: DA + 19_500,
    });
    expect(out.timeAvg).toBe(1_200_000);
    expect(out.timeOffset).toBe(-500_000);
    const main = difficultyAdjustment({
      ...base,
      tipHeight: E + 10,
      nowSec: DA + 20_000,
      latestBlockTimestampSec: DA + 19_500,
    });
    expect(main.timeAvg).toBe(2_000_000);
    expect(main.timeOffset).toBe(0);
  });
});

describe('calcBitsDifference (mempool)', () => {
  // [old, new, expected, what it proves]
  const rows: Array<[number, number, number, string]> = [
    [0x1702796c, 0x1702796c, 0, 'same bits: 0 %'],
    [
      0x1d00ffff,
      0x1d00d86a,
      (0xffff * 100) / 0xd86a - 100,
      'same exponent: mantissa ratio (pow_tests retarget, +18 %)',
    ],
    [0x1c05a3f4, 0x1c0168fd, 300, 'the ×4 clamp: just over +300 % by compact rounding, clamped'],
    [0x1c387f6f, 0x1d00e1fd, (0x387f6f * 100) / (0x00e1fd << 8) - 100, 'exponent +1 (easier), near −75 %'],
    [0x1d00d86a, 0x1c7fffff, ((0xd86a << 8) * 100) / 0x7fffff - 100, 'exponent −1 (harder)'],
  ];
  it.each(rows)('%i → %i = %f (%s)', (o, n, expected) => {
    expect(calcBitsDifference(o, n)).toBe(Math.min(300, Math.max(-75, expected)));
  });
  const invalid: Array<[number, string]> = [
    [0, 'zero'],
    [1.5, 'not an integer'],
    [0x20800000, 'above 0x207fffff'],
    [0x1d80ffff, 'sign bit set'],
    [0x1d000000, 'zero mantissa'],
  ];
  it.each(invalid)('throws on invalid bits %s (%s)', (bits) => {
    expect(() => calcBitsDifference(bits, 0x1d00ffff)).toThrow(/Invalid bits/);
    expect(() => calcBitsDifference(0x1d00ffff, bits)).toThrow(RangeError);
  });
  it('throws on an exponent jump of 2', () => {
    expect(() => calcBitsDifference(0x1d00ffff, 0x1b00ffff)).toThrow(/exponent/);
  });
});
