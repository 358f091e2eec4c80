/**
 * The hash-rate drop detector (issue 10): a sequential test on difficulty-normalised block
 * intervals, computed ONCE per block for every supported drop size, so a rule only reads its cell
 * and a million subscribers cost nothing extra.
 *
 * Physics: with w_i the work of block i (from its bits), y_i = Δt_i / w_i is exponential with
 * mean 1/H under a constant hash rate H, whatever the retargets do. A reference mean μ of y over
 * the lookback, ending {@link DROP_GAP_BLOCKS} back (so a drop does not pollute its own
 * reference for two weeks), turns each block into r_i = y_i / μ (≈ 1 on a steady network,
 * 1/(1−p) after a drop of p). For a drop of p (q = 1 − p) each block carries the log-likelihood
 * ratio ln q + (1 − q)·r: a CUSUM of it is the optimal detector for a known drop (Page/Lorden).
 *
 * A cell (drop size p, lookback) is a small state machine:
 * - quiet: two CUSUMs, at q = 1 − p and at a deeper q (deep drops are seen near-optimally too),
 *   share one calibrated threshold h (≤ 1 false alarm per rule-year, drop-thresholds.ts). Each is
 *   clamped to [0, h], so a rebuilt detector forgets its start within a few hundred blocks.
 * - alarmed when either reaches h; the drop is dated from where that CUSUM last sat at zero
 *   (the change point), and its size is estimated over the blocks since then.
 * - recovered only when a reverse CUSUM (evidence for the reference rate against 1 − p; it gains
 *   above ≈ 1 − p/2, half the threshold's distance) reaches {@link DROP_RECOVER_NATS}; it restarts
 *   whenever the drop evidence is renewed, so a drop that is still on does not resolve (measured:
 *   test/unit/domain/drop-calibration.test.ts).
 *
 * Timestamps: y uses the running maximum of block times (the ring's), and r is capped at
 * {@link DROP_RATIO_CAP}, so one odd timestamp (consensus allows ±2 h) moves a statistic by at
 * most a few nats.
 */
import { DROP_THRESHOLDS } from './drop-thresholds.ts';
import type { DropAlarm, DropState } from './snapshot-types.ts';
import { LOOKBACKS, type Lookback } from './types.ts';

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
/** Evidence (nats) the rate is back before a cell recovers. */
export const DROP_RECOVER_NATS = 10;
/** Blocks after which a rebuilt detector agrees with a continuous one (clamped CUSUMs forget). */
export const DROP_WARMUP_BLOCKS = 2016;
/** Reference windows are re-summed at these heights (no float drift; rebuilds agree). */
const RESUM_EVERY = 2016;

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
const STATS_PER_CELL = 2;

/** Per-cell parameters (one table row); thresholds come from drop-thresholds.ts. */
export interface CellParams {
  readonly pct: number;
  readonly h: number;
}

export function cellParams(lookback: Lookback): CellParams[] {
  const hs = DROP_THRESHOLDS[lookback];
  return DROP_PCTS.map((pct, i) => ({ pct, h: hs[i]! }));
}

/**
 * One lookback's detector: the reference ring and every cell. Fed y (or r directly by
 * simulations via {@link DropDetector.pushRatio}); allocation-free per block.
 */
