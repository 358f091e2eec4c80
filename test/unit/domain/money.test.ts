import { describe, expect, it } from 'vitest';
import { bitsToDifficulty, blockWork } from '../../../src/domain/bits.ts';
import { hashprice } from '../../../src/domain/hashprice.ts';
import { networkHashps } from '../../../src/domain/network-hashps.ts';
import { blockSubsidySats } from '../../../src/domain/subsidy.ts';
import { loadRealBlocks } from './fixtures.ts';

describe('blockSubsidySats (GetBlockSubsidy)', () => {
  const rows: Array<[number, number, string]> = [
    [0, 5_000_000_000, 'genesis era: 50 BTC'],
    [209_999, 5_000_000_000, 'last block before the first halving'],
    [210_000, 2_500_000_000, 'first halving'],
    [839_999, 625_000_000, 'last 6.25 BTC block'],
    [840_000, 312_500_000, '2024-04-20 halving: 3.125 BTC'],
    [1_049_999, 312_500_000, 'last 3.125 BTC block'],
    [1_050_000, 156_250_000, 'next halving: 1.5625 BTC'],
    [210_000 * 33, 0, '33 halvings: 50e8 >> 33 = 0 sats (integer shift)'],
    [210_000 * 32, 1, '32 halvings: 1 sat'],
    [210_000 * 64, 0, '64+ halvings: explicitly 0 in Core'],
  ];
  it.each(rows)('height %i → %i sats (%s)', (h, sats) => expect(blockSubsidySats(h)).toBe(sats));
  it('rejects negative or fractional heights', () => {
    expect(() => blockSubsidySats(-1)).toThrow(RangeError);
    expect(() => blockSubsidySats(1.5)).toThrow(RangeError);
  });
});

describe('hashprice (Luxor)', () => {
  it('expected revenue per PH/day from difficulty, subsidy and fees', () => {
    // 2024-03-31: difficulty 83.127 T, 6.25 BTC + 0.2 BTC fees, $69,880.
    const d = 83126997340024.61;
    const hp = hashprice({ difficulty: d, subsidySats: 625_000_000, avgFeesSats: 20_000_000, priceUsd: 69_880 });
    // blocks per PH/day = 1e15·86400/(D·2^32) ≈ 0.24201; × 6.45 BTC
    const blocks = (1e15 * 86400) / (d * 2 ** 32);
    expect(hp.btcPerPhDay).toBeCloseTo(blocks * 6.45, 12);
    expect(hp.satsPerPhDay).toBeCloseTo(blocks * 645_000_000, 4);
    expect(hp.usdPerPhDay).toBeCloseTo(hp.btcPerPhDay * 69_880, 9);
    expect(hp.usdPerThDay).toBeCloseTo(hp.usdPerPhDay / 1000, 12);
    // ≈ $109/PH/day, the published Hashrate Index level for that week (sanity, not precision)
    expect(hp.usdPerPhDay).toBeGreaterThan(100);
    expect(hp.usdPerPhDay).toBeLessThan(120);
  });
  it('halves the subsidy part when the subsidy halves', () => {
    const a = hashprice({ difficulty: 1e14, subsidySats: 625_000_000, avgFeesSats: 0, priceUsd: 1 });
    const b = hashprice({ difficulty: 1e14, subsidySats: 312_500_000, avgFeesSats: 0, priceUsd: 1 });
    expect(a.btcPerPhDay / b.btcPerPhDay).toBeCloseTo(2, 12);
  });
  it('rejects nonsense', () => {
    expect(() => hashprice({ difficulty: 0, subsidySats: 1, avgFeesSats: 0, priceUsd: 1 })).toThrow(RangeError);
    expect(() => hashprice({ difficulty: 1, subsidySats: -1, avgFeesSats: 0, priceUsd: 1 })).toThrow(RangeError);
    expect(() => hashprice({ difficulty: 1, subsidySats: 1, avgFeesSats: Number.NaN, priceUsd: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('networkHashps (getnetworkhashps)', () => {
  const real = loadRealBlocks().init_2024_03_31.blocks;

  it('real blocks 837043–837050: work of 7 blocks over max−min time', () => {
    const hps = networkHashps(real, 7);
    const times = real.map((b) => b.timestamp);
    const span = Math.max(...times) - Math.min(...times);
    // Independent approximation: D·2^32 per block (differs from exact work by ~1.5e-5).
    const approx = (7 * real[0]!.difficulty * 2 ** 32) / span;
    expect(Math.abs(hps / approx - 1)).toBeLessThan(2e-5);
    expect(hps).not.toBe(approx);
  });

  it('uses min/max timestamps, not first/last', () => {
    const bits = 0x1702796c;
    // The middle block's time is earlier than the first: min is 900, not 1000.
    const blocks = [
      { height: 10, timestamp: 1000, bits },
      { height: 11, timestamp: 900, bits },
      { height: 12, timestamp: 2200, bits },
    ];
    const expected = Number(2n * blockWork(bits)) / 1300;
    expect(networkHashps(blocks, 2)).toBeCloseTo(expected, -3);
    expect(networkHashps(blocks, 2) / expected).toBeCloseTo(1, 14);
  });

  it('caps the window at the tip height, −1 means since the retarget, equal times give 0', () => {
    const bits = 0x1d00ffff;
    const blocks = Array.from({ length: 5 }, (_, h) => ({ height: h, timestamp: 1000 + 600 * h, bits }));
    expect(networkHashps(blocks, 120)).toBe(networkHashps(blocks, 4));
    expect(networkHashps(blocks, -1)).toBe(networkHashps(blocks, 4)); // height 4 % 2016 + 1 = 5 → capped to 4
    expect(networkHashps(blocks, 1)).toBeCloseTo(4295032833 / 600, 6);
    const flat = blocks.map((b) => ({ ...b, timestamp: 5 }));
    expect(networkHashps(flat, 4)).toBe(0);
  });

  it('rejects bad windows, missing history and gaps', () => {
    const bits = 0x1d00ffff;
    const blocks = [
      { height: 100, timestamp: 1, bits },
      { height: 101, timestamp: 2, bits },
    ];
    expect(() => networkHashps(blocks, 0)).toThrow(RangeError);
    expect(() => networkHashps(blocks, -2)).toThrow(RangeError);
    expect(() => networkHashps(blocks, 5)).toThrow(/need 6 blocks/);
    expect(() =>
      networkHashps(
        [
          { height: 100, timestamp: 1, bits },
          { height: 102, timestamp: 2, bits },
        ],
        1,
      ),
    ).toThrow(/contiguous/);
    expect(() => networkHashps([], 1)).toThrow(RangeError);
  });

  it('difficulty-implied rate at 600 s blocks matches D·2^32/600 to 2e-5', () => {
    const bits = 0x1701fca1;
    const blocks = Array.from({ length: 145 }, (_, i) => ({
      height: 933_000 + i,
      timestamp: 1_769_000_000 + 600 * i,
      bits,
    }));
    expect(Math.abs(networkHashps(blocks, 144) / ((bitsToDifficulty(bits) * 2 ** 32) / 600) - 1)).toBeLessThan(2e-5);
  });
});
