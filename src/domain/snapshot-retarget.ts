/**
 * Incremental retarget state for the SnapshotBuilder: the weighted block-time sums behind
 * hashbell's estimate, mempool's rule at the same block, the scorecard of estimates made during
 * the epoch and the outcome when the next epoch starts.
 */
import { bitsToDifficulty } from './bits.ts';
import { blockTimeFromSums, DEFAULT_RATE_WINDOW } from './block-time.ts';
import type { RateWindowConfig } from './block-time.ts';
import { difficultyAdjustment } from './difficulty-adjustment.ts';
import { EPOCH_BLOCKS } from './retarget.ts';
import { estimateRetarget, retargetChangePct } from './retarget-estimator.ts';
import type { BlockTimeEstimate } from './retarget-estimator.ts';
import { BlockRing } from './ring.ts';
import type { RetargetOutcome, RetargetSnapshot } from './snapshot-types.ts';
import type { Network } from './types.ts';

/** Epoch progress points (%) at which estimates are recorded for the retarget scorecard. */
export const SCORECARD_PROGRESS = [10, 25, 50, 75, 90] as const;
/** Blocks into the epoch for each point: the first block whose progress reaches it. */
const SCORECARD_K = SCORECARD_PROGRESS.map((p) => Math.ceil((p / 100) * EPOCH_BLOCKS));

type ScoreRow = RetargetOutcome['scorecard'][number];

export class RetargetTracker {
  private readonly decay: number;
  private readonly maxOld: number;
  private readonly diffCache = new Map<number, number>();
  private readonly decayPows = new Float64Array(EPOCH_BLOCKS).fill(Number.NaN);
  /** Σ interval/difficulty over the current epoch's intervals (weight 1) and their count. */
  private curY = 0;
  private curN = 0;
  /** Older intervals' weighted sums, frozen at the epoch's first block (ages from that block). */
  private oldY = 0;
  private oldW = 0;
  private oldW2 = 0;
  private scorecard: ScoreRow[] = [];
  private firstHeight = -1;

  constructor(
    private readonly ring: BlockRing,
    private readonly network: Network = 'mainnet',
    config: RateWindowConfig = DEFAULT_RATE_WINDOW,
  ) {
    this.decay = 2 ** (-1 / config.halfLifeBlocks);
    this.maxOld = config.maxBlocks;
  }

  private difficulty(bits: number): number {
    let d = this.diffCache.get(bits);
    if (d === undefined) {
      d = bitsToDifficulty(bits);
      this.diffCache.set(bits, d);
    }
    return d;
  }

  private y(height: number): number {
    const r = this.ring;
    return (r.timeAt(height) - r.timeAt(height - 1)) / this.difficulty(r.bitsAt(height));
  }

  /** decay^k, each computed once (a variable power is a slow Math.pow, and this is asked every block). */
  private decayPow(k: number): number {
    let f = this.decayPows[k]!;
    if (Number.isNaN(f)) {
      f = this.decay ** k;
      this.decayPows[k] = f;
    }
    return f;
  }

  /** θ̂ at the tip: the same sums as block-time.ts's brute force, kept incrementally. */
  blockTime(nowSec: number): BlockTimeEstimate {
    const h = this.ring.lastHeight;
    const f = this.decayPow(h % EPOCH_BLOCKS);
    const w = this.curN + f * this.oldW;
    const w2 = this.curN + f * f * this.oldW2;
    const wx = (this.curY + f * this.oldY) * this.difficulty(this.ring.bitsAt(h));
    return blockTimeFromSums({ w, w2, wx, waitSec: Math.max(0, nowSec - this.ring.timeAt(h)) });
  }

  /** O(1) per block, plus one O(maxBlocks) pass at each epoch start. */
  private advanceSums(h: number): void {
    if (this.firstHeight < 0) this.firstHeight = h;
    if (h % EPOCH_BLOCKS === 0) {
      this.curY = 0;
      this.curN = 0;
      this.oldY = 0;
      this.oldW = 0;
      this.oldW2 = 0;
      let a = 1;
      for (let j = h; j > this.firstHeight && j > h - this.maxOld; j--) {
        this.oldY += a * this.y(j);
        this.oldW += a;
        this.oldW2 += a * a;
        a *= this.decay;
      }
    } else if (h > this.firstHeight) {
      this.curY += this.y(h);
      this.curN += 1;
    }
  }

  /** Outcome of the retarget that `h` (an epoch start) opened, with the finished epoch's scorecard. */
  private outcome(h: number): RetargetOutcome | null {
    if (h % EPOCH_BLOCKS !== 0) return null;
    const card = this.scorecard;
    this.scorecard = [];
    if (!this.ring.has(h - 1)) return null;
    const previousBits = this.ring.bitsAt(h - 1);
    const bits = this.ring.bitsAt(h);
    return { height: h, previousBits, bits, changePct: retargetChangePct(previousBits, bits), scorecard: card };
  }

  /** Advances to the ring's newest block (already pushed). */
  update(nowSec: number): { retarget: RetargetSnapshot; outcome: RetargetOutcome | null } {
    const ring = this.ring;
    const h = ring.lastHeight;
    this.advanceSums(h);
    const outcome = this.outcome(h);
    const e = h - (h % EPOCH_BLOCKS);
    const k = h - e;
    const bits = ring.bitsAt(h);
    const tipTime = ring.timeAt(h);
    const rate = this.blockTime(nowSec);
    const startKnown = e >= this.firstHeight;
    const firstKnown = startKnown ? e : this.firstHeight;
    const missing = firstKnown - e;
    const est = estimateRetarget({
      bits,
      epochStartHeight: e,
      epochStartTimeSec: ring.timeAt(firstKnown),
      blocksBeforeData: missing,
      tipHeight: h,
      tipTimeSec: tipTime,
      nowSec,
      rate,
    });
    const meanSec = rate.meanBlockSec > 0 ? rate.meanBlockSec : 600;
    const quarter = h - 503;
    const mempool = difficultyAdjustment({
      lastRetargetTimeSec: startKnown ? ring.timeAt(e) : Math.round(ring.timeAt(firstKnown) - missing * meanSec),
      quarterEpochBlockTimeSec: quarter >= 0 && quarter >= this.firstHeight ? ring.timeAt(quarter) : null,
      nowSec,
      tipHeight: h,
      previousRetargetPct:
        startKnown && e - 1 >= this.firstHeight ? retargetChangePct(ring.bitsAt(e - 1), ring.bitsAt(e)) : 0,
      latestBlockTimestampSec: tipTime,
      network: this.network,
    });
    const at = SCORECARD_K.indexOf(k);
    if (at >= 0) {
      this.scorecard.push({
        progressPct: SCORECARD_PROGRESS[at]!,
        height: h,
        hashbellPct: est.changePct,
        hashbellLowPct: est.lowPct,
        hashbellHighPct: est.highPct,
        mempoolPct: startKnown ? mempool.difficultyChange : null,
      });
    }
    const retarget: RetargetSnapshot = {
      epochStartHeight: e,
      nextRetargetHeight: e + EPOCH_BLOCKS,
      remainingBlocks: EPOCH_BLOCKS - k,
      progressPct: (k / EPOCH_BLOCKS) * 100,
      changePct: est.changePct,
      lowPct: est.lowPct,
      highPct: est.highPct,
      etaSec: est.etaSec,
      etaLowSec: est.etaLowSec,
      etaHighSec: est.etaHighSec,
      mempool,
      epochStartEstimated: !startKnown,
      rateBlocks: rate.effectiveBlocks,
    };
    return { retarget, outcome };
  }
}
