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
import {
  DROP_GAP_BLOCKS,
  DROP_RATIO_CAP,
  DROP_RECOVER_NATS,
  DROP_RECOVER_SHARE,
  STATS_PER_CELL,
  tunedPcts,
  type CellParams,
} from './drop-cells.ts';
import {
  DROP_STATE_VERSION,
  newCellArrays,
  restoreCells,
  saveCells,
  validState,
  type DropCellArrays,
  type DropDetectorState,
} from './drop-checkpoint.ts';
import { DropReference } from './drop-reference.ts';
import type { DropAlarm, DropEnd, DropState } from './snapshot-types.ts';

/**
 * One lookback's detector: the reference window and every cell. Fed y (or r directly by
 * simulations via {@link DropDetector.pushRatio}); allocation-free per block.
 */
export class DropDetector {
  readonly lookbackBlocks: number;
  readonly cells: number;
  /** CUSUMs per cell (unused slots have a −1 increment and stay at zero). */
  readonly k: number;
  private readonly ref: DropReference;
  /** The previous block fed to the cells: a CUSUM leaving zero dates the drop from it. */
  private lastHeight = 0;
  private lastTimeSec = 0;
  /** The sequential state (what a checkpoint saves). */
  private readonly a: DropCellArrays;
  // Per statistic (cell × k): constants.
  private readonly lnQ: Float64Array;
  private readonly coef: Float64Array;
  /** Indices of the CUSUMs in use (cells above 24 % have one), their cell and threshold. */
  private readonly stats: Int32Array;
  private readonly cellOfStat: Int32Array;
  private readonly hOfStat: Float64Array;
  /** Per cell, the first CUSUM at its threshold this block (−1: none); reset in phase 2. */
  private readonly hitAt: Int32Array;
  private nAlarmed = 0;
  // Per cell: constants.
  readonly pcts: Int32Array;
  /** The highest level (× the level before the drop) recovery is tested against: 1 − share·p. */
  private readonly bMax: Float64Array;
  /** Alarms that ended at the last block (usually none; a fresh array when some did). */
  private ends: readonly DropEnd[] = NO_ENDS;
  /** The same, by cell and reason, for simulations (see {@link endedNow}). */
  private endCells: { readonly cell: number; readonly how: DropEnd['how'] }[] = [];

