/**
 * Replay throughput: one year of blocks (52,560, synthesised from the real 2025–26 retargets)
 * with 100 rules, against the floor measured in the same run (reading and JSON-parsing the same
 * file). Goal: replay ≤ 3× the floor. Prints JSON lines {bench, metric, value, unit}.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule, RuleSpec } from '../src/alerting/types.ts';
import { dropCellsOf, forEachSnapshot, replayEvents } from '../src/cli/replay-engine.ts';
import { DropDetectors } from '../src/domain/drop-detectors.ts';
import { readBlocksFile } from '../src/sources/replay/blocks-file.ts';
import { readEpochsCsv } from '../src/sources/replay/epochs-csv.ts';
import { readPricesFile } from '../src/sources/replay/prices-file.ts';
import { synthesizeChain, synthToJsonl } from '../src/sources/replay/synth.ts';

const BLOCKS = 52_560;
const root = new URL('../', import.meta.url).pathname;
const print = (metric: string, value: number, unit: string): void =>
  console.log(JSON.stringify({ bench: 'replay', metric, value: Number(value.toPrecision(4)), unit }));

/** 100 rules spread over every kind and parameter, like a busy subscriber base. */
function hundredRules(): Rule[] {
  const specs: RuleSpec[] = [];
  const windows = ['1d', '3d', '7d'] as const;
  const lookbacks = ['7d', '14d', '30d', '90d'] as const;
  for (let i = 0; i < 24; i++)
    specs.push({ kind: 'hashrate-drop', pct: 3 + i, window: windows[i % 3]!, lookback: lookbacks[i % 4]! });
  for (let i = 0; i < 8; i++) specs.push({ kind: 'hashrate-below', ehs: 800 + 40 * i });
  for (let i = 0; i < 12; i++)
    specs.push({ kind: 'retarget-estimate', pct: 1 + i, direction: (['up', 'down', 'both'] as const)[i % 3]! });
  specs.push({ kind: 'retarget' }, { kind: 'retarget' }, { kind: 'new-block' });
  for (let i = 0; i < 5; i++) specs.push({ kind: 'retarget-soon', blocks: 10 + 100 * i });
  for (let i = 0; i < 14; i++)
    specs.push({
      kind: 'hashprice-move',
      pct: 2 + i,
      window: i % 2 ? '7d' : '24h',
      direction: (['up', 'down', 'both'] as const)[i % 3]!,
    });
  for (let i = 0; i < 10; i++) specs.push({ kind: 'hashprice-below', usd: 30 + 2 * i });
  for (let i = 0; i < 8; i++) specs.push({ kind: 'hashprice-above', usd: 40 + 2 * i });
  for (let i = 0; i < 12; i++)
    specs.push({ kind: 'breakeven', jth: 15 + 2 * i, kwh: 0.04 + 0.005 * i, poolfee: i % 3 });
  while (specs.length < 100) specs.push({ kind: 'slow-blocks', minutes: 30 + ((15 * specs.length) % 120) });
  return specs.slice(0, 100).map((s, i) => ({ ...s, id: `r${i}`, subscriptionId: '', createdSec: 0 }) as Rule);
}

function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min / 1000;
}

const epochs = await readEpochsCsv(join(root, 'data/bitcoin-mainnet-epochs.csv'));
const chain = synthesizeChain({ epochs, fromEpoch: 447, toEpoch: 473, seed: 52560 }).slice(0, BLOCKS);
const dir = mkdtempSync(join(tmpdir(), 'hb-bench-replay-'));
const file = join(dir, 'year.blocks.jsonl');
writeFileSync(file, synthToJsonl(chain));
const pricesFile = join(root, 'data/btc-usd-2025-2026.prices.jsonl');
const rules = hundredRules();

