/**
 * `preview <kind> <params>`: runs one rule through the live engine's lifecycle (MemoryEvaluator)
 * over recent history — the snapshots in chain state when the watcher has stored enough, else
 * the bundled 2025–26 mainnet fixture in data/ — and reports how often and when it would have
 * fired, so a miner can tune a threshold before subscribing.
 */
import { fileURLToPath } from 'node:url';
import { ruleAdvice } from '../alerting/describe.ts';
import { MemoryEvaluator } from '../alerting/evaluator.ts';
import { ok, err, type Result } from '../alerting/result.ts';
import type { Rule, RuleSpec } from '../alerting/types.ts';
import { SnapshotBuilder } from '../domain/snapshot-builder.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { createPriceCursor, readPricesFile } from '../sources/replay/prices-file.ts';
import { readBlocksFile } from '../sources/replay/blocks-file.ts';
import type { PreviewReport } from './service.ts';

/** Where preview history comes from; `null` when that source has too little. */
export type HistorySource = () => Promise<{ snapshots: readonly Snapshot[]; source: PreviewReport['source'] } | null>;

/** Fewer snapshots than a day of blocks says nothing useful about a rule. */
export const MIN_PREVIEW_SNAPSHOTS = 144;
/** Blocks the fixture preview evaluates (four weeks), after the builder's warm-up history. */
export const FIXTURE_PREVIEW_BLOCKS = 4032;
const RECENT_KEPT = 5;

export const FIXTURE_BLOCKS = fileURLToPath(new URL('../../data/mainnet-2025-2026.blocks.jsonl', import.meta.url));
export const FIXTURE_PRICES = fileURLToPath(new URL('../../data/btc-usd-2025-2026.prices.jsonl', import.meta.url));

/** Runs `spec` over `snapshots` (ascending) and summarises its firings. Pure. */
export function previewOver(
  spec: RuleSpec,
  snapshots: readonly Snapshot[],
  source: PreviewReport['source'],
): Result<PreviewReport> {
  const first = snapshots[0];
  const last = snapshots.at(-1);
  if (!first || !last) return err('no-history', {});
  const rule: Rule = { ...spec, id: 'preview', subscriptionId: 'preview', createdSec: 0 };
  const evaluator = new MemoryEvaluator([rule]);
  let firings = 0;
  let resolutions = 0;
  const recent: Array<{ height: number; time: number; text: string }> = [];
  for (const s of snapshots) {
    for (const e of evaluator.feed(s)) {
      // An end that is not a recovery (a drop that became the normal) is no resolution: the
      // recent list shows its own words.
      if (e.state === 'resolved') resolutions += e.details.ending === undefined ? 1 : 0;
      else firings++;
      // The headline only: its extra lines (a drop's "Began: …" time among them) are for the alert.
      recent.push({ height: e.height, time: e.time, text: e.text.split('\n', 1)[0] ?? e.text });
      if (recent.length > RECENT_KEPT) recent.shift();
    }
  }
  const advice = ruleAdvice(spec);
  return ok({
    fromHeight: first.height,
    toHeight: last.height,
    fromSec: first.timeSec,
    toSec: last.timeSec,
    firings,
    resolutions,
    recent,
    source,
    ...(advice !== null ? { advice } : {}),
  });
}

/** Snapshots built from the bundled fixture files (memoised by the returned function). */
export function fixtureHistory(
  blocksPath = FIXTURE_BLOCKS,
  pricesPath = FIXTURE_PRICES,
  evaluated = FIXTURE_PREVIEW_BLOCKS,
): HistorySource {
  let cached: Promise<readonly Snapshot[]> | null = null;
  const build = async (): Promise<readonly Snapshot[]> => {
    const [blocks, prices] = await Promise.all([readBlocksFile(blocksPath), readPricesFile(pricesPath)]);
    const from = Math.max(0, blocks.length - evaluated - SnapshotBuilder.requiredHistoryBlocks);
    const builder = new SnapshotBuilder();
    const price = createPriceCursor(prices);
    const out: Snapshot[] = [];
    blocks.slice(from).forEach((b, i, arr) => {
      const s = builder.push(b, { nowSec: b.timestamp, price: price.at(b.timestamp), source: 'replay' });
      if (i >= arr.length - evaluated) out.push(s);
    });
    return out;
  };
  return async () => {
    cached ??= build();
    return { snapshots: await cached, source: 'fixture' };
  };
}

/** Tries each source in order and previews over the first with enough history. */
export function previewWith(
  sources: readonly HistorySource[],
): (spec: RuleSpec, nowSec: number) => Promise<Result<PreviewReport>> {
  return async (spec) => {
    for (const load of sources) {
      const h = await load();
      if (h && h.snapshots.length >= MIN_PREVIEW_SNAPSHOTS) return previewOver(spec, h.snapshots, h.source);
    }
    return err('no-history', {});
  };
}
