/**
 * Hash rate over a window of blocks with an exact 90 % interval from block-arrival statistics.
 *
 * Under a steady hash rate H, n blocks of work w each take a time T with T·H/w ~ Gamma(n, 1), so
 * H lies in [g₀.₀₅·w/T, g₀.₉₅·w/T] with probability 90 % (g = Gamma(n) quantiles): the point
 * figure stays Core's getnetworkhashps (n·w/T) for comparability, the interval says how sure.
 */
import { gammaQuantile } from './stats.ts';

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