export class DropDetector {
  readonly lookbackBlocks: number;
  readonly cells: number;
  /** CUSUMs per cell (unused slots have a −1 increment and stay at zero). */
  readonly k: number;
  private readonly ys: Float64Array;
  private pushed = 0;
  private refSum = 0;
  private mu = Number.NaN;
  /** The previous block fed to the cells: a CUSUM leaving zero dates the drop from it. */
  private lastHeight = 0;
  private lastTimeSec = 0;
  // Per statistic (cell × k): constants, value, change point, blocks and ratio sum since it.
  private readonly lnQ: Float64Array;
  private readonly coef: Float64Array;
  private readonly s: Float64Array;
  private readonly cp: Float64Array;
  private readonly cpTime: Float64Array;
  private readonly n: Float64Array;
  private readonly sum: Float64Array;
  /** Indices of the CUSUMs in use (cells above 24 % have one), their cell and threshold. */
  private readonly stats: Int32Array;
  private readonly cellOfStat: Int32Array;
  private readonly hOfStat: Float64Array;
  /** Per cell, the first CUSUM at its threshold this block (−1: none); reset in phase 2. */
  private readonly hitAt: Int32Array;
  private nAlarmed = 0;
  // Per cell.
  readonly pcts: Int32Array;
  private readonly h: Float64Array;
  private readonly lnAB: Float64Array;
  private readonly aMinusB: Float64Array;
  private readonly back: Float64Array;
  /** 1 while alarmed. */
  readonly alarmed: Uint8Array;
  private readonly acp: Float64Array;
  private readonly acpTime: Float64Array;
  private readonly sure: Float64Array;
  private readonly sureTime: Float64Array;
  private readonly an: Float64Array;
  private readonly asum: Float64Array;
  /** The reference mean when the cell alarmed: recovery is judged against it (see pushRatio). */
  private readonly muAlarm: Float64Array;

  constructor(lookbackBlocks: number, params: readonly CellParams[]) {
    this.lookbackBlocks = lookbackBlocks;
    this.ys = new Float64Array(lookbackBlocks + DROP_GAP_BLOCKS + 2);
    const n = params.length;
    const k = STATS_PER_CELL;
    this.cells = n;
    this.k = k;
    const f = (m: number) => new Float64Array(m);
    this.lnQ = f(n * k).fill(-1);
    this.coef = f(n * k);
    this.s = f(n * k);
    this.cp = f(n * k);
    this.cpTime = f(n * k);
    this.n = f(n * k);
    this.sum = f(n * k);
    this.pcts = new Int32Array(n);
    this.h = f(n);
    this.lnAB = f(n);
    this.aMinusB = f(n);
    this.back = f(n);
    this.alarmed = new Uint8Array(n);
    this.acp = f(n);
    this.acpTime = f(n);
    this.sure = f(n);
    this.sureTime = f(n);
    this.an = f(n);
    this.asum = f(n);
    this.muAlarm = f(n);
    this.cellOfStat = new Int32Array(n * k);
    this.hOfStat = f(n * k);
    this.hitAt = new Int32Array(n).fill(-1);
    const used: number[] = [];
    params.forEach((c, i) => {
      tunedPcts(c.pct).forEach((d, j) => {
        this.lnQ[i * k + j] = Math.log(1 - d / 100);
        this.coef[i * k + j] = d / 100;
        used.push(i * k + j);
      });
      for (let j = 0; j < k; j++) {
        this.cellOfStat[i * k + j] = i;
        this.hOfStat[i * k + j] = c.h;
      }
      // Recovery tests "back at the reference" (a = 1) against "down p" (b): its evidence turns
      // positive above the logarithmic mean of the two, ≈ 1 − p/2 — half the threshold's distance.
      const p = c.pct / 100;
      const a = 1;
      const b = 1 - p;
      this.pcts[i] = c.pct;
      this.lnAB[i] = Math.log(a / b);
      this.aMinusB[i] = a - b;
      this.h[i] = c.h;
    });
    this.stats = Int32Array.from(used);
  }

  /** True once the reference window is full (before that every cell reads null). */
  get ready(): boolean {
    return Number.isFinite(this.mu);
  }

  /** Reference mean of y (seconds per unit of work): 1/μ is the reference hash rate in H/s. */
  get referenceMean(): number {
    return this.mu;
  }

