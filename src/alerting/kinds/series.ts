/**
 * The names of the series rules are indexed by (see ../index-model.ts), as literal types built
 * from the vocabulary of src/domain/types.ts. A series name is made by the functions here and
 * read back by looking it up in a table built once from the same vocabulary: no string is
 * parsed with a regex on the way back, and a name that is not in a table is not a series.
 */
import { DROP_PCTS, dropCellPct } from '../../domain/drop-cells.ts';
import {
  DIRECTIONS,
  LOOKBACK_NAMES,
  PRICE_WINDOW_NAMES,
  type Direction,
  type Lookback,
  type PriceWindow,
} from '../../domain/types.ts';

/** A drop detector cell: lookback and whole-percent cell 3…50 (1 alarmed, 0 quiet). */
export type DropSeries = `hd-${Lookback}-${number}`;
/** How far the retarget estimate's 90 % interval reaches in one direction, %. */
export type EstimateSeries = `re-${Direction}`;
/** Hash-price move over a window in one direction, %. */
export type MoveSeries = `hm-${PriceWindow}-${Direction}`;
/**
 * Every series: the parametrised ones above, and 'hr7' (7d hash rate, EH/s), 'rs' (blocks to the
 * retarget), 'hpb' / 'hpa' (hash price, USD/PH/day; 'hpb' also carries breakeven), 'sb'
 * (minutes since the last block), 'nb' (every block), 'retarget' (a retarget outcome).
 */
export type SeriesName =
  DropSeries | EstimateSeries | MoveSeries | 'hr7' | 'rs' | 'hpb' | 'hpa' | 'sb' | 'nb' | 'retarget';

/** The series a drop rule of `pct` over `lookback` reads: its detector cell. */
export function dropSeries(lookback: Lookback, pct: number): DropSeries {
  return `hd-${lookback}-${dropCellPct(pct)}`;
}

export function estimateSeries(direction: Direction): EstimateSeries {
  return `re-${direction}`;
}

export function moveSeries(window: PriceWindow, direction: Direction): MoveSeries {
  return `hm-${window}-${direction}`;
}

/** Every drop series → its lookback and cell (read on every block: a Map lookup). */
export const DROP_SERIES: ReadonlyMap<string, { readonly lookback: Lookback; readonly cell: number }> = new Map(
  LOOKBACK_NAMES.flatMap((lookback) =>
    DROP_PCTS.map((cell) => [`hd-${lookback}-${cell}` satisfies DropSeries, { lookback, cell }] as const),
  ),
);

/** Every estimate series → its direction. */
export const ESTIMATE_SERIES: ReadonlyMap<string, Direction> = new Map(
  DIRECTIONS.map((d) => [estimateSeries(d), d] as const),
);

/** Every move series → its window and direction. */
export const MOVE_SERIES: ReadonlyMap<string, { readonly window: PriceWindow; readonly direction: Direction }> =
  new Map(
    PRICE_WINDOW_NAMES.flatMap((window) =>
      DIRECTIONS.map((direction) => [moveSeries(window, direction), { window, direction }] as const),
    ),
  );
