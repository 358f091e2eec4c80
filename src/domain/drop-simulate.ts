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
  /**
   * Flaps: 'recovered' ends (the rate is back, says the cell) while the drop is on, of alarms
   * raised after it began and judged against a reference still made mostly of blocks from before
   * it (see {@link preDropReference}). Zero is the goal, for every rule up to the drop's size. A
   * false alarm raised before the drop that happens to end in its first blocks is about itself
   * (its evidence was gathered at the old rate) and is not counted.
   */
  readonly flaps: Int32Array;
  /**
   * 'settled' ends while the drop is on: the lower level became the rule's recent level (never
   * sooner than gap + lookback after the alarm) and the message says the rate is still down.
   */
  readonly settles: Int32Array;
}

/**
 * True when an alarm raised `sureAfter` blocks into a drop was judged against a reference made
 * mostly of blocks from before the drop (the reference ends the gap back and spans the
 * lookback): its "recovered" claims the rate is back at the pre-drop level. A later alarm
 * compares the (mostly) lower level with itself — a false alarm against it, whose end is true.
 */
export const preDropReference = (sureAfter: number, lookbackBlocks: number): boolean =>
  sureAfter < DROP_GAP_BLOCKS + lookbackBlocks / 2;

/** A steady warm-up, then a step drop held for `blocks`: delay, flaps and settles per cell. */
export function runDrop(o: DropRun): DropOutcome {
  const det = new DropDetector(o.lookbackBlocks, o.cells);
  const rng = createRng(o.seed);
  const warm = warmBlocks(o.lookbackBlocks);
  const g = Math.log1p(o.growthPerEpoch ?? 0) / EPOCH_BLOCKS;
  const n = o.cells.length;
  const delay = new Int32Array(n).fill(-1);
  const flaps = new Int32Array(n);
  const settles = new Int32Array(n);
  // Blocks into the drop each alarm was raised at; −1: raised before the drop began.
  const sureAt = new Int32Array(n).fill(-1);
  const was = new Uint8Array(n);
  const slow = 1 / (1 - o.dropPct / 100);
  for (let i = 1; i <= warm + o.blocks; i++) {
    const dropped = i > warm;
    const y = -Math.log(1 - rng.next()) * Math.exp(-g * i) * (dropped ? slow : 1);
    det.push(i, i * 600, y);
    const a = det.alarmed;
    if (!dropped) {
      was.set(a);
      continue;
    }
    for (let c = 0; c < n; c++) {
      if (a[c] === 1 && was[c] === 0) sureAt[c] = i - warm;
      if (a[c] === 1 && delay[c] === -1) delay[c] = i - warm;
      was[c] = a[c]!;
    }
    for (const e of det.endedNow()) {
      if (e.how === 'settled') settles[e.cell]! += 1;
      else if (sureAt[e.cell]! >= 0 && preDropReference(sureAt[e.cell]!, o.lookbackBlocks)) flaps[e.cell]! += 1;
    }
  }
  return { delay, flaps, settles };
}