  constructor(lookbackBlocks: number, params: readonly CellParams[]) {
    this.lookbackBlocks = lookbackBlocks;
    this.ref = new DropReference(lookbackBlocks);
    const n = params.length;
    const k = STATS_PER_CELL;
    this.cells = n;
    this.k = k;
    this.a = newCellArrays(n * k, n);
    this.lnQ = new Float64Array(n * k).fill(-1);
    this.coef = new Float64Array(n * k);
    this.pcts = new Int32Array(n);
    this.bMax = new Float64Array(n);
    this.cellOfStat = new Int32Array(n * k);
    this.hOfStat = new Float64Array(n * k);
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
        this.hOfStat[i * k + j] = c.h + (j > 0 ? (c.deep ?? 0) : 0);
      }
      this.pcts[i] = c.pct;
      this.bMax[i] = 1 - (DROP_RECOVER_SHARE * c.pct) / 100;
    });
    this.stats = Int32Array.from(used);
  }

  /** 1 while a cell is alarmed (read-only view). */
  get alarmed(): Uint8Array {
    return this.a.alarmed;
  }

  /** True once the reference window is full (before that every cell reads null). */
  get ready(): boolean {
    return this.ref.ready;
  }

  /** Reference mean of y (seconds per unit of work): 1/μ is the reference hash rate in H/s. */
  get referenceMean(): number {
    return this.ref.mean;
  }

  /**
   * Adds the y of block `height` (time `timeSec`): updates the reference and, once it is full,
   * every cell. The first block of a chain has no interval: do not push it.
   */
  push(height: number, timeSec: number, y: number): void {
    const mu = this.ref.push(height, y);
    if (!(mu > 0)) {
      // Not ready yet; a CUSUM leaving zero on the first ready block dates the drop from here.
      this.lastHeight = height;
      this.lastTimeSec = timeSec;
      return;
    }
    const r = y / mu;
    this.pushRatio(height, timeSec, r < DROP_RATIO_CAP ? r : DROP_RATIO_CAP, mu);
  }

  /**
   * One block's r = y/μ (capped) into every cell; `mu` is the reference mean it was taken with.
   *
   * While a cell is alarmed, two things can end the alarm:
   * - 'recovered': a reverse CUSUM of the log-likelihood ratio "back at the level before the
   *   drop" (the reference of the moment it alarmed, μ_a; the live one slowly takes in the lower
   *   level) against "still down at b" reaches {@link DROP_RECOVER_NATS}. b is the lower of
   *   1 − share·p and an upper 95 % bound of the level measured since the drop began: a test
   *   against the drop's own level keeps its false-recovery odds at e^−H per try whatever the
   *   reference's luck, and is fast when a drop far deeper than the rule ends. Every renewed
   *   firing of a CUSUM restarts it (hysteresis).
   * - 'settled': the live reference holds only blocks after the alarm (gap + lookback later) and
   *   no CUSUM sees a drop against it. The lower level is now the recent level the rule is about:
   *   the alarm ends and the cell re-arms, but the rate is NOT back, and the message says so
   *   (snapshot DropEnd). Without it a cell would stay alarmed for good after a lasting drop and
   *   never see the next one.
   */
  pushRatio(height: number, timeSec: number, r: number, mu = 1): void {
    if (this.ends.length > 0) {
      this.ends = NO_ENDS;
      this.endCells = [];
    }
    // Phase 1, every CUSUM (the hot loop: locals, no per-cell work unless something happens).
    const { lnQ, coef, hOfStat, cellOfStat, hitAt, stats } = this;
    const { s, n, sum, cp, cpTime } = this.a;
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
        cp[j] = this.lastHeight;
        cpTime[j] = this.lastTimeSec;
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
    const { alarmed, an, asum, fsum, lvl, back, muAlarm, sure } = this.a;
    const settled = DROP_GAP_BLOCKS + this.lookbackBlocks;
    for (let c = 0; c < this.cells; c++) {
      const hit = hitAt[c]!;
      hitAt[c] = -1;
      if (alarmed[c] === 0) {
        if (hit >= 0) this.alarm(c, hit, height, timeSec, mu);
        continue;
      }
      let rf = (r * mu) / muAlarm[c]!;
      if (rf > DROP_RATIO_CAP) rf = DROP_RATIO_CAP;
      an[c]! += 1;
      asum[c]! += r;
      fsum[c]! += rf;
      if (hit >= 0) {
        back[c] = 0;
        lvl[c] = this.testedLevel(c);
        continue;
      }
      const b = lvl[c]!;
      const x = back[c]! - Math.log(b) - (1 - b) * rf;
      if (x >= DROP_RECOVER_NATS) this.end(c, 'recovered');
      else if (height - sure[c]! >= settled && this.cellAtZero(c)) this.end(c, 'settled');
      else back[c] = x > 0 ? x : 0;
    }
  }

  /**
   * The "still down" level recovery is tested against (× the alarm's reference): the upper 95 %
   * bound of the level since the drop began, at most 1 − share·p. Renewed whenever a CUSUM
   * confirms the drop, frozen in between, so blocks after a real return do not dilute it.
   */
  private testedLevel(c: number): number {
    const n = this.a.an[c]!;
    const fs = this.a.fsum[c]!;
    const upper = fs > 0 ? (n / fs) * (1 + RECOVER_Z / Math.sqrt(n)) : 1;
    return upper < this.bMax[c]! ? upper : this.bMax[c]!;
  }

  private cellAtZero(c: number): boolean {
    const s = this.a.s;
    for (let j = c * this.k, end = j + this.k; j < end; j++) if (s[j]! > 0) return false;
    return true;
  }

  /**
   * The cell turns alarmed. Its drop is dated and measured from the longest run among its CUSUMs
   * now above zero (usually the one tuned to the cell's own size): a deep CUSUM that fired on a
   * short burst would date the drop late and overstate it (it was chosen for looking bad).
   */
  private alarm(c: number, hit: number, height: number, timeSec: number, mu: number): void {
    const a = this.a;
    let j = hit;
    for (let i = c * this.k, end = i + this.k; i < end; i++) if (a.s[i]! > 0 && a.n[i]! > a.n[j]!) j = i;
    a.alarmed[c] = 1;
    this.nAlarmed++;
    a.muAlarm[c] = mu;
    a.back[c] = 0;
    a.sure[c] = height;
    a.sureTime[c] = timeSec;
    a.acp[c] = a.cp[j]!;
    a.acpTime[c] = a.cpTime[j]!;
    a.an[c] = a.n[j]!;
    a.asum[c] = a.sum[j]!;
    a.fsum[c] = a.sum[j]!;
    a.lvl[c] = this.testedLevel(c);
  }

  /** Back to quiet: every CUSUM of the cell restarts from zero here; the end is reported once. */
  private end(c: number, how: DropEnd['how']): void {
    const a = this.a;
    a.alarmed[c] = 0;
    this.nAlarmed--;
    a.back[c] = 0;
    for (let j = c * this.k, end = j + this.k; j < end; j++) a.s[j] = 0;
    const e: DropEnd = {
      pct: this.pcts[c]!,
      how,
      sinceHeight: a.acp[c]!,
      sinceTimeSec: a.acpTime[c]!,
      beforeHps: 1 / a.muAlarm[c]!,
    };
    this.ends = [...this.ends, e];
    this.endCells.push({ cell: c, how });
  }

  /** Cells whose alarm ended at the last block, and why (simulations count flaps with it). */
  endedNow(): readonly { readonly cell: number; readonly how: DropEnd['how'] }[] {
    return this.endCells;
  }

  /** The cells now alarmed, as snapshot values (a fresh array; usually empty). */
  alarms(): readonly DropAlarm[] {
    if (this.nAlarmed === 0) return NO_ALARMS;
    const a = this.a;
    const out: DropAlarm[] = [];
    for (let c = 0; c < this.cells; c++) {
      if (a.alarmed[c] === 0) continue;
      out.push({
        pct: this.pcts[c]!,
        sinceHeight: a.acp[c]!,
        sinceTimeSec: a.acpTime[c]!,
        sureHeight: a.sure[c]!,
        sureTimeSec: a.sureTime[c]!,
        blocks: a.an[c]!,
        ratioSum: a.asum[c]!,
      });
    }
    return out;
  }

  /** The snapshot figure: null until ready. */
  state(): DropState | null {
    if (!this.ready) return null;
    const st = { referenceHps: 1 / this.ref.mean, alarms: this.alarms() };
    return this.ends.length === 0 ? st : { ...st, ends: this.ends };
  }

  /**
   * Everything but the reference ring (which stored blocks refill): the running sum, the CUSUMs
   * away from zero and the alarmed cells (drop-checkpoint.ts), so the state is small when the
   * network is quiet and bounded by the grid when it is not.
   */
  save(): DropDetectorState {
    const { refSum, mu } = this.ref.save();
    const last: [number, number] = [this.lastHeight, this.lastTimeSec];
    const st = { v: DROP_STATE_VERSION, filled: this.ref.filled, refSum, mu, last, ...saveCells(this.a) };
    return this.ends.length === 0 ? st : { ...st, ends: this.ends };
  }

  /**
   * Replaces the state by a saved one, after this detector was fed the same blocks up to the same
   * one (its ring then holds the same values): from here on it computes exactly what the detector
   * that saved it does. False (nothing changed) when the state does not fit this detector or the
   * ring was not refilled as far as the saved one's.
   */
  restore(st: DropDetectorState): boolean {
    if (!validState(st, this.a.s.length, this.cells)) return false;
    if (this.ref.filled !== st.filled) return false;
    this.ref.restore(st.refSum, st.mu);
    [this.lastHeight, this.lastTimeSec] = st.last;
    this.hitAt.fill(-1);
    restoreCells(this.a, st);
    // A version-1 state has no tested level: take it from the sums, as an alarm would.
    for (let c = 0; c < this.cells; c++)
      if (this.a.alarmed[c] === 1 && Number.isNaN(this.a.lvl[c]!)) this.a.lvl[c] = this.testedLevel(c);
    this.nAlarmed = this.a.alarmed.reduce((x, v) => x + v, 0);
    this.ends = st.ends === undefined || st.ends.length === 0 ? NO_ENDS : st.ends.map((e) => ({ ...e }));
    this.endCells = this.ends.map((e) => ({ cell: this.pcts.indexOf(e.pct), how: e.how }));
    return true;
  }
}

/** z of the upper bound on the drop's level that recovery is tested against (≈ 99.9 %, one-sided). */
const RECOVER_Z = 3;
/** Shared by every quiet snapshot (snapshots are never mutated). */
const NO_ALARMS: readonly DropAlarm[] = Object.freeze([]);
const NO_ENDS: readonly DropEnd[] = Object.freeze([]);
