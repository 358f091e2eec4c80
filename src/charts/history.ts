/**
 * Where charts get their past from. The service asks for the points up to one exact block; an
 * implementation answers from memory (ChartPointRing, fed by the watcher or the CLI) or from Redis
 * (RedisChartHistory, shared by processes). Reorgs are handled by replacing from a height up.
 */
import type { ChartPoint } from './types.ts';

/** The history port ChartService reads. */
export interface ChartHistory {
  /**
   * Points in height order ending with exactly block (height, hash), reaching back about `days`
   * days (less if the history is shorter). null when that block is not (or no longer) known.
   */
  pointsUpTo(height: number, hash: string, days: number): Promise<readonly ChartPoint[] | null>;
}

/**
 * Copies just what charts read out of a Snapshot (a full one carries mempool's object, the
 * scorecard and more), so 30 days of history cost a few megabytes.
 */
export function toChartPoint(s: ChartPoint): ChartPoint {
  const est = (e: ChartPoint['hashrate']['1d']) => (e ? { hps: e.hps, lowHps: e.lowHps, highHps: e.highHps } : null);
  const pk = (p: ChartPoint['peaks']['1d']['7d']) => (p ? { hps: p.hps, height: p.height } : null);
  const peaks = (w: keyof ChartPoint['peaks']) => ({
    '7d': pk(s.peaks[w]['7d']),
    '14d': pk(s.peaks[w]['14d']),
    '30d': pk(s.peaks[w]['30d']),
    '90d': pk(s.peaks[w]['90d']),
  });
  const r = s.retarget;
  return {
    height: s.height,
    hash: s.hash,
    timeSec: s.timeSec,
    difficulty: s.difficulty,
    hashrate: { '1d': est(s.hashrate['1d']), '3d': est(s.hashrate['3d']), '7d': est(s.hashrate['7d']) },
    peaks: { '1d': peaks('1d'), '3d': peaks('3d'), '7d': peaks('7d') },
    retarget: {
      epochStartHeight: r.epochStartHeight,
      nextRetargetHeight: r.nextRetargetHeight,
      changePct: r.changePct,
      lowPct: r.lowPct,
      highPct: r.highPct,
      etaSec: r.etaSec,
      etaLowSec: r.etaLowSec,
      etaHighSec: r.etaHighSec,
    },
    hashprice: { usdPerPhDay: s.hashprice.usdPerPhDay },
    ...(s.drop ? { drop: dropRefs(s.drop) } : {}),
  };
}

/** Just the reference level of each lookback (the alarms stay with the snapshot). */
function dropRefs(d: NonNullable<ChartPoint['drop']>): NonNullable<ChartPoint['drop']> {
  const ref = (x: (typeof d)['7d']) => (x ? { referenceHps: x.referenceHps } : null);
  return { '7d': ref(d['7d']), '14d': ref(d['14d']), '30d': ref(d['30d']), '90d': ref(d['90d']) };
}

/**
 * Index of the oldest point within `days` of points[end], by time or by blocks (144 a day),
 * whichever reaches further back — the same rule the charts apply (series.ts `recent`).
 */
export function firstInWindow(points: readonly ChartPoint[], end: number, days: number): number {
  const at = points[end];
  if (!at) return end;
  const fromTime = at.timeSec - days * 86_400;
  const fromHeight = at.height - days * 144;
  let start = end;
  while (start > 0) {
    const p = points[start - 1] as ChartPoint;
    if (p.timeSec < fromTime && p.height <= fromHeight) break;
    start--;
  }
  return start;
}

/** Blocks a 30-day chart may need (fast blocks: 30 days at ~7 min each), plus margin. */
export const DEFAULT_HISTORY_BLOCKS = 6500;

/**
 * In-memory history of the newest blocks. push() with a height at or below the tip first drops
 * that height and everything above (a reorg), so the ring always holds one chain.
 */
export class ChartPointRing implements ChartHistory {
  private points: ChartPoint[] = [];

  constructor(readonly capacity = DEFAULT_HISTORY_BLOCKS) {}

  get size(): number {
    return this.points.length;
  }

  push(snapshot: ChartPoint): void {
    const p = toChartPoint(snapshot);
    const tip = this.points.at(-1);
    if (tip && p.height <= tip.height) this.points = this.points.filter((q) => q.height < p.height);
    this.points.push(p);
    if (this.points.length > this.capacity * 1.25) this.points = this.points.slice(-this.capacity);
  }

  async pointsUpTo(height: number, hash: string, days: number): Promise<readonly ChartPoint[] | null> {
    const end = this.indexOf(height);
    const at = this.points[end];
    if (!at || at.hash !== hash) return null;
    return this.points.slice(Math.max(0, firstInWindow(this.points, end, days)), end + 1);
  }

  private indexOf(height: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const h = this.points[mid]?.height ?? 0;
      if (h === height) return mid;
      if (h < height) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