  /**
   * Adds the y of block `height` (time `timeSec`): updates the reference and, once it is full,
   * every cell. The first block of a chain has no interval: do not push it.
   */
  push(height: number, timeSec: number, y: number): void {
    const size = this.ys.length;
    const k = this.pushed;
    const L = this.lookbackBlocks;
    // Reference for the block at index k: indices k−G−L … k−G−1 (the ring holds k−G−L−1 … k).
    const enter = k - DROP_GAP_BLOCKS - 1;
    const leave = enter - L;
    if (leave >= 0) this.refSum -= this.ys[leave % size]!;
    if (enter >= 0) this.refSum += this.ys[enter % size]!;
    this.ys[k % size] = y;
    this.pushed = k + 1;
    if (enter + 1 < L) {
      // Not ready yet; a CUSUM leaving zero on the first ready block dates the drop from here.
      this.lastHeight = height;
      this.lastTimeSec = timeSec;
      return;
    }
    if (height % RESUM_EVERY === 0) {
      let s = 0;
      for (let j = enter - L + 1; j <= enter; j++) s += this.ys[j % size]!;
      this.refSum = s;
    }
    this.mu = this.refSum / L;
    const r = y / this.mu;
    this.pushRatio(height, timeSec, r < DROP_RATIO_CAP ? r : DROP_RATIO_CAP, this.mu);
  }

  /**
   * One block's r = y/μ (capped) into every cell; `mu` is the reference mean it was taken with.
   * While a cell is alarmed, its recovery evidence uses the reference of the moment it alarmed:
   * the live reference (ending two weeks back) slowly takes in the lower level, and a drop that
   * is still on must not look "over" because of that. Once the live reference holds only blocks
   * after the alarm (gap + lookback later) and no CUSUM sees a drop against it, the lower level
   * is the recent level and the cell is quiet again (the drop is over, as a miner would put it).
   */
  pushRatio(height: number, timeSec: number, r: number, mu = 1): void {
    // Phase 1, every CUSUM (the hot loop: locals, no per-cell work unless something happens).
    const { s, lnQ, coef, hOfStat, n, sum, cellOfStat, hitAt, stats } = this;
    let anyHit = false;
    for (let i = 0; i < stats.length; i++) {
      const j = stats[i]!;
      const was = s[j]!;
      let v = was + lnQ[j]! + coef[j]! * r;
      if (v <= 0) {
        // The common case on a steady chain: at zero, and nothing else to write.
        if (was !== 0) s[j] = 0;
        continue;
      }
      if (was === 0) {
        // Leaving zero: the change point is the block before this one.
        this.cp[j] = this.lastHeight;
        this.cpTime[j] = this.lastTimeSec;
        n[j] = 1;
        sum[j] = r;
      } else {
        n[j]! += 1;
        sum[j]! += r;
      }
      const h = hOfStat[j]!;
      if (v >= h) {
        v = h;
        const c = cellOfStat[j]!;
        if (hitAt[c]! < 0) hitAt[c] = j;
        anyHit = true;
      }
      s[j] = v;
    }
    this.lastHeight = height;
    this.lastTimeSec = timeSec;
    // Phase 2, the cells' state machines: only while some cell is alarmed or just hit.
    if (!anyHit && this.nAlarmed === 0) return;
    const settled = DROP_GAP_BLOCKS + this.lookbackBlocks;
    for (let c = 0; c < this.cells; c++) {
      const hit = hitAt[c]!;
      hitAt[c] = -1;
      if (this.alarmed[c] === 0) {
        if (hit >= 0) this.alarm(c, hit, height, timeSec, mu);
        continue;
      }
      this.an[c]! += 1;
      this.asum[c]! += r;
      if (hit >= 0) {
        this.back[c] = 0;
        continue;
      }
      let rf = (r * mu) / this.muAlarm[c]!;
      if (rf > DROP_RATIO_CAP) rf = DROP_RATIO_CAP;
      const b = this.back[c]! + this.lnAB[c]! - this.aMinusB[c]! * rf;
      if (b >= DROP_RECOVER_NATS || (height - this.sure[c]! >= settled && this.cellAtZero(c))) this.recover(c);
      else this.back[c] = b > 0 ? b : 0;
    }
  }

  private cellAtZero(c: number): boolean {
    for (let j = c * this.k, end = j + this.k; j < end; j++) if (this.s[j]! > 0) return false;
    return true;
  }

