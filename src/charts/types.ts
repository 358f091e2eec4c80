/**
 * The chart layer's vocabulary. Charts read a slim view of the per-block Snapshot (ChartPoint) so
 * a history of 30 days of blocks stays a few megabytes, and a full Snapshot can be passed as is.
 */
import type { RuleSpec } from '../alerting/types.ts';
import type {
  DropState,
  HashpriceSnapshot,
  HashrateEstimate,
  HashratePeak,
  RetargetSnapshot,
} from '../domain/snapshot-types.ts';
import type { HashrateWindow, Lookback } from '../domain/types.ts';

/** The three pictures hashbell draws (issue 7). */
export type ChartKind = 'hashrate' | 'retarget' | 'hashprice';

export const CHART_KINDS: readonly ChartKind[] = ['hashrate', 'retarget', 'hashprice'];

/** Colour scheme; both use mid-tone series colours so either reads on light and dark chat themes. */
export type ChartTheme = 'light' | 'dark';

/**
 * What a chart needs of one block's Snapshot. A Snapshot is structurally a ChartPoint, so
 * callers holding Snapshots pass them directly; histories store slim copies (toChartPoint).
 */
export interface ChartPoint {
  readonly height: number;
  readonly hash: string;
  /** Block header time, unix seconds. */
  readonly timeSec: number;
  readonly difficulty: number;
  readonly hashrate: Readonly<Record<HashrateWindow, Pick<HashrateEstimate, 'hps' | 'lowHps' | 'highHps'> | null>>;
  readonly peaks: Readonly<
    Record<HashrateWindow, Readonly<Record<Lookback, Pick<HashratePeak, 'hps' | 'height'> | null>>>
  >;
  readonly retarget: Pick<
    RetargetSnapshot,
    | 'epochStartHeight'
    | 'nextRetargetHeight'
    | 'changePct'
    | 'lowPct'
    | 'highPct'
    | 'etaSec'
    | 'etaLowSec'
    | 'etaHighSec'
  >;
  readonly hashprice: Pick<HashpriceSnapshot, 'usdPerPhDay'>;
  /**
   * The drop detector's reference level per lookback (the level a `hashrate-drop` rule measures
   * against); absent in history written before it was kept, null until the detector is ready.
   */
  readonly drop?: Readonly<Record<Lookback, Pick<DropState, 'referenceHps'> | null>>;
}

/** Per-picture options; everything that changes the pixels is here, so it is also the cache key. */
export interface ChartOptions {
  /** IANA zone for the date axis and the subtitle; an unknown zone falls back to UTC. */
  readonly timeZone: string;
  /**
   * The subscriber's rules; each kind draws the ones it can show (hashrate-drop / hashrate-below
   * on the hash-rate chart, retarget-estimate on the retarget chart, hashprice-below / -above /
   * breakeven on the hash-price chart). Others are ignored.
   */
  readonly thresholds?: readonly RuleSpec[];
  readonly theme?: ChartTheme;
}

/** Canvas size: about 1000×560 px, readable on a phone at full width. */
export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 560;
