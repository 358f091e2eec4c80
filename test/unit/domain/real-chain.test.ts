import { describe, expect, it } from 'vitest';
import { bitsToDifficulty, bitsToTarget, targetToBits } from '../../../src/domain/bits.ts';
import { calcBitsDifference, difficultyAdjustment } from '../../../src/domain/difficulty-adjustment.ts';
import { blockSubsidySats } from '../../../src/domain/subsidy.ts';
import { loadEpochs, loadRealBlocks } from './fixtures.ts';

const epochs = loadEpochs();
const real = loadRealBlocks();
const allBlocks = [...real.init_2024_03_31.blocks, ...real.ws_2025_04_01.blocks];

describe('every epoch of mainnet history (bitcoin-mainnet-epochs.csv)', () => {
  it('has all 474 epochs', () => {
    expect(epochs.length).toBe(474);
    expect(epochs.every((e, i) => e.epoch === i && e.startHeight === i * 2016)).toBe(true);
  });

  // Each row proves GetDifficulty bit for bit, GetCompact of the real target, and mempool's %.
  it.each(epochs.map((e) => [e.epoch, e] as const))('epoch %i', (_n, e) => {
    expect(e.bits).toBe(Number.parseInt(e.bitsHex, 16));
    expect(bitsToDifficulty(e.bits)).toBe(e.difficulty);
    expect(targetToBits(BigInt(`0x${e.targetHex}`))).toBe(e.bits);
    expect(bitsToTarget(e.bits)).toBe(BigInt(`0x${e.targetHex}`));
    if (e.epoch > 0) {
      const prev = epochs[e.epoch - 1]!;
      expect(calcBitsDifference(prev.bits, e.bits)).toBe(e.changePct);
    }
  });
});

describe('17 real blocks from mempool.space', () => {
  it.each(allBlocks.map((b) => [b.height, b] as const))('block %i', (height, b) => {
    // mempool's difficulty is Core's GetDifficulty of the header bits.
    expect(bitsToDifficulty(b.bits)).toBe(b.difficulty);
    expect(b.bits).toBe(Number.parseInt(b.bits_hex, 16));
    // reward − current subsidy = fees: the subsidy schedule is right across the 2024 halving.
    expect(b.reward_sats - blockSubsidySats(height)).toBe(b.totalFees_sats);
    // The block's bits are the bits of its epoch in the CSV.
    expect(b.bits).toBe(epochs[Math.floor(height / 2016)]!.bits);
  });

  it('reproduces the captured difficulty-adjustment object of 2024-03-31', () => {
    const da = real.init_2024_03_31.da;
    const blocks = real.init_2024_03_31.blocks;
    const tip = blocks[blocks.length - 1]!;
    const epoch = Math.floor(tip.height / 2016);
    // previousRetarget is calcBitsDifference of the previous and current epochs' bits.
    const previousRetargetPct = calcBitsDifference(epochs[epoch - 1]!.bits, epochs[epoch]!.bits);
    expect(previousRetargetPct).toBe(da.previousRetarget);
    // now is derivable from expectedBlocks = (now − DATime)/600.
    const nowSec = Math.round(da.expectedBlocks! * 600) + da.previousTime!;
    // Block tip−503 is not in the capture: solve the sliding-window formula for it; it must come
    // out an integer timestamp (a strong check that the rule, /504 included, is mempool's).
    const adjustedSpan = 302_400 / (1 + da.difficultyChange! / 100);
    const timeLastEpoch = (adjustedSpan - (nowSec - da.previousTime!)) / (1 + previousRetargetPct / 100);
    expect(Math.abs(timeLastEpoch - Math.round(timeLastEpoch))).toBeLessThan(1e-6);
    const out = difficultyAdjustment({
      lastRetargetTimeSec: da.previousTime!,
      quarterEpochBlockTimeSec: da.previousTime! - Math.round(timeLastEpoch),
      nowSec,
      tipHeight: tip.height,
      previousRetargetPct,
      latestBlockTimestampSec: tip.timestamp,
      network: 'mainnet',
    });
    // Every field, including the /503 average and the ms fields built from it.
    expect(out).toEqual(da);
  });
});
