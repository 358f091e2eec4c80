/**
 * All lookbacks' drop detectors together, as the SnapshotBuilder runs them: one
 * {@link DropDetector} per lookback, every cell or only the cells some rule reads.
 */
import { cellParams, dropCellPct, DROP_GAP_BLOCKS, DROP_WARMUP_BLOCKS } from './drop-cells.ts';
import type { DropDetectorState } from './drop-checkpoint.ts';
import { DropDetector } from './drop-detector.ts';
import type { DropState } from './snapshot-types.ts';
import { LOOKBACKS, type Lookback } from './types.ts';

const LOOKBACK_NAMES = Object.keys(LOOKBACKS) as Lookback[];

/** A (lookback, whole-percent) cell some rule reads. */
export interface DropCell {
  readonly lookback: Lookback;
  readonly pct: number;
}

/**
 * All lookbacks' detectors, for the SnapshotBuilder. Every cell by default (live: any rule may be
 * added at any moment). Given `only`, just those cells (replay, preview: the rules are known up
 * front); cells are independent, so each one computes exactly what it does in the full grid, and
 * the reference levels are kept for every lookback either way.
 */
export class DropDetectors {
  private readonly byLookback: DropDetector[];
  private readonly partial: boolean;

  constructor(only?: readonly DropCell[]) {
    this.partial = only !== undefined;
    this.byLookback = LOOKBACK_NAMES.map((lb) => {
      const want = only && new Set(only.filter((c) => c.lookback === lb).map((c) => dropCellPct(c.pct)));
      const params = cellParams(lb).filter((c) => !want || want.has(c.pct));
      return new DropDetector(LOOKBACKS[lb], params);
    });
  }

  push(height: number, timeSec: number, y: number): void {
    for (const d of this.byLookback) d.push(height, timeSec, y);
  }

  state(): Record<Lookback, DropState | null> {
    const out = {} as Record<Lookback, DropState | null>;
    LOOKBACK_NAMES.forEach((lb, i) => {
      out[lb] = this.byLookback[i]!.state();
    });
    return out;
  }

  /** Every lookback's state (see {@link DropDetector.save}). */
  save(): DropDetectorsState {
    const out = {} as Record<Lookback, DropDetectorState>;
    LOOKBACK_NAMES.forEach((lb, i) => {
      out[lb] = this.byLookback[i]!.save();
    });
    return out;
  }

  /** All lookbacks or none: false (nothing changed) when any saved state does not fit. */
  restore(st: DropDetectorsState): boolean {
    // A saved state indexes the full grid's cells.
    if (this.partial || typeof st !== 'object' || st === null) return false;
    const saved = this.save();
    const ok = LOOKBACK_NAMES.every((lb, i) => st[lb] !== undefined && this.byLookback[i]!.restore(st[lb]));
    if (!ok) LOOKBACK_NAMES.forEach((lb, i) => this.byLookback[i]!.restore(saved[lb]));
    return ok;
  }
}

export type DropDetectorsState = Readonly<Record<Lookback, DropDetectorState>>;

/** Blocks a builder needs to rebuild every drop cell: longest reference, gap, warm-up. */
export const DROP_HISTORY_BLOCKS = Math.max(...Object.values(LOOKBACKS)) + DROP_GAP_BLOCKS + DROP_WARMUP_BLOCKS + 1;
