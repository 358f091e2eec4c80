/**
 * Hash rate over a window of blocks with an exact 90 % interval from block-arrival statistics.
 *
 * Under a steady hash rate H, n blocks of work w each take a time T with T·H/w ~ Gamma(n, 1), so
 * H lies in [g₀.₀₅·w/T, g₀.₉₅·w/T] with probability 90 % (g = Gamma(n) quantiles): the point
 * figure stays Core's getnetworkhashps (n·w/T) for comparability, the interval says how sure.
 */
import { gammaQuantile, normalQuantile } from './stats.ts';

/** A window's hash-rate figure, H/s. */
export interface HashrateInterval {
  readonly hps: number;
  readonly lowHps: number;
  readonly highHps: number;
}

const quantileCache = new Map<number, readonly [number, number]>();

/** Gamma(n) 5 % and 95 % quantiles divided by n, memoised (windows reuse a handful of n). */
export function gammaBand90(n: number): readonly [number, number] {
  let band = quantileCache.get(n);
  if (band === undefined) {
    band = [gammaQuantile(0.05, n) / n, gammaQuantile(0.95, n) / n];
    if (quantileCache.size < 10_000) quantileCache.set(n, band);
  }
  return band;
}

/**
 * Hash rate and 90 % interval from the work of `intervals` blocks (H, as a double) over `spanSec`.
 * @throws RangeError when intervals < 1 or spanSec ≤ 0 (no rate can be measured).
 */
export function hashrateInterval(work: number, spanSec: number, intervals: number): HashrateInterval {
  if (!(intervals >= 1) || !Number.isInteger(intervals))
    throw new RangeError(`hashrateInterval: need ≥ 1 interval, got ${intervals}`);
  if (!(spanSec > 0)) throw new RangeError(`hashrateInterval: span must be > 0 s, got ${spanSec}`);
  const hps = work / spanSec;
  const [lo, hi] = gammaBand90(intervals);
  return { hps, lowHps: hps * lo, highHps: hps * hi };
}

/** H/s → EH/s, the unit people quote. */
export function hpsToEhs(hps: number): number {
  return hps / 1e18;
}

/**
 * For `hashrate-drop`: the ratio current ÷ peak below which a CONSTANT hash rate falls with
 * probability about `p` at a given block, for a window of `windowBlocks` and a peak taken over
 * `lookbackBlocks`. The peak of many noisy window estimates is biased high (for 1d over 30d it
 * sits ~+20 % above the true rate), so comparing the current figure with the peak alone pages
 * people on luck; a drop is real only when the ratio is also below this floor.
 *
 * Approximation: ln(estimate) ≈ N(ln H, 1/n); the peak is the max of M ≈ 2·lookback/window
 * effectively independent estimates (overlapping windows are counted twice to stay on the safe
 * side); p is split equally between a low current value and a high peak.
 */
export function dropNoiseFloor(windowBlocks: number, lookbackBlocks: number, p = 0.001): number {
  if (!(windowBlocks >= 1 && lookbackBlocks >= 1)) throw new RangeError('dropNoiseFloor: blocks must be ≥ 1');
  if (!(p > 0 && p < 1)) throw new RangeError('dropNoiseFloor: p must be in (0, 1)');
  const sd = 1 / Math.sqrt(windowBlocks);
  const m = Math.max(1, 2 * Math.ceil(lookbackBlocks / windowBlocks));
  const low = normalQuantile(1 - p / 2) * sd;
  const high = normalQuantile((1 - p / 2) ** (1 / m)) * sd;
  return Math.exp(-low - high);
}
