/**
 * The drop detector's grid (issue 10): which drop sizes have a cell, which CUSUMs a cell runs and
 * with which calibrated threshold, and the constants every part of the detector shares. The
 * detector itself is drop-detector.ts; its reference window drop-reference.ts; its saved state
 * drop-checkpoint.ts; all lookbacks together drop-detectors.ts.
 */
import { DROP_DEEP_EXTRA, DROP_THRESHOLDS } from './drop-thresholds.ts';
import type { Lookback } from './types.ts';

/** Whole-percent drop sizes with their own cell; a rule's pct maps with {@link dropCellPct}. */
export const DROP_PCT_MIN = 3;
export const DROP_PCT_MAX = 50;
export const DROP_PCTS: readonly number[] = Array.from(
  { length: DROP_PCT_MAX - DROP_PCT_MIN + 1 },
  (_, i) => DROP_PCT_MIN + i,
);

/** Blocks between the newest block and the end of the reference window (14 days). */
export const DROP_GAP_BLOCKS = 2016;
/** r = y/μ is capped here: one block cannot add more than (1−q)·cap − |ln q| nats. */
export const DROP_RATIO_CAP = 6;
/**
 * Recovery: evidence (nats) that the rate is back at the level before the drop, against the
 * drop still being on, before a cell says so. Tested against a level {@link DROP_RECOVER_SHARE}
 * of the cell's size below that level, or the drop's own measured level when it is deeper (so a
 * 10 % rule that saw a 30 % drop hears of its end in days, not weeks). Chosen by simulation
 * (bench/drop-detector.ts prints both sides): no recovery while a drop of up to the rule's size
 * is on, in 800 drop chains per lookback; at 10 nats and 1.0× the size (the old test), up to 8
 * of 100 chains at 30 % (14d) resolved while the drop was on.
 */
export const DROP_RECOVER_NATS = 12;
export const DROP_RECOVER_SHARE = 0.7;

/** Blocks after which a rebuilt detector agrees with a continuous one (clamped CUSUMs forget). */
export const DROP_WARMUP_BLOCKS = 2016;

/** The cell a rule with `pct` reads: rounded to a whole percent, within 3…50. */
export function dropCellPct(pct: number): number {
  return Math.min(DROP_PCT_MAX, Math.max(DROP_PCT_MIN, Math.round(pct)));
}

/**
 * Drop sizes (%) one cell's CUSUMs are tuned to: the cell's own, then deeper ones (×DEEP_STEP, up
 * to {@link DEEP_MAX}), sharing one threshold, so a 10 % rule also sees a 30 % drop nearly as soon
 * as a rule tuned to 30 % (the price: a slightly higher threshold, paid in calibration).
 */
export function tunedPcts(pct: number): number[] {
  const out = [pct];
  for (let d = pct * DEEP_STEP; d <= DEEP_MAX && out.length < STATS_PER_CELL; d *= DEEP_STEP) out.push(d);
  return out;
}
/**
 * Chosen by simulation (90d, 10 % cell, 100 drops each, delay ÷ known-rate optimum at
 * 15/20/25/30 %): ×2.5 with 2 CUSUMs 1.08/1.07/1.03/1.08; ×1.6 with 3: 1.09/1.05/1.04/1.09;
 * ×1.5 with 4: 1.13/1.07/1.03/1.06. More CUSUMs raise the threshold more than they help.
 */
const DEEP_STEP = 2.5;
const DEEP_MAX = 60;
/** CUSUMs per cell (unused slots stay at zero). */
export const STATS_PER_CELL = 2;

/**
 * Per-cell parameters (one table row); thresholds come from drop-thresholds.ts. `h` is the
 * threshold of the cell's own CUSUM; the deep one's is h + `deep` (threshold allocation: a
 * margin on the deep CUSUM lets h drop at the same false-alarm rate, so a rule sees a drop of its
 * own size sooner while far deeper drops are still seen within hours; 0 = one shared threshold).
 */
export interface CellParams {
  readonly pct: number;
  readonly h: number;
  readonly deep?: number;
}

export function cellParams(lookback: Lookback): CellParams[] {
  const hs = DROP_THRESHOLDS[lookback];
  const deep = DROP_DEEP_EXTRA[lookback];
  return DROP_PCTS.map((pct, i) => ({ pct, h: hs[i]!, deep }));
}
