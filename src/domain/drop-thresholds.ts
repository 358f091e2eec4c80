/**
 * The drop detector's calibrated figures, read from the generated table
 * (drop-calibration-table.ts, written by `npx tsx bench/calibrate-drop.ts --write`): thresholds
 * for the detector, false-alarm rates and detection delays for what the chat replies say.
 */
import { DROP_CALIBRATION } from './drop-calibration-table.ts';
import type { Lookback } from './types.ts';

const MIN_PCT = 3;
type Row = {
  readonly thresholds: readonly number[];
  readonly deepExtraNats?: number;
  readonly falseAlarms: readonly number[];
  readonly falseAlarmsGrowing: readonly number[];
  readonly delay: ReadonlyArray<readonly number[]>;
  readonly within30d: ReadonlyArray<readonly number[]>;
};
const rows = DROP_CALIBRATION.lookbacks as unknown as Readonly<Record<Lookback, Row>>;

/** CUSUM threshold (nats) per lookback, index pct − 3. */
export const DROP_THRESHOLDS: Readonly<Record<Lookback, readonly number[]>> = {
  '7d': rows['7d'].thresholds,
  '14d': rows['14d'].thresholds,
  '30d': rows['30d'].thresholds,
  '90d': rows['90d'].thresholds,
};

/** Extra nats the deep CUSUM of a two-CUSUM cell needs over the calibrated threshold (drop-cells.ts CellParams). */
export const DROP_DEEP_EXTRA: Readonly<Record<Lookback, number>> = {
  '7d': rows['7d'].deepExtraNats ?? 0,
  '14d': rows['14d'].deepExtraNats ?? 0,
  '30d': rows['30d'].deepExtraNats ?? 0,
  '90d': rows['90d'].deepExtraNats ?? 0,
};

/** Measured false alarms per rule-year of a cell: the worse of steady and growing chains. */
export function dropFalseAlarmsPerYear(lookback: Lookback, pct: number): number {
  const r = rows[lookback];
  return Math.max(r.falseAlarms[pct - MIN_PCT] ?? Number.NaN, r.falseAlarmsGrowing[pct - MIN_PCT] ?? Number.NaN);
}

/** Drop sizes (%) the delay table covers. */
export const DROP_DELAY_SIZES: readonly number[] = DROP_CALIBRATION.delaySizes;

/** Simulated mean blocks until a cell is sure of a step drop of `sizePct`, and the share seen within 30 days. */
export function dropDelay(
  lookback: Lookback,
  pct: number,
  sizePct: number,
): { blocks: number; within30d: number } | null {
  const i = DROP_DELAY_SIZES.indexOf(sizePct);
  const r = rows[lookback];
  const blocks = r.delay[i]?.[pct - MIN_PCT];
  const within = r.within30d[i]?.[pct - MIN_PCT];
  return blocks === undefined || within === undefined ? null : { blocks, within30d: within };
}
