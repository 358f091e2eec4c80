/**
 * Seconds per block at the current difficulty, from recent intervals rescaled by difficulty.
 *
 * Weights: every interval of the current epoch counts fully (as in mempool's rule), older
 * intervals fade with their age from the tip (half-life 400 blocks), each rescaled to the tip's
 * difficulty. bench/estimators.ts chose this over fixed windows, pure exponential memories,
 * two-speed blends and shrinkage schemes: early in an epoch a few hundred fresh blocks cannot
 * tell a real hash-rate move from luck, so the previous epoch's blocks carry the estimate; by
 * mid-epoch the epoch's own blocks dominate, and a shift at the boundary stops mattering.
 *
 * This file holds the brute-force form (O(window)), used by benches, tests and anyone holding an
 * array of blocks; the SnapshotBuilder keeps the same sums incrementally.
 */
import { bitsToDifficulty } from './bits.ts';
import { EPOCH_BLOCKS } from './retarget.ts';
import type { BlockTimeEstimate } from './retarget-estimator.ts';

/**
 * Weighting of intervals before the current epoch: 2^(−age from the tip / halfLife), for the
 * `maxBlocks` intervals ending at or before the epoch's first block; older ones are ignored.
 */
export interface RateWindowConfig {
  readonly halfLifeBlocks: number;
  readonly maxBlocks: number;
}

/** Chosen with bench/estimators.ts (its output shows the MAE this buys over mempool's rule). */
export const DEFAULT_RATE_WINDOW: RateWindowConfig = { halfLifeBlocks: 400, maxBlocks: 4032 };

/** Weighted sums over past intervals, in seconds at the tip's difficulty. */
export interface BlockTimeSums {
  /** Σ weights. */
  readonly w: number;
  /** Σ weights². */
  readonly w2: number;
  /** Σ weight × rescaled interval, seconds. */
  readonly wx: number;
  /** Seconds since the tip without a block (weight 1, no block: censored evidence of slowness). */
  readonly waitSec: number;
}

/** What the estimate reads from each block. */
export interface TimedBlock {
  readonly height: number;
  readonly timestamp: number;
  readonly bits: number;
}

/**
 * θ̂ = weighted mean interval and n* = (Σw)²/Σw², the number of unweighted intervals that would
 * give the same relative variance; with n* the Beta-prime interval downstream is calibrated.
 */
export function blockTimeFromSums(s: BlockTimeSums): BlockTimeEstimate {
  if (!(s.w > 0)) return { meanBlockSec: 0, effectiveBlocks: 0 };
  return { meanBlockSec: (s.wx + s.waitSec) / s.w, effectiveBlocks: (s.w * s.w) / s.w2 };
}

/**
 * Brute force: the current epoch's intervals (ending after its first block) with weight 1, the
 * `maxBlocks` intervals ending at or before it with weight 2^(−age/halfLife). The interval ending
 * at block j took t_j at difficulty D_j, so at the tip's difficulty it would take t_j·D_tip/D_j on
 * average: previous-epoch blocks count as fully as this epoch's.
 */
export function blockTimeSums(
  blocks: ReadonlyArray<TimedBlock>,
  tipIndex: number,
  nowSec: number,
  config: RateWindowConfig = DEFAULT_RATE_WINDOW,
): BlockTimeSums {
  const tip = blocks[tipIndex];
  if (tip === undefined) throw new RangeError('blockTimeSums: tipIndex out of range');
  const dTip = bitsToDifficulty(tip.bits);
  const epochStart = tip.height - (tip.height % EPOCH_BLOCKS);
  const decay = 2 ** (-1 / config.halfLifeBlocks);
  let w = 0;
  let w2 = 0;
  let wx = 0;
  for (let j = tipIndex; j >= 1; j--) {
    const blk = blocks[j]!;
    if (blk.height <= epochStart - config.maxBlocks) break;
    const a = blk.height > epochStart ? 1 : decay ** (tip.height - blk.height);
    const x = (blk.timestamp - blocks[j - 1]!.timestamp) * (dTip / bitsToDifficulty(blk.bits));
    w += a;
    w2 += a * a;
    wx += a * x;
  }
  return { w, w2, wx, waitSec: Math.max(0, nowSec - tip.timestamp) };
}

/** {@link blockTimeFromSums} of {@link blockTimeSums}: the estimate at one block of an array. */
export function estimateBlockTime(
  blocks: ReadonlyArray<TimedBlock>,
  tipIndex: number,
  nowSec: number,
  config: RateWindowConfig = DEFAULT_RATE_WINDOW,
): BlockTimeEstimate {
  return blockTimeFromSums(blockTimeSums(blocks, tipIndex, nowSec, config));
}
