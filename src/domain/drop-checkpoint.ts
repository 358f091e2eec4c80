/**
 * The drop detector's sequential state and its saved form (a checkpoint: what stored blocks cannot
 * recompute). The state lives in flat typed arrays, per statistic (cell × CUSUM) and per cell, so
 * the per-block loop stays allocation-free; saving keeps only the CUSUMs away from zero and the
 * alarmed cells, so a quiet network's checkpoint is small and a busy one's bounded by the grid.
 */

/** Per statistic (cell × k) and per cell: everything a detector carries from block to block. */
export interface DropCellArrays {
  // Per statistic: value, change point (block and time), blocks and ratio sum since it.
  readonly s: Float64Array;
  readonly cp: Float64Array;
  readonly cpTime: Float64Array;
  readonly n: Float64Array;
  readonly sum: Float64Array;
  // Per cell: 1 while alarmed; recovery evidence; the alarm's change point, sure block, blocks and
  // ratio sum since the change point; the reference mean when it alarmed.
  readonly alarmed: Uint8Array;
  readonly back: Float64Array;
  readonly acp: Float64Array;
  readonly acpTime: Float64Array;
  readonly sure: Float64Array;
  readonly sureTime: Float64Array;
  readonly an: Float64Array;
  readonly asum: Float64Array;
  readonly muAlarm: Float64Array;
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
  };
}

/**
 * One detector's saved state; plain JSON, numbers round-trip exactly. `stats` is flat [index,
 * value, change point, its time, blocks, ratio sum]*, `cells` flat [cell, recovery evidence,
 * change point, its time, sure, its time, blocks, ratio sum, reference mean when alarmed]*.
 */
export interface DropDetectorState {
  readonly filled: number;
  readonly refSum: number;
  readonly mu: number | null;
  readonly last: readonly [number, number];
  readonly stats: readonly number[];
  readonly cells: readonly number[];
}
const STAT_FIELDS = 6;
const CELL_FIELDS = 9;

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
    cells.push(a.an[c]!, a.asum[c]!, a.muAlarm[c]!);
  }
  return { stats, cells };
}

/** Writes a validated state's CUSUMs and cells into `a` (every other statistic and cell at rest). */
export function restoreCells(a: DropCellArrays, st: DropDetectorState): void {
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
  for (let i = 0; i < b.length; i += CELL_FIELDS) {
    const c = b[i]!;
    a.alarmed[c] = 1;
    a.back[c] = b[i + 1]!;
    a.acp[c] = b[i + 2]!;
    a.acpTime[c] = b[i + 3]!;
    a.sure[c] = b[i + 4]!;
    a.sureTime[c] = b[i + 5]!;
    a.an[c] = b[i + 6]!;
    a.asum[c] = b[i + 7]!;
    a.muAlarm[c] = b[i + 8]!;
  }
}

/** Shape and index checks on a state read back from storage (a bad one is ignored, never half-applied). */
export function validState(st: DropDetectorState, nStats: number, nCells: number): boolean {
  const nums = (a: unknown): a is number[] =>
    Array.isArray(a) && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (typeof st !== 'object' || st === null) return false;
  if (!nums(st.stats) || !nums(st.cells) || !nums(st.last) || st.last.length !== 2) return false;
  if (!Number.isSafeInteger(st.filled) || !Number.isFinite(st.refSum)) return false;
  if (st.mu !== null && !(typeof st.mu === 'number' && st.mu > 0)) return false;
  if (st.stats.length % STAT_FIELDS !== 0 || st.cells.length % CELL_FIELDS !== 0) return false;
  for (let i = 0; i < st.stats.length; i += STAT_FIELDS) {
    const j = st.stats[i]!;
    if (!Number.isInteger(j) || j < 0 || j >= nStats) return false;
  }
  for (let i = 0; i < st.cells.length; i += CELL_FIELDS) {
    const c = st.cells[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= nCells) return false;
  }
  return true;
}
