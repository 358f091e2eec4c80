/**
 * Simulated chains for the drop detector's calibration, its test and its benchmark. Given the
 * hash rate, difficulty-normalised intervals are i.i.d. exponential, so y is drawn directly
 * (retargets change nothing about y: that is the point of normalising by work) — seconds per
 * chain-year instead of minutes. The same DropDetector class as production is fed.
 */
import { createRng } from './prng.ts';
import { DROP_GAP_BLOCKS, type CellParams } from './drop-cells.ts';
import { DropDetector } from './drop-detector.ts';
import { EPOCH_BLOCKS } from './retarget.ts';

export const BLOCKS_PER_YEAR = 52_560;
/** Blocks a detector is fed before counting (reference full, CUSUMs settled). */
export const warmBlocks = (lookbackBlocks: number): number => lookbackBlocks + DROP_GAP_BLOCKS + 2016;

export interface SteadyRun {
  readonly lookbackBlocks: number;
  readonly cells: readonly CellParams[];
  readonly years: number;
  readonly seed: number;
  /** Hash-rate growth per 2016-block epoch (0.01 = +1 %/epoch); 0 = steady. */
  readonly growthPerEpoch?: number;
}

/** False alarms per cell (quiet → alarmed transitions) over `years` after warm-up. */
export function countFalseAlarms(o: SteadyRun): { readonly fires: Int32Array; readonly years: number } {
  const det = new DropDetector(o.lookbackBlocks, o.cells);
  const rng = createRng(o.seed);
  const warm = warmBlocks(o.lookbackBlocks);
  const total = warm + Math.round(o.years * BLOCKS_PER_YEAR);
  const g = Math.log1p(o.growthPerEpoch ?? 0) / EPOCH_BLOCKS;
  const fires = new Int32Array(o.cells.length);
  const was = new Uint8Array(o.cells.length);
  for (let i = 1; i <= total; i++) {
    const y = -Math.log(1 - rng.next()) * Math.exp(-g * i);
    det.push(i, i * 600, y);
    if (i <= warm) {
      was.set(det.alarmed);
      continue;
    }
    const a = det.alarmed;
    for (let c = 0; c < a.length; c++) {
      if (a[c] === 1 && was[c] === 0) fires[c]! += 1;
      was[c] = a[c]!;
    }
  }
  return { fires, years: o.years };
}

export interface DropRun {
  readonly lookbackBlocks: number;
  readonly cells: readonly CellParams[];
  /** True drop, % (the hash rate steps from 1 to 1 − p/100 at the start). */
  readonly dropPct: number;
  readonly seed: number;
  /** Blocks the drop lasts (and is watched). */
  readonly blocks: number;
  readonly growthPerEpoch?: number;
}

export interface DropOutcome {
  /** Blocks from the drop's start to each cell's alarm; −1: not within `blocks`. */
  readonly delay: Int32Array;
  /** Recoveries (alarmed → quiet) while the drop was on ({@link flapWatchBlocks}): flaps. */
  readonly flaps: Int32Array;
}

/**
 * Blocks after a drop's start during which a recovery counts as a flap: until half the reference
 * window holds the new level. Later, the lower level HAS become the recent level (the reference
 * ends two weeks back), and saying the drop is over is the truth, not a flap.
 */
export const flapWatchBlocks = (lookbackBlocks: number): number => DROP_GAP_BLOCKS + Math.floor(lookbackBlocks / 2);

/** A steady warm-up, then a step drop held for `blocks`: delay and flaps per cell. */
export function runDrop(o: DropRun): DropOutcome {
  const det = new DropDetector(o.lookbackBlocks, o.cells);
  const rng = createRng(o.seed);
  const warm = warmBlocks(o.lookbackBlocks);
  const g = Math.log1p(o.growthPerEpoch ?? 0) / EPOCH_BLOCKS;
  const n = o.cells.length;
  const delay = new Int32Array(n).fill(-1);
  const flaps = new Int32Array(n);
  const was = new Uint8Array(n);
  const slow = 1 / (1 - o.dropPct / 100);
  const watch = flapWatchBlocks(o.lookbackBlocks);
  for (let i = 1; i <= warm + o.blocks; i++) {
    const dropped = i > warm;
    const y = -Math.log(1 - rng.next()) * Math.exp(-g * i) * (dropped ? slow : 1);
    det.push(i, i * 600, y);
    if (!dropped) continue;
    const a = det.alarmed;
    for (let c = 0; c < n; c++) {
      if (a[c] === 1 && delay[c] === -1) delay[c] = i - warm;
      if (a[c] === 0 && was[c] === 1 && delay[c] !== -1 && i - warm <= watch) flaps[c]! += 1;
      was[c] = a[c]!;
    }
  }
  return { delay, flaps };
}