try {
  // Floor: what any replay must do at least, read the file and parse every line.
  const floorSec = best(5, () => {
    const text = readFileSync(file, 'utf8');
    let n = 0;
    for (const line of text.split('\n'))
      if (line !== '') n += (JSON.parse(line) as { height: number }).height > 0 ? 1 : 0;
    if (n !== BLOCKS) throw new Error(`floor parsed ${n} blocks`);
  });
  const prices = await readPricesFile(pricesFile);
  // Validated read, as the CLI does; best of 3 like the floor.
  let readSec = Infinity;
  let blocks: Awaited<ReturnType<typeof readBlocksFile>> = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    blocks = await readBlocksFile(file);
    readSec = Math.min(readSec, (performance.now() - t0) / 1000);
  }
  // Where the time goes: snapshots alone (no rules), then the whole replay with 100 rules.
  const snapshotSec = best(3, () => forEachSnapshot(blocks, prices, () => undefined));
  // The drop detector's share, interleaved in one process (robust to a loaded machine): the full
  // grid (192 cells: live, preview) and only the cells the 100 rules read (replay).
  const ys = blocks.slice(1).map((b, i) => Math.max(1, b.timestamp - blocks[i]!.timestamp) / 1e21);
  const dropRun = (cells?: ReturnType<typeof dropCellsOf>) => () => {
    const d = new DropDetectors(cells);
    for (let i = 0; i < ys.length; i++) d.push(blocks[i + 1]!.height, blocks[i + 1]!.timestamp, ys[i]!);
  };
  let dropFull = Infinity;
  let dropRules = Infinity;
  for (let k = 0; k < 3; k++) {
    dropFull = Math.min(dropFull, best(1, dropRun()));
    dropRules = Math.min(dropRules, best(1, dropRun(dropCellsOf(rules))));
  }
  let events = 0;
  // Per-block cost at two history lengths (blocks 1–10k vs 40k–50k of the same run): windows are
  // kept incrementally, so the later stretch must not cost more than the early one.
  const stretches = [
    [0, 10_000],
    [40_000, 50_000],
  ] as const;
  const bestStretch = stretches.map(() => Infinity);
  const replaySec =
    readSec +
    best(3, () => {
      events = 0;
      let i = 0;
      const at = new Map<number, number>();
      replayEvents(
        { blocks, prices, rules },
        () => void events++,
        () => {
          if (i % 10_000 === 0) at.set(i, performance.now());
          i++;
        },
      );
      stretches.forEach(([a, b], k) => {
        bestStretch[k] = Math.min(bestStretch[k]!, ((at.get(b)! - at.get(a)!) * 1e6) / (b - a));
      });
    });
  const [early, late] = bestStretch as [number, number];
  print('blocks', BLOCKS, 'blocks');
  print('rules', rules.length, 'rules');
  print('floor_blocks_per_sec', BLOCKS / floorSec, 'blocks/s');
  print('read_validate_blocks_per_sec', BLOCKS / readSec, 'blocks/s');
  print('snapshot_only_blocks_per_sec', BLOCKS / snapshotSec, 'blocks/s');
  print('replay_blocks_per_sec', BLOCKS / replaySec, 'blocks/s');
  print('replay_vs_floor', replaySec / floorSec, 'x');
  // Where the replay's time goes, per block: floor (read + parse), validation on top of it,
  // snapshots, rules (evaluator + event rendering).
  print('floor_ns_per_block', (floorSec * 1e9) / BLOCKS, 'ns/block');
  print('validate_ns_per_block', ((readSec - floorSec) * 1e9) / BLOCKS, 'ns/block');
  print('snapshot_ns_per_block', (snapshotSec * 1e9) / BLOCKS, 'ns/block');
  print('rules_ns_per_block', ((replaySec - readSec - snapshotSec) * 1e9) / BLOCKS, 'ns/block');
  print('drop_full_grid_ns_per_block', (dropFull * 1e9) / BLOCKS, 'ns/block');
  print('drop_rule_cells_ns_per_block', (dropRules * 1e9) / BLOCKS, 'ns/block');
  print('replay_ns_per_block_blocks_1_10k', early, 'ns/block');
  print('replay_ns_per_block_blocks_40k_50k', late, 'ns/block');
  print('late_vs_early_per_block', late / early, 'x');
  print('events', events, 'events');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
