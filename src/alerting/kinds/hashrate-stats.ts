/**
 * "Beyond block luck" for hash-rate drops (PRODUCT.md §5). A window's hash rate from n block
 * intervals has a relative error of about 1/√n, so two things make a naive "current vs peak"
 * comparison page people on a constant hash rate:
 * 1. the current estimate can be unlucky (low) — we compare its UPPER bound;
 * 2. the peak is the highest of many noisy estimates, so it is biased high by about σ·z_max(M),
 *    z_max(M) the quantile of the largest of M independent standard normals, M the number of
 *    independent windows in the lookback — we compare with the peak deflated by that bias.
 * Both bounds are taken in log space from the σ implied by the snapshot's own 90 % intervals
 * (so a builder with a better interval automatically gets a sharper alert).
 */
import type { HashrateEstimate, HashratePeak, Snapshot } from '../../domain/snapshot-types.ts';
import { HASHRATE_WINDOWS, LOOKBACKS, type HashrateWindow, type Lookback } from '../../domain/types.ts';

/** z of a one-sided 95 % bound (the two-sided 90 % interval the snapshot carries). */
export const Z90 = 1.6448536269514722;

/**
 * Margin on the current estimate, in σ. Not the 1.645 of a single look: the rule looks at every
 * block for months, so the current estimate's worst dip over a year must still not look like a
 * drop. Calibrated with the constant-hash-rate simulation (test/unit/alerting/
 * hashrate-drop-noise.test.ts): over 24 seeds × 52,560 blocks the largest margin any series
 * needed to keep a 5 % rule silent was 3.9 σ (7d window, 7d lookback); 4.0 leaves headroom.
 */
export const CURRENT_Z = 4.0;

/**
 * Sliding windows overlap, so the maximum over a lookback behaves like the best of about
 * 2 × (lookback/window + 1) independent looks (the +1: even a 7d peak over a 7d lookback ranges
 * over windows reaching a full window back). Calibrated with CURRENT_Z.
 */
export const PEAK_LOOKS_PER_WINDOW = 2;

/**
 * The peak is deflated by the MEDIAN bias of a maximum (a typical lucky streak); rare extremes
 * are covered by CURRENT_Z, since only the sum of both margins matters for a false alarm.
 */
