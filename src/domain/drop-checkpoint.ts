/**
 * The drop detector's sequential state and its saved form (a checkpoint: what stored blocks cannot
 * recompute). The state lives in flat typed arrays, per statistic (cell × CUSUM) and per cell, so
 * the per-block loop stays allocation-free; saving keeps only the CUSUMs away from zero and the
 * alarmed cells, so a quiet network's checkpoint is small and a busy one's bounded by the grid.
 *
 * Format versions: 1 (no `v`; session 3) had 9 fields per alarmed cell; 2 adds the ratio sum
 * against the alarm's own reference and the level recovery is tested against, and the alarms
 * that ended at the saved block. A version-1 state is migrated, not misread: its alarmed cells stay
 * alarmed with the same change point and sums (the new sum starts as the old one, exact when the
 * reference has not moved since the alarm) and their recovery evidence restarts at zero, so a
 * restart across the upgrade neither fires nor resolves anything by itself.
 */
import type { DropEnd } from './snapshot-types.ts';

/** Per statistic (cell × k) and per cell: everything a detector carries from block to block. */
export interface DropCellArrays {
  // Per statistic: value, change point (block and time), blocks and ratio sum since it.
  readonly s: Float64Array;
  readonly cp: Float64Array;
  readonly cpTime: Float64Array;
  readonly n: Float64Array;
  readonly sum: Float64Array;
  // Per cell: 1 while alarmed; recovery evidence; the alarm's change point, sure block, blocks and
  // ratio sum since the change point; the reference mean when it alarmed; the ratio sum against
  // that reference and the level recovery is tested against (drop-detector.ts testedLevel).
  readonly alarmed: Uint8Array;
  readonly back: Float64Array;
  readonly acp: Float64Array;
  readonly acpTime: Float64Array;
  readonly sure: Float64Array;
  readonly sureTime: Float64Array;
  readonly an: Float64Array;
  readonly asum: Float64Array;
  readonly muAlarm: Float64Array;
  readonly fsum: Float64Array;
  readonly lvl: Float64Array;
}

export function newCellArrays(nStats: number, nCells: number): DropCellArrays {
  const f = (m: number) => new Float64Array(m);
  return {
    s: f(nStats),
    cp: f(nStats),
    cpTime: f(nStats),
    n: f(nStats),
    sum: f(nStats),
    alarmed: new Uint8Array(nCells),
    back: f(nCells),
    acp: f(nCells),
    acpTime: f(nCells),
    sure: f(nCells),
    sureTime: f(nCells),
    an: f(nCells),
    asum: f(nCells),
    muAlarm: f(nCells),
    fsum: f(nCells),
    lvl: f(nCells),
  };
}

/**
 * One detector's saved state; plain JSON, numbers round-trip exactly. `stats` is flat [index,
 * value, change point, its time, blocks, ratio sum]*, `cells` flat [cell, recovery evidence,
 * change point, its time, sure, its time, blocks, ratio sum, reference mean when alarmed, ratio
 * sum against it, tested level]* (version 1: without the last two). `ends`: the alarms that ended at the saved
 * block (its snapshot's, so a rebuilt one says the same).
 */
export interface DropDetectorState {
  /** Format version: {@link DROP_STATE_VERSION}; absent in version 1. */
  readonly v?: number;
  readonly filled: number;
  readonly refSum: number;
  readonly mu: number | null;
  readonly last: readonly [number, number];
  readonly stats: readonly number[];
  readonly cells: readonly number[];
  readonly ends?: readonly DropEnd[];
}
export const DROP_STATE_VERSION = 2;
const STAT_FIELDS = 6;
const CELL_FIELDS = 11;
const CELL_FIELDS_V1 = 9;

/**
 * The CUSUMs away from zero and the alarmed cells. A CUSUM at zero and a quiet cell carry
 * nothing else (their other fields are rewritten before they are read).
 */