  /**
   * The cell turns alarmed. Its drop is dated and measured from the longest run among its CUSUMs
   * now above zero (usually the one tuned to the cell's own size): a deep CUSUM that fired on a
   * short burst would date the drop late and overstate it (it was chosen for looking bad).
   */
  private alarm(c: number, hit: number, height: number, timeSec: number, mu: number): void {
    let j = hit;
    for (let i = c * this.k, end = i + this.k; i < end; i++) if (this.s[i]! > 0 && this.n[i]! > this.n[j]!) j = i;
    this.alarmed[c] = 1;
    this.nAlarmed++;
    this.muAlarm[c] = mu;
    this.back[c] = 0;
    this.sure[c] = height;
    this.sureTime[c] = timeSec;
    this.acp[c] = this.cp[j]!;
    this.acpTime[c] = this.cpTime[j]!;
    this.an[c] = this.n[j]!;
    this.asum[c] = this.sum[j]!;
  }

  /** Back to quiet: every CUSUM of the cell restarts from zero here. */
  private recover(c: number): void {
    this.alarmed[c] = 0;
    this.nAlarmed--;
    this.back[c] = 0;
    for (let j = c * this.k, end = j + this.k; j < end; j++) this.s[j] = 0;
  }

  /** The cells now alarmed, as snapshot values (a fresh array; usually empty). */
  alarms(): readonly DropAlarm[] {
    if (this.nAlarmed === 0) return NO_ALARMS;
    const out: DropAlarm[] = [];
    for (let c = 0; c < this.cells; c++) {
      if (this.alarmed[c] === 0) continue;
      out.push({
        pct: this.pcts[c]!,
        sinceHeight: this.acp[c]!,
        sinceTimeSec: this.acpTime[c]!,
        sureHeight: this.sure[c]!,
        sureTimeSec: this.sureTime[c]!,
        blocks: this.an[c]!,
        ratioSum: this.asum[c]!,
      });
    }
    return out;
  }

  /** The snapshot figure: null until ready. */
  state(): DropState | null {
    if (!this.ready) return null;
    return { referenceHps: 1 / this.mu, alarms: this.alarms() };
  }

  /**
   * Everything but the reference ring (which stored blocks refill): the running sum, the CUSUMs
   * away from zero and the alarmed cells. A CUSUM at zero and a quiet cell carry nothing else
   * (their other fields are rewritten before they are read), so the state is small when the
   * network is quiet and bounded by the grid when it is not.
   */
  save(): DropDetectorState {
    const stats: number[] = [];
    for (let j = 0; j < this.s.length; j++) {
      if (this.s[j] === 0) continue;
      stats.push(j, this.s[j]!, this.cp[j]!, this.cpTime[j]!, this.n[j]!, this.sum[j]!);
    }
    const cells: number[] = [];
    for (let c = 0; c < this.cells; c++) {
      if (this.alarmed[c] === 0) continue;
      cells.push(c, this.back[c]!, this.acp[c]!, this.acpTime[c]!, this.sure[c]!, this.sureTime[c]!);
      cells.push(this.an[c]!, this.asum[c]!, this.muAlarm[c]!);
    }
    return {
      filled: Math.min(this.pushed, this.ys.length),
      refSum: this.refSum,
      mu: Number.isFinite(this.mu) ? this.mu : null,
      last: [this.lastHeight, this.lastTimeSec],
      stats,
      cells,
    };
  }

  /**
   * Replaces the state by a saved one, after this detector was fed the same blocks up to the same
   * one (its ring then holds the same values): from here on it computes exactly what the detector
   * that saved it does. False (nothing changed) when the state does not fit this detector or the
   * ring was not refilled as far as the saved one's.
   */
  restore(st: DropDetectorState): boolean {
    if (!validState(st, this.s.length, this.cells)) return false;
    if (Math.min(this.pushed, this.ys.length) !== st.filled) return false;
    this.refSum = st.refSum;
    this.mu = st.mu ?? Number.NaN;
    [this.lastHeight, this.lastTimeSec] = st.last;
    this.s.fill(0);
    this.alarmed.fill(0);
    this.hitAt.fill(-1);
    const a = st.stats;
    for (let i = 0; i < a.length; i += STAT_FIELDS) {
      const j = a[i]!;
      this.s[j] = a[i + 1]!;
      this.cp[j] = a[i + 2]!;
      this.cpTime[j] = a[i + 3]!;
      this.n[j] = a[i + 4]!;
      this.sum[j] = a[i + 5]!;
    }
    const b = st.cells;
    for (let i = 0; i < b.length; i += CELL_FIELDS) {
      const c = b[i]!;
      this.alarmed[c] = 1;
      this.back[c] = b[i + 1]!;
      this.acp[c] = b[i + 2]!;
      this.acpTime[c] = b[i + 3]!;
      this.sure[c] = b[i + 4]!;
      this.sureTime[c] = b[i + 5]!;
      this.an[c] = b[i + 6]!;
      this.asum[c] = b[i + 7]!;
      this.muAlarm[c] = b[i + 8]!;
    }
    this.nAlarmed = this.alarmed.reduce((x, v) => x + v, 0);
    return true;
  }
}

