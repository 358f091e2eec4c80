/**
 * Series helpers shared by the charts: picking the recent part of a history, reading one figure
 * per point with bad values turned into gaps, and the few conversions the pictures need.
 */
import { breakevenHashprice } from '../alerting/describe.ts';
import type { RuleSpec } from '../alerting/types.ts';
import { decimate } from './svg.ts';
import type { ChartPoint } from './types.ts';

export const DAY_SEC = 86_400;
export const BLOCKS_PER_DAY = 144;
/** Most points drawn per series: a bit more than the plot is wide, in pixels. */
export const MAX_POINTS = 900;
const TWO_32 = 4_294_967_296;

/**
 * "Network hash rate, last 30 days", or, when the history holds less than that (a fresh start,
 * a short replay), "…, last 4.2 days (history so far; 30 wanted)": a chart never claims more
 * history than it draws.
 */
export function historyTitle(what: string, pts: readonly ChartPoint[], days: number): string {
  const first = pts[0];
  const last = pts.at(-1);
  const span = first && last ? (last.timeSec - first.timeSec) / DAY_SEC : 0;
  if (span >= days * 0.97) return `${what}, last ${days} days`;
  const shown = span >= 10 ? Math.round(span).toString() : span.toFixed(1);
  return `${what}, last ${shown} days (all the history so far; ${days} wanted)`;
}

/**
 * The last `days` of points, by time or by blocks (144 a day), whichever reaches further back:
 * a "30d" lookback is 4,320 blocks, and its peak must be on the picture even when blocks ran slow.
 * Decimated for drawing.
 */
export function recent(points: readonly ChartPoint[], days: number): ChartPoint[] {
  const last = points.at(-1);
  if (!last) return [];
  const from = last.timeSec - days * DAY_SEC;
  const fromHeight = last.height - days * BLOCKS_PER_DAY;
  const inRange = points.filter((p) => (p.timeSec >= from || p.height > fromHeight) && p.height <= last.height);
  return decimate(inRange.length, MAX_POINTS).map((i) => inRange[i] as ChartPoint);
}

/** One figure per point; anything non-finite (NaN, null, missing) becomes NaN, i.e. a gap. */
export function values(points: readonly ChartPoint[], pick: (p: ChartPoint) => number | null | undefined): number[] {
  return points.map((p) => {
    const v = pick(p);
    return typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN;
  });
}

/** Index of the drawn point closest in height (drawn points are decimated); −1 when out of range. */
export function nearestHeight(points: readonly ChartPoint[], height: number): number {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || height < first.height || height > last.height) return -1;
  let best = 0;
  points.forEach((p, i) => {
    if (Math.abs(p.height - height) < Math.abs((points[best]?.height ?? 0) - height)) best = i;
  });
  return best;
}

/**
 * An estimate and its interval as three series, with every point where they contradict each
 * other (low > high, or the estimate outside its own interval) turned into a gap: a chart must
 * not draw a figure its own numbers say is wrong.
 */
export function intervalSeries(
  points: readonly ChartPoint[],
  pick: (p: ChartPoint) => {
    v: number | null | undefined;
    lo: number | null | undefined;
    hi: number | null | undefined;
  },
): { mid: number[]; low: number[]; high: number[] } {
  const mid: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (const p of points) {
    const { v, lo, hi } = pick(p);
    const ok =
      [v, lo, hi].every((x) => typeof x === 'number' && Number.isFinite(x)) &&
      (lo as number) <= (v as number) &&
      (v as number) <= (hi as number);
    mid.push(ok ? (v as number) : Number.NaN);
    low.push(ok ? (lo as number) : Number.NaN);
    high.push(ok ? (hi as number) : Number.NaN);
  }
  return { mid, low, high };
}

export function finiteCount(vs: readonly number[]): number {
  let n = 0;
  for (const v of vs) if (Number.isFinite(v)) n++;
  return n;
}

/** Hash rate a difficulty implies at one block per 600 s, in EH/s (the epoch's "step"). */
export function impliedEhs(difficulty: number): number {
  return (difficulty * TWO_32) / 600 / 1e18;
}

/** The break-even hash price of a `breakeven` rule (the alerting rule's own formula), USD/PH/day. */
export function breakevenUsdPerPhDay(rule: Extract<RuleSpec, { kind: 'breakeven' }>): number {
  return breakevenHashprice(rule.jth, rule.kwh, rule.poolfee);
}

/** Rules of one kind from a subscriber's list. */
export function rulesOf<K extends RuleSpec['kind']>(
  rules: readonly RuleSpec[] | undefined,
  kind: K,
): Array<Extract<RuleSpec, { kind: K }>> {
  return (rules ?? []).filter((r): r is Extract<RuleSpec, { kind: K }> => r.kind === kind);
}

/** "812", "81.2", "8.12": three significant digits with thousands separators. */
export function fmt3(v: number): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Signed percentage with a proper minus sign: "+3.1 %", "−2.4 %". */
export function fmtPct(v: number, digits = 1): string {
  const s = Math.abs(v).toFixed(digits);
  return `${v < 0 && Number(s) !== 0 ? '−' : '+'}${s} %`;
}