export function saveCells(a: DropCellArrays): { stats: number[]; cells: number[] } {
  const stats: number[] = [];
  for (let j = 0; j < a.s.length; j++) {
    if (a.s[j] === 0) continue;
    stats.push(j, a.s[j]!, a.cp[j]!, a.cpTime[j]!, a.n[j]!, a.sum[j]!);
  }
  const cells: number[] = [];
  for (let c = 0; c < a.alarmed.length; c++) {
    if (a.alarmed[c] === 0) continue;
    cells.push(c, a.back[c]!, a.acp[c]!, a.acpTime[c]!, a.sure[c]!, a.sureTime[c]!);
    cells.push(a.an[c]!, a.asum[c]!, a.muAlarm[c]!, a.fsum[c]!, a.lvl[c]!);
  }
  return { stats, cells };
}

/** Writes a validated state's CUSUMs and cells into `a` (every other statistic and cell at rest). */
export function restoreCells(a: DropCellArrays, st: DropDetectorState): void {
  const v1 = st.v === undefined;
  const width = v1 ? CELL_FIELDS_V1 : CELL_FIELDS;
  a.s.fill(0);
  a.alarmed.fill(0);
  const x = st.stats;
  for (let i = 0; i < x.length; i += STAT_FIELDS) {
    const j = x[i]!;
    a.s[j] = x[i + 1]!;
    a.cp[j] = x[i + 2]!;
    a.cpTime[j] = x[i + 3]!;
    a.n[j] = x[i + 4]!;
    a.sum[j] = x[i + 5]!;
  }
  const b = st.cells;
  for (let i = 0; i < b.length; i += width) {
    const c = b[i]!;
    a.alarmed[c] = 1;
    // Version 1's evidence was for another test: it restarts (a later resolve, never an early one).
    a.back[c] = v1 ? 0 : b[i + 1]!;
    a.acp[c] = b[i + 2]!;
    a.acpTime[c] = b[i + 3]!;
    a.sure[c] = b[i + 4]!;
    a.sureTime[c] = b[i + 5]!;
    a.an[c] = b[i + 6]!;
    a.asum[c] = b[i + 7]!;
    a.muAlarm[c] = b[i + 8]!;
    a.fsum[c] = v1 ? b[i + 7]! : b[i + 9]!;
    // Version 1 had no tested level: the caller sets it from the sums (migrateLevel).
    a.lvl[c] = v1 ? Number.NaN : b[i + 10]!;
  }
}

/** Shape and index checks on a state read back from storage (a bad one is ignored, never half-applied). */
export function validState(st: DropDetectorState, nStats: number, nCells: number): boolean {
  const nums = (a: unknown): a is number[] =>
    Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (typeof st !== 'object' || st === null) return false;
  if (st.v !== undefined && st.v !== DROP_STATE_VERSION) return false;
  const width = st.v === undefined ? CELL_FIELDS_V1 : CELL_FIELDS;
  if (st.ends !== undefined && !validEnds(st.ends)) return false;
  if (!nums(st.stats) || !nums(st.cells) || !nums(st.last) || st.last.length !== 2) return false;
  if (!Number.isSafeInteger(st.filled) || !Number.isFinite(st.refSum)) return false;
  if (st.mu !== null && !(typeof st.mu === 'number' && st.mu > 0)) return false;
  if (st.stats.length % STAT_FIELDS !== 0 || st.cells.length % width !== 0) return false;
  for (let i = 0; i < st.stats.length; i += STAT_FIELDS) {
    const j = st.stats[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= nStats) return false;
  }
  for (let i = 0; i < st.cells.length; i += width) {
    const c = st.cells[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= nCells) return false;
    if (!(st.cells[i + 8]! > 0)) return false;
  }
  return true;
}

function validEnds(ends: unknown): boolean {
  if (!Array.isArray(ends)) return false;
  return ends.every((e: Partial<DropEnd> | null) => {
    if (typeof e !== 'object' || e === null) return false;
    if (e.how !== 'recovered' && e.how !== 'settled') return false;
    return [e.pct, e.sinceHeight, e.sinceTimeSec, e.beforeHps].every(
      (x) => typeof x === 'number' && Number.isFinite(x),
    );
  });
}