/**
 * One detector's saved state (see {@link DropDetector.save}); plain JSON, numbers round-trip
 * exactly. `stats` is flat [index, value, change point, its time, blocks, ratio sum]*, `cells`
 * flat [cell, recovery evidence, change point, its time, sure, its time, blocks, ratio sum,
 * reference mean when alarmed]*.
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

/** Shape and index checks on a state read back from storage (a bad one is ignored, never half-applied). */
function validState(st: DropDetectorState, nStats: number, nCells: number): boolean {
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

const LOOKBACK_NAMES = Object.keys(LOOKBACKS) as Lookback[];
/** Shared by every quiet snapshot (snapshots are never mutated). */
const NO_ALARMS: readonly DropAlarm[] = Object.freeze([]);

/** A (lookback, whole-percent) cell some rule reads. */
export interface DropCell {
  readonly lookback: Lookback;
  readonly pct: number;
}

/**
 * All lookbacks' detectors, for the SnapshotBuilder. Every cell by default (live: any rule may be
 * added at any moment). Given `only`, just those cells (replay, preview: the rules are known up
 * front); cells are independent, so each one computes exactly what it does in the full grid, and
 * the reference levels are kept for every lookback either way.
 */
export class DropDetectors {
  private readonly byLookback: DropDetector[];
  private readonly partial: boolean;

  constructor(only?: readonly DropCell[]) {
    this.partial = only !== undefined;
    this.byLookback = LOOKBACK_NAMES.map((lb) => {
      const want = only && new Set(only.filter((c) => c.lookback === lb).map((c) => dropCellPct(c.pct)));
      const params = cellParams(lb).filter((c) => !want || want.has(c.pct));
      return new DropDetector(LOOKBACKS[lb], params);
    });
  }

  push(height: number, timeSec: number, y: number): void {
    for (const d of this.byLookback) d.push(height, timeSec, y);
  }

  state(): Record<Lookback, DropState | null> {
    const out = {} as Record<Lookback, DropState | null>;
    LOOKBACK_NAMES.forEach((lb, i) => {
      out[lb] = this.byLookback[i]!.state();
    });
    return out;
  }

  /** Every lookback's state (see {@link DropDetector.save}). */
  save(): DropDetectorsState {
    const out = {} as Record<Lookback, DropDetectorState>;
    LOOKBACK_NAMES.forEach((lb, i) => {
      out[lb] = this.byLookback[i]!.save();
    });
    return out;
  }

  /** All lookbacks or none: false (nothing changed) when any saved state does not fit. */
  restore(st: DropDetectorsState): boolean {
    // A saved state indexes the full grid's cells.
    if (this.partial || typeof st !== 'object' || st === null) return false;
    const saved = this.save();
    const ok = LOOKBACK_NAMES.every((lb, i) => st[lb] !== undefined && this.byLookback[i]!.restore(st[lb]));
    if (!ok) LOOKBACK_NAMES.forEach((lb, i) => this.byLookback[i]!.restore(saved[lb]));
    return ok;
  }
}

export type DropDetectorsState = Readonly<Record<Lookback, DropDetectorState>>;

/** Blocks a builder needs to rebuild every drop cell: longest reference, gap, warm-up. */
export const DROP_HISTORY_BLOCKS = Math.max(...Object.values(LOOKBACKS)) + DROP_GAP_BLOCKS + DROP_WARMUP_BLOCKS + 1;
