/**
 * The replay seam: blocks → SnapshotBuilder → the alert evaluator, the very same snapshot and
 * rule code the live bot runs (DESIGN.md: one engine, not two). Used by `replay`, `snapshot`,
 * `demo` and bench/replay.ts. Pure over its inputs: time is the block time.
 */
import { MemoryEvaluator } from '../alerting/evaluator.ts';
import type { AlertEvent, Rule } from '../alerting/types.ts';
import { dropCellPct } from '../domain/drop-cells.ts';
import type { DropCell } from '../domain/drop-detectors.ts';
import { SnapshotBuilder } from '../domain/snapshot-builder.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { Block, PricePoint } from '../domain/types.ts';
import { createPriceCursor } from '../sources/replay/prices-file.ts';

export interface ReplayInput {
  readonly blocks: readonly Block[];
  readonly prices: readonly PricePoint[];
  readonly rules: readonly Rule[];
  /** First height that may emit events; earlier blocks only warm the windows up. */
  readonly fromHeight?: number;
  /** Last height that may emit events (and the last one computed). */
  readonly toHeight?: number;
}

/** Builds a snapshot for every block in order, calling `onSnapshot`; stops after `toHeight`. */
export function forEachSnapshot(
  blocks: readonly Block[],
  prices: readonly PricePoint[],
  onSnapshot: (snapshot: Snapshot, block: Block) => void,
  toHeight = Infinity,
  dropCells?: readonly DropCell[],
): void {
  const builder = new SnapshotBuilder(dropCells ? { dropCells } : {});
  const price = createPriceCursor(prices);
  for (const block of blocks) {
    if (block.height > toHeight) break;
    const snapshot = builder.push(block, {
      nowSec: block.timestamp,
      price: price.at(block.timestamp),
      source: 'replay',
      correction: false,
    });
    onSnapshot(snapshot, block);
  }
}

/** Runs the rules over the chain; `onEvent` gets every event of heights in [from, to], in order. */
export function replayEvents(
  input: ReplayInput,
  onEvent: (event: AlertEvent, snapshot: Snapshot) => void,
  onSnapshot?: (snapshot: Snapshot) => void,
): void {
  const from = input.fromHeight ?? -Infinity;
  const evaluator = new MemoryEvaluator(input.rules);
  forEachSnapshot(
    input.blocks,
    input.prices,
    (snapshot) => {
      onSnapshot?.(snapshot);
      if (snapshot.height < from) return;
      for (const event of evaluator.feed(snapshot)) onEvent(event, snapshot);
    },
    input.toHeight,
    dropCellsOf(input.rules),
  );
}

/**
 * The drop cells these rules read: a replay computes only those (the same numbers for them as
 * the full grid, at a fraction of the cost; bench/replay.ts).
 */
export function dropCellsOf(rules: readonly Rule[]): DropCell[] {
  const out: DropCell[] = [];
  for (const r of rules) if (r.kind === 'hashrate-drop') out.push({ lookback: r.lookback, pct: dropCellPct(r.pct) });
  return out;
}

/** The snapshot at `height` (computed over every block up to it), or null if not in the file. */
export function snapshotAt(blocks: readonly Block[], prices: readonly PricePoint[], height: number): Snapshot | null {
  let found: Snapshot | null = null;
  forEachSnapshot(
    blocks,
    prices,
    (s) => {
      if (s.height === height) found = s;
    },
    height,
  );
  return found;
}

/** The replay event line of PRODUCT.md §3, exactly these keys in this order. */
export function eventLine(e: AlertEvent): string {
  return JSON.stringify({
    rule: e.rule,
    kind: e.kind,
    state: e.state,
    height: e.height,
    time: e.time,
    value: e.value,
    threshold: e.threshold,
    text: e.text,
  });
}