export const PEAK_CONFIDENCE = 0.5;

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function invNormal(p: number): number {
  if (!(p > 0 && p < 1)) return p <= 0 ? -Infinity : Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628274631];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const lowTail = 0.02425;
  if (p < lowTail || p > 1 - lowTail) {
    const q = Math.sqrt(-2 * Math.log(p < lowTail ? p : 1 - p));
    const x = (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
    return p < lowTail ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** z such that the largest of M independent standard normals stays below it with `confidence`. */
export function maxNormalQuantile(m: number, confidence = PEAK_CONFIDENCE): number {
  let byLooks = QUANTILES.get(confidence);
  if (byLooks === undefined) {
    byLooks = new Map<number, number>();
    if (QUANTILES.size < 16) QUANTILES.set(confidence, byLooks);
  }
  let z = byLooks.get(m);
  if (z === undefined) {
    z = invNormal(confidence ** (1 / Math.max(1, m)));
    if (byLooks.size < 1000) byLooks.set(m, z);
  }
  return z;
}

/** Memo by confidence, then looks: the same dozen pairs are asked for on every block. */
const QUANTILES = new Map<number, Map<number, number>>();

/** Relative (log) standard error implied by a 90 % interval; falls back to 1/√n. */
export function logSigma(e: { readonly hps: number; readonly lowHps: number; readonly highHps: number }, blocks: number): number {
  if (e.lowHps > 0 && e.highHps > e.lowHps) return Math.log(e.highHps / e.lowHps) / (2 * Z90);
  return 1 / Math.sqrt(Math.max(1, blocks));
}

/** Blocks behind an estimate, recovered from its interval width (σ ≈ 1/√n). */
export function impliedBlocks(e: { readonly lowHps: number; readonly highHps: number }): number {
  if (!(e.lowHps > 0 && e.highHps > e.lowHps)) return 0;
  const s = Math.log(e.highHps / e.lowHps) / (2 * Z90);
  return 1 / (s * s);
}

export interface DropFigures {
  /** Conservative drop, %: the smallest drop the data supports (compared with thresholds). */
  readonly conservativePct: number;
  /** Point drop vs the bias-corrected peak, % (what the user is told). */
  readonly pointPct: number;
  /** 90 % interval of the point drop, %. */
  readonly lowPct: number;
  readonly highPct: number;
  /** Current hash rate of the window, H/s. */
  readonly currentHps: number;
  /** The bias-corrected reference peak, H/s. */
  readonly peakHps: number;
}

/**
 * Drop of the `window` hash rate below its `lookback` peak, or null when the data cannot judge
 * it (missing or partial windows). The reference is the lowest bias-corrected peak among this
 * window and the longer ones: a longer window's peak is a less noisy, never higher, witness of
 * the same peak level, so using it only makes the alert more conservative.
 */
export function dropFigures(s: Pick<Snapshot, 'hashrate' | 'peaks'>, window: HashrateWindow, lookback: Lookback): DropFigures | null {
  const d = dropCore(s, window, lookback);
  if (d === null) return null;
  const spread = Z90 * Math.hypot(d.sc, d.sRef);
  return {
    conservativePct: pct(d.r + CURRENT_Z * d.sc),
    pointPct: pct(d.r),
    lowPct: pct(d.r + spread),
    highPct: pct(d.r - spread),
    currentHps: d.currentHps,
    peakHps: Math.exp(d.lnRef),
  };
}

/** `dropFigures(...)?.conservativePct ?? null` for the index, which measures it every block. */
export function conservativeDropPct(s: Pick<Snapshot, 'hashrate' | 'peaks'>, window: HashrateWindow, lookback: Lookback): number | null {
  const wi = WINDOW_INDEX[window];
  const lb = LOOKBACK_INDEX[lookback];
  const cur = TERMS.current(s.hashrate);
  if (TERMS.fullWindow[wi] !== 1) return null;
  const lnCur = cur[2 * wi]!;
  const terms = TERMS.peaks(s.peaks);
  let lnRef = Infinity;
  for (let w = wi; w < WINDOW_NAMES.length; w++) {
    const ln = terms[2 * (w * LOOKBACK_NAMES.length + lb)]!;
    if (ln < lnRef) lnRef = ln;
  }
  if (!Number.isFinite(lnRef) || s.peaks[window][lookback] === null) return null;
  return pct(lnCur - lnRef + CURRENT_Z * cur[2 * wi + 1]!);
}

const pct = (x: number): number => 100 * (1 - Math.exp(x));
/** Ascending by size: a window's reference peaks are its own and every later one's. */
const WINDOW_NAMES = (Object.keys(HASHRATE_WINDOWS) as HashrateWindow[]).sort((a, b) => HASHRATE_WINDOWS[a] - HASHRATE_WINDOWS[b]);
const LOOKBACK_NAMES = Object.keys(LOOKBACKS) as Lookback[];
const WINDOW_INDEX = Object.fromEntries(WINDOW_NAMES.map((w, i) => [w, i])) as Record<HashrateWindow, number>;
const LOOKBACK_INDEX = Object.fromEntries(LOOKBACK_NAMES.map((l, i) => [l, i])) as Record<Lookback, number>;

/**
 * The per-estimate terms drops are made of, for ONE snapshot at a time: each peak's
 * bias-deflated log and σ (per window × lookback), each current window's log and σ. The index
 * measures all twelve drop series of a block in a row, and the builder shares unmoved peaks
 * between snapshots, so most logarithms are taken once per peak rather than per series × block.
 */
class DropTerms {
  private peakRecord: Snapshot['peaks'] | null = null;
  private readonly peakFrom: Array<HashratePeak | null | undefined> = [];
  /** [ln deflated peak, σ] per (window, lookback); NaN: the peak cannot serve as reference. */
  private readonly peakTerms = new Float64Array(2 * WINDOW_NAMES.length * LOOKBACK_NAMES.length);
  private currentRecord: Snapshot['hashrate'] | null = null;
  /** [ln hps, σ] per window, meaningful where fullWindow is 1 (not missing, not partial). */
  private readonly currentTerms = new Float64Array(2 * WINDOW_NAMES.length);
  readonly fullWindow = new Uint8Array(WINDOW_NAMES.length);

  peaks(peaks: Snapshot['peaks']): Float64Array {
    if (peaks === this.peakRecord) return this.peakTerms;
    let i = 0;
    for (const w of WINDOW_NAMES) {
      const size = HASHRATE_WINDOWS[w];
      for (const lookback of LOOKBACK_NAMES) {
        const peak = peaks[w][lookback];
        const slot = i >> 1;
        if (peak !== this.peakFrom[slot]) {
          let ln = Number.NaN;
          let sp = Number.NaN;
          if (peak !== null && peak.hps > 0 && impliedBlocks(peak) >= 0.9 * size) {
            sp = logSigma(peak, size);
            const looks = PEAK_LOOKS_PER_WINDOW * (LOOKBACKS[lookback] / size + 1);
            ln = Math.log(peak.hps) - maxNormalQuantile(looks) * sp;
          }
          this.peakTerms[i] = ln;
          this.peakTerms[i + 1] = sp;
          this.peakFrom[slot] = peak;
        }
        i += 2;
      }
    }
    this.peakRecord = peaks;
    return this.peakTerms;
  }

  current(hashrate: Snapshot['hashrate']): Float64Array {
    if (hashrate === this.currentRecord) return this.currentTerms;
    for (let wi = 0; wi < WINDOW_NAMES.length; wi++) {
      const w = WINDOW_NAMES[wi]!;
      const cur = hashrate[w];
      const full = cur !== null && cur.blocks >= HASHRATE_WINDOWS[w];
      this.fullWindow[wi] = full ? 1 : 0;
      this.currentTerms[2 * wi] = full ? Math.log(cur.hps) : Number.NaN;
      this.currentTerms[2 * wi + 1] = full ? logSigma(cur, cur.blocks) : Number.NaN;
    }
    this.currentRecord = hashrate;
    return this.currentTerms;
  }
}
const TERMS = new DropTerms();

/** Log-ratio of current to reference and both σ's: everything the figures are made of. */
function dropCore(s: Pick<Snapshot, 'hashrate' | 'peaks'>, window: HashrateWindow, lookback: Lookback):
  { r: number; sc: number; lnRef: number; sRef: number; currentHps: number } | null {
  const cur = s.hashrate[window];
  if (cur === null || cur.blocks < HASHRATE_WINDOWS[window]) return null;
  const wi = WINDOW_INDEX[window];
  const lb = LOOKBACK_INDEX[lookback];
  const terms = TERMS.peaks(s.peaks);
  let lnRef = Infinity;
  let sRef = 0;
  for (let w = wi; w < WINDOW_NAMES.length; w++) {
    const at = 2 * (w * LOOKBACK_NAMES.length + lb);
    const ln = terms[at]!;
    if (ln < lnRef) {
      lnRef = ln;
      sRef = terms[at + 1]!;
    }
  }
  const own = s.peaks[window][lookback];
  if (!Number.isFinite(lnRef) || own === null) return null;
  const sc = logSigma(cur, cur.blocks);
  return { r: Math.log(cur.hps) - lnRef, sc, lnRef, sRef, currentHps: cur.hps };
}
