/**
 * The one metrics snapshot hashbell computes per block. Every alert, every chat reply, the
 * `snapshot`/`watch` commands and replay all read this same shape, so a figure means the same
 * thing everywhere: each carries its window, its 90 % interval, its source and the data's age.
 */
import type { HashrateWindow, Lookback, PriceWindow, SourceName } from './types.ts';

/** mempool.space's `/api/v1/difficulty-adjustment` object, in mempool's units (see retarget). */
export interface DifficultyAdjustment {
  progressPercent: number;
  difficultyChange: number;
  /** unix ms */
  estimatedRetargetDate: number;
  remainingBlocks: number;
  /** ms */
  remainingTime: number;
  previousRetarget: number;
  /** unix seconds (mempool's comment says ms; it is seconds) */
  previousTime: number;
  nextRetargetHeight: number;
  /** ms */
  timeAvg: number;
  /** ms */
  adjustedTimeAvg: number;
  /** ms */
  timeOffset: number;
  expectedBlocks: number;
}

/** A hash-rate estimate over the last `blocks` blocks with its 90 % interval, in H/s. */
export interface HashrateEstimate {
  readonly window: HashrateWindow;
  /** Number of block intervals actually used (may be < the window early in a chain). */
  readonly blocks: number;
  readonly hps: number;
  readonly lowHps: number;
  readonly highHps: number;
  /** Seconds covered by the window (max − min timestamp, as getnetworkhashps). */
  readonly spanSec: number;
}

/** The highest value a window's hash rate reached within a lookback (for `hashrate-drop`). */
export interface HashratePeak {
  readonly window: HashrateWindow;
  readonly lookback: Lookback;
  readonly hps: number;
  readonly lowHps: number;
  readonly highHps: number;
  /** Height at which the peak estimate was made. */
  readonly height: number;
}

/** hashbell's own next-retarget estimate plus mempool's rule at the same block, for comparison. */
export interface RetargetSnapshot {
  /** First height of the current epoch (multiple of 2016). */
  readonly epochStartHeight: number;
  readonly nextRetargetHeight: number;
  readonly remainingBlocks: number;
  /** 0–100, as mempool. */
  readonly progressPct: number;
  /** hashbell's point estimate of the next difficulty change, % (clamped −75…300). */
  readonly changePct: number;
  /** 90 % interval of the change, %. */
  readonly lowPct: number;
  readonly highPct: number;
  /** Estimated unix seconds of the retarget block, with 90 % interval. */
  readonly etaSec: number;
  readonly etaLowSec: number;
  readonly etaHighSec: number;
  /** mempool.space's estimate computed with its own rule at this block (nowSec = block time). */
  readonly mempool: DifficultyAdjustment;
  /**
   * Added by the domain engineer: true when the data starts after this epoch's first block, so
   * its time is unknown. hashbell's interval then treats the missing blocks as unobserved waits
   * (wider, still calibrated); mempool's figure uses an estimated start time, previousRetarget 0.
   */
  readonly epochStartEstimated?: boolean;
  /**
   * Effective number of block intervals behind the estimate's block-time figure (the `n` of its
   * Beta-prime interval). Alerts wait until it reaches ESTIMATE_MIN_RATE_BLOCKS (issue 11).
   */
  readonly rateBlocks?: number;
}

/**
 * Present only on the first block of an epoch (height % 2016 === 0): what the retarget actually
 * did and how the estimates made during the finished epoch scored (the `retarget` notice).
 */
export interface RetargetOutcome {
  readonly height: number;
  readonly previousBits: number;
  readonly bits: number;
  /** Actual change, % (mempool's calcBitsDifference, so it equals the epochs CSV). */
  readonly changePct: number;
  /** Estimates made at fixed points of the finished epoch (progress 10/25/50/75/90 %). */
  readonly scorecard: ReadonlyArray<{
    readonly progressPct: number;
    readonly height: number;
    readonly hashbellPct: number;
    readonly hashbellLowPct: number;
    readonly hashbellHighPct: number;
    /** null when mempool's rule gave no usable figure at that point. */
    readonly mempoolPct: number | null;
  }>;
}

