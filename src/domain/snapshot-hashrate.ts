/**
 * Incremental hash-rate windows (1d/3d/7d) and their peaks over lookbacks, for the
 * SnapshotBuilder. Each window equals `networkHashps(blocks, n)` on the same blocks (work of the
 * last n blocks over max − min time of n + 1), with a Gamma 90 % interval (see hashrate.ts).
 */
import { blockWork, uint256ToDouble } from './bits.ts';
import { gammaBand90 } from './hashrate.ts';
import { BlockRing, MonotonicDeque } from './ring.ts';
import type { HashrateEstimate, HashratePeak } from './snapshot-types.ts';
import { HASHRATE_WINDOWS, HASHRATE_WINDOW_NAMES as WINDOW_NAMES, LOOKBACK_NAMES, LOOKBACKS } from './types.ts';
import type { HashrateWindow, Lookback } from './types.ts';
/** Heights at which running sums are recomputed from the ring (kills float drift; same heights
 * for a rebuilt builder, so rebuilt and continuous builders agree). */
export const RESUM_EVERY = 1008;

interface WindowState {
  readonly name: HashrateWindow;
  readonly n: number;
  work: number;
  readonly maxTime: MonotonicDeque<null>;
  readonly minTime: MonotonicDeque<null>;
  readonly peaks: Record<Lookback, MonotonicDeque<HashrateEstimate>>;
  /** Last peak handed out per lookback and the deque entry it came from: unchanged front, same object. */
  readonly lastPeak: Array<HashratePeak | null>;
  readonly lastFrom: Array<HashrateEstimate | null>;
}

export type HashrateRecord = Record<HashrateWindow, HashrateEstimate | null>;
export type PeakRecord = Record<HashrateWindow, Record<Lookback, HashratePeak | null>>;

/**
 * Sliding sums and extremes per window; peaks via monotonic deques of full-window estimates.
 * Only FULL windows enter the peaks, so a replay's first blocks cannot plant a lucky peak.
 *
 * Note for alerting: the peak is the highest of many noisy estimates, so it is biased HIGH under
 * a steady hash rate (1d over 30d: ~+20 %): never compare the current figure with it to call a
 * drop. Drops have one noise model, the calibrated sequential detector (drop-detector.ts).
 */
export class HashrateTracker {
  private readonly workCache = new Map<number, number>();
  private readonly windows: WindowState[];

  constructor(private readonly ring: BlockRing) {
    this.windows = WINDOW_NAMES.map((name) => ({
      name,
      n: HASHRATE_WINDOWS[name],
      work: 0,
      maxTime: new MonotonicDeque<null>(),
      minTime: new MonotonicDeque<null>(),
      peaks: Object.fromEntries(LOOKBACK_NAMES.map((l) => [l, new MonotonicDeque<HashrateEstimate>()])) as Record<
        Lookback,
        MonotonicDeque<HashrateEstimate>
      >,
      lastPeak: LOOKBACK_NAMES.map(() => null),
      lastFrom: LOOKBACK_NAMES.map(() => null),
    }));
  }

  /** Work of one block at `bits`, as a double (exact BigInt once per distinct bits). */
  workOf(bits: number): number {
    let w = this.workCache.get(bits);
    if (w === undefined) {
      w = uint256ToDouble(blockWork(bits));
      this.workCache.set(bits, w);
    }
    return w;
  }

  /** Advances every window to the ring's newest block (already pushed) and returns the figures. */
  update(): { hashrate: HashrateRecord; peaks: PeakRecord } {
    const ring = this.ring;
    const h = ring.lastHeight;
    const t = ring.timeAt(h);
    const hashrate = {} as HashrateRecord;
    const peaks = {} as PeakRecord;
    for (const w of this.windows) {
      const oldest = Math.max(ring.firstHeight, h - w.n); // first of the n+1 timestamps
      if (h > ring.firstHeight) w.work += this.workOf(ring.bitsAt(h));
      const leaving = h - w.n; // its work left the window (it is now the window's first timestamp)
      if (leaving > ring.firstHeight && ring.has(leaving)) w.work -= this.workOf(ring.bitsAt(leaving));
      if (h % RESUM_EVERY === 0) w.work = this.sumWork(oldest + 1, h);
      w.maxTime.push(h, t, null);
      w.minTime.push(h, -t, null);
      w.maxTime.evictBefore(oldest);
      w.minTime.evictBefore(oldest);
      const intervals = h - oldest;
      const span = w.maxTime.frontKey() + w.minTime.frontKey();
      let est: HashrateEstimate | null = null;
      if (intervals >= 1 && span > 0) {
        // hashrateInterval's figures, without the intermediate object (one estimate per window per block).
        const hps = w.work / span;
        const band = gammaBand90(intervals);
        est = { window: w.name, blocks: intervals, hps, lowHps: hps * band[0], highHps: hps * band[1], spanSec: span };
      }
      hashrate[w.name] = est;
      peaks[w.name] = this.updatePeaks(w, h, est && intervals === w.n ? est : null);
    }
    return { hashrate, peaks };
  }

  private sumWork(from: number, to: number): number {
    let s = 0;
    for (let i = from; i <= to; i++) s += this.workOf(this.ring.bitsAt(i));
    return s;
  }

  private updatePeaks(w: WindowState, h: number, est: HashrateEstimate | null): Record<Lookback, HashratePeak | null> {
    const out = {} as Record<Lookback, HashratePeak | null>;
    for (let i = 0; i < LOOKBACK_NAMES.length; i++) {
      const l = LOOKBACK_NAMES[i]!;
      const dq = w.peaks[l];
      if (est) dq.push(h, est.hps, est);
      dq.evictBefore(h - LOOKBACKS[l] + 1);
      const f = dq.frontValue();
      if (f === undefined) {
        out[l] = null;
        continue;
      }
      // Snapshots are immutable, so consecutive ones share a peak that did not move (same
      // estimate at the same height: a new estimate with equal figures is a new object).
      const height = dq.frontHeight();
      const last = w.lastPeak[i];
      if (last != null && last.height === height && w.lastFrom[i] === f) {
        out[l] = last;
        continue;
      }
      const peak: HashratePeak = {
        window: w.name,
        lookback: l,
        hps: f.hps,
        lowHps: f.lowHps,
        highHps: f.highHps,
        height,
      };
      w.lastPeak[i] = peak;
      w.lastFrom[i] = f;
      out[l] = peak;
    }
    return out;
  }
}
