/**
 * hashbell's next-retarget estimate, with honest 90 % intervals for the change and its date.
 *
 * Model: under a steady hash rate H each block's time is exponential with mean work/H. The span
 * Core will measure is `elapsed` (known) + the time of the `m` blocks still to come, a
 * Gamma(m, θ) wait where θ = seconds per block at the current difficulty. θ is estimated from
 * recent block intervals, each rescaled to the current difficulty (an interval mined at
 * difficulty D_j counts as t_j·D/D_j), so blocks of the previous epoch are as good as this
 * epoch's: that is what makes the estimate useful from the epoch's first block. Because the
 * estimate of θ itself comes from n (effective) Gamma-distributed intervals, the remaining time
 * divided by θ̂·n is Beta-prime(m, n) exactly: quantiles of one Beta distribution carry both
 * the uncertainty of the hash rate and the luck of the blocks to come, with no sampling.
 * The % change is then what `nextBits` would give at each quantile of the span (4× clamps,
 * compact rounding), rendered as mempool's `calcBitsDifference`.
 */
import { bitsToDifficulty } from './bits.ts';
import { calcBitsDifference } from './difficulty-adjustment.ts';
import { EPOCH_BLOCKS, nextBits } from './retarget.ts';
import type { RetargetSnapshot } from './snapshot-types.ts';
import { betaPrimeQuantile } from './stats.ts';

/** θ̂ and the effective number of intervals it rests on. */
export interface BlockTimeEstimate {
  /** Estimated mean seconds per block at the current difficulty (600 = on schedule). */
  readonly meanBlockSec: number;
  /** Effective number of block intervals behind the estimate, (Σw)²/Σw². */
  readonly effectiveBlocks: number;
}

export interface RetargetEstimateInput {
  /** Bits of the current epoch. */
  readonly bits: number;
  readonly epochStartHeight: number;
  /**
   * Timestamp of the epoch's first block (Core's span starts here), or, when `blocksBeforeData`
   * is set, of the first block of the epoch that the caller has.
   */
  readonly epochStartTimeSec: number;
  /**
   * Blocks of this epoch before the caller's data starts (their times are unknown): they are
   * treated as waits still to be drawn, which widens the interval honestly. Default 0.
   */
  readonly blocksBeforeData?: number;
  readonly tipHeight: number;
  readonly tipTimeSec: number;
  /** Wall clock; time since the tip without a block is evidence too. */
  readonly nowSec: number;
  readonly rate: BlockTimeEstimate;
}

/**
 * The estimate's figures, exactly the RetargetSnapshot fields they fill: change % as the median
 * with its 90 % interval, and the retarget block's time (height epochStart + 2016), unix s.
 */
export type RetargetEstimate = Pick<
  RetargetSnapshot,
  'changePct' | 'lowPct' | 'highPct' | 'etaSec' | 'etaLowSec' | 'etaHighSec'
>;

/** Quantiles used for the point estimate and the 90 % interval. */
const P_LOW = 0.05;
const P_MID = 0.5;
const P_HIGH = 0.95;

/** Used only when no interval at all is known (a chain's first block): on-schedule, 1 block. */
const NO_DATA: BlockTimeEstimate = { meanBlockSec: 600, effectiveBlocks: 1 };

function waitQuantile(p: number, blocks: number, rate: BlockTimeEstimate): number {
  return rate.meanBlockSec * rate.effectiveBlocks * betaPrimeQuantile(p, blocks, rate.effectiveBlocks);
}

/**
 * % change between two bits as mempool renders it (so it equals the epochs CSV); where mempool's
 * function refuses (an exponent jump, possible only on chains that hit the pow limit, e.g.
 * regtest-like replays) the plain difficulty ratio, clamped the same way.
 */
export function retargetChangePct(oldBits: number, newBits: number): number {
  try {
    return calcBitsDifference(oldBits, newBits);
  } catch {
    const pct = (bitsToDifficulty(newBits) / bitsToDifficulty(oldBits) - 1) * 100;
    return Math.min(300, Math.max(-75, pct));
  }
}

function changeForSpan(bits: number, startSec: number, spanSec: number): number {
  const lastBlockTime = startSec + Math.round(spanSec);
  return retargetChangePct(bits, nextBits({ bits, firstBlockTime: startSec, lastBlockTime }));
}

/**
 * Median and 90 % interval of the coming retarget and of its date.
 * @throws RangeError when the tip is not inside the epoch that starts at epochStartHeight.
 */
export function estimateRetarget(input: RetargetEstimateInput): RetargetEstimate {
  const k = input.tipHeight - input.epochStartHeight;
  if (!(k >= 0 && k < EPOCH_BLOCKS) || input.epochStartHeight % EPOCH_BLOCKS !== 0) {
    throw new RangeError(`estimateRetarget: tip ${input.tipHeight} is not in epoch ${input.epochStartHeight}`);
  }
  const rate = input.rate.effectiveBlocks > 0 && input.rate.meanBlockSec > 0 ? input.rate : NO_DATA;
  const now = Math.max(input.nowSec, input.tipTimeSec);
  const t0 = input.epochStartTimeSec;
  const missing = input.blocksBeforeData ?? 0;
  if (!(Number.isInteger(missing) && missing >= 0 && missing <= k)) {
    throw new RangeError(`estimateRetarget: blocksBeforeData must be an integer in [0, ${k}]`);
  }
  const remaining = EPOCH_BLOCKS - 1 - k; // blocks until the epoch's last block (Core's span end)
  const unknown = remaining + missing; // waits not yet observed that make up Core's span
  let changePct: number;
  let lowPct: number;
  let highPct: number;
  if (unknown === 0) {
    // Locked in: the epoch's last block is the tip, the new bits are known exactly.
    changePct = changeForSpan(input.bits, t0, input.tipTimeSec - t0);
    lowPct = changePct;
    highPct = changePct;
  } else {
    // Locked in (remaining 0) with missing data: the tip time ends the span, not now.
    const elapsed = (remaining === 0 ? input.tipTimeSec : now) - t0;
    changePct = changeForSpan(input.bits, t0, elapsed + waitQuantile(P_MID, unknown, rate));
    // A longer span means an easier target: the high change comes from the short-wait quantile.
    highPct = changeForSpan(input.bits, t0, elapsed + waitQuantile(P_LOW, unknown, rate));
    lowPct = changeForSpan(input.bits, t0, elapsed + waitQuantile(P_HIGH, unknown, rate));
  }
  const toRetarget = remaining + 1; // the retarget block itself is the first of the next epoch
  return {
    changePct,
    lowPct,
    highPct,
    etaSec: now + waitQuantile(P_MID, toRetarget, rate),
    etaLowSec: now + waitQuantile(P_LOW, toRetarget, rate),
    etaHighSec: now + waitQuantile(P_HIGH, toRetarget, rate),
  };
}