/** Hash price per Luxor's definition, at this block. USD figures are null without a price. */
export interface HashpriceSnapshot {
  readonly btcPerPhDay: number;
  readonly satsPerPhDay: number;
  readonly usdPerPhDay: number | null;
  readonly usdPerThDay: number | null;
  readonly subsidySats: number;
  /** 144-block lagging simple average of fees per block, sats. */
  readonly avgFeesSats: number;
  /** How many blocks the fee average really covers (< 144 early in a chain). */
  readonly feeBlocks: number;
  readonly priceUsd: number | null;
  readonly priceTimeSec: number | null;
  /** True when the price is older than an hour relative to the block time (or missing). */
  readonly priceStale: boolean;
}

/** Hash price `window` ago, for `hashprice-move`. null when history is too short. */
export interface HashpriceAgo {
  readonly window: PriceWindow;
  readonly usdPerPhDay: number;
  readonly timeSec: number;
  readonly height: number;
}

/**
 * One drop cell (drop size `pct`, one lookback) that is alarmed: the detector is sure the true
 * hash rate is at least `pct` below the reference (src/domain/drop-detector.ts).
 */
export interface DropAlarm {
  /** The cell's drop size, whole %. */
  readonly pct: number;
  /** Where the drop began: the block after which its CUSUM last sat at zero (change point). */
  readonly sinceHeight: number;
  readonly sinceTimeSec: number;
  /** The block that made the detector sure (sure − since = how long it took). */
  readonly sureHeight: number;
  readonly sureTimeSec: number;
  /** Blocks since the change point, and the sum of their intervals ÷ the reference mean. */
  readonly blocks: number;
  readonly ratioSum: number;
}

/**
 * One drop cell's alarm that ended at this block, and why (src/domain/drop-detector.ts):
 * - 'recovered': the cell's own evidence says the rate is back at the level before the drop;
 * - 'settled': the drop is still on against that level, but the lookback now holds only blocks
 *   after the alarm, so the lower level IS the recent level the rule compares with — the alert
 *   ends and re-arms against it. Not a recovery, and never worded as one.
 */
export interface DropEnd {
  readonly pct: number;
  readonly how: 'recovered' | 'settled';
  /** Where the ended drop began (its change point). */
  readonly sinceHeight: number;
  readonly sinceTimeSec: number;
  /** The reference level the alarm was judged against (before the drop), H/s. */
  readonly beforeHps: number;
}

/** A lookback's drop detector at this block: null until its reference window is full. */
export interface DropState {
  /** Hash rate of the reference window (the lookback ending 14 days back), H/s. */
  readonly referenceHps: number;
  /** Alarmed cells, ascending by pct; usually empty. */
  readonly alarms: readonly DropAlarm[];
  /** Cells whose alarm ended at this very block, ascending by pct; absent when none did. */
  readonly ends?: readonly DropEnd[];
}

export interface Snapshot {
  readonly height: number;
  readonly hash: string;
  /** Block header time, unix seconds. */
  readonly timeSec: number;
  /** Wall-clock seconds when the snapshot was computed (block time in replay). */
  readonly computedAtSec: number;
  readonly source: SourceName;
  /** True when this height was computed before and a reorg replaced it. */
  readonly correction: boolean;
  readonly bits: number;
  readonly difficulty: number;
  readonly hashrate: Readonly<Record<HashrateWindow, HashrateEstimate | null>>;
  /** Peaks per window and lookback; null until the window has data. */
  readonly peaks: Readonly<Record<HashrateWindow, Readonly<Record<Lookback, HashratePeak | null>>>>;
  readonly retarget: RetargetSnapshot;
  readonly retargetOutcome: RetargetOutcome | null;
  readonly hashprice: HashpriceSnapshot;
  readonly hashpriceAgo: Readonly<Record<PriceWindow, HashpriceAgo | null>>;
  /**
   * The hash-rate drop detector per lookback (issue 10). Optional: snapshots stored by older
   * versions lack it, and a drop rule then reads no data (nothing changes).
   */
  readonly drop?: Readonly<Record<Lookback, DropState | null>>;
}
