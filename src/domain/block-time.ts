/**
 * Seconds per block at the current difficulty, from recent intervals rescaled by difficulty.
 *
 * One exponentially weighted mean (half-life 400 blocks) of the intervals, each rescaled to the
 * tip's difficulty. bench/estimators.ts chose it over fixed windows, two-speed blends and
 * shrinkage schemes: early in an epoch a few hundred fresh blocks cannot tell a real hash-rate
 * move from luck, so the best compromise between a steady chain (wants many blocks) and a moved
 * one (wants recent blocks) is a single memory of about 1,150 effective blocks, the most recent
 * weighing most.
 *
 * This file holds the brute-force form (O(window)), used by benches, tests and anyone holding an
 * array of blocks; the SnapshotBuilder keeps the same sums incrementally.
 */
import { bitsToDifficulty } from './bits.ts';
import type { BlockTimeEstimate } from './retarget-estimator.ts';

/** Weighting of past intervals: 2^(−age/halfLife), ignored beyond maxBlocks. */
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
 * Brute force: sums over the intervals ending at blocks tipIndex−maxBlocks+1 … tipIndex. The
 * interval ending at block j took t_j at difficulty D_j, so at the tip's difficulty it would take
 * t_j·D_tip/D_j on average: previous-epoch blocks count as fully as this epoch's.
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
  const decay = 2 ** (-1 / config.halfLifeBlocks);
  let w = 0;
  let w2 = 0;
  let wx = 0;
  let a = 1;
  const first = Math.max(1, tipIndex - config.maxBlocks + 1);
  for (let j = tipIndex; j >= first; j--) {
    const blk = blocks[j]!;
    const x = (blk.timestamp - blocks[j - 1]!.timestamp) * (dTip / bitsToDifficulty(blk.bits));
    w += a;
    w2 += a * a;
    wx += a * x;
    a *= decay;
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
