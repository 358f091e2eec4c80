/**
 * `hashbell chart <hashrate|retarget|hashprice> --blocks F [--prices F] --out file.png`: the same
 * pictures the bot attaches to alerts, rendered offline from a blocks file (for the README, for
 * checking a threshold against history, for bug reports). Everything is validated before anything
 * is written; bad usage or input exits 2 with one line on stderr.
 */
import { writeFile } from 'node:fs/promises';
import { ChartService, type ChartRequest } from '../charts/chart-service.ts';
import { ChartPointRing, DEFAULT_HISTORY_BLOCKS } from '../charts/history.ts';
import { knownZone } from '../charts/time-axis.ts';
import { CHART_KINDS, type ChartKind, type ChartPoint, type ChartTheme } from '../charts/types.ts';
import { SnapshotBuilder } from '../domain/snapshot-builder.ts';
import type { Block, PricePoint } from '../domain/types.ts';
import { readBlocksFile } from '../sources/replay/blocks-file.ts';
import { createPriceCursor, readPricesFile } from '../sources/replay/prices-file.ts';
import { readRulesFile } from './rules-file.ts';
import { CLI, intOption, parseOptions, required, UsageError, type CliIo } from './usage.ts';

export const CHART_HELP = `Usage: ${CLI} chart <hashrate|retarget|hashprice> --blocks FILE [--prices FILE] --out FILE.png
                 [--at H] [--tz ZONE] [--theme dark|light] [--rules FILE]

Renders one chart (1000×560 PNG) as the bot would attach it to an alert at height H.

  hashrate        last 30 days of the 1d/3d/7d hash rate, 90 % band, difficulty steps; with a
                  hashrate-drop rule, the drop detector's level and the rule's line over time
  retarget        the current epoch so far, the 600 s schedule, the estimate and its interval
  hashprice       last 30 days of hash price (USD/PH/day); needs --prices
  --blocks FILE   blocks file (JSON Lines, mempool.space block shape)
  --prices FILE   BTC/USD prices (JSON Lines {"time", "USD"})
  --out FILE      where to write the PNG
  --at H          height of the picture (default: the last block)
  --tz ZONE       IANA time zone of the date axis (default UTC)
  --theme T       dark (default) or light
  --rules FILE    rules file (as for replay) whose thresholds are drawn as lines

Example: ${CLI} chart hashrate --blocks data/mainnet-2025-2026.blocks.jsonl --out hashrate.png
`;

/** Blocks before the chart's first point that the snapshot builder needs (90d peak, the drop detector's 90d level). */
const WARMUP_BLOCKS = SnapshotBuilder.requiredHistoryBlocks;

/** Turns blocks (+ prices) into chart points up to a height; injectable for tests. */
export type PointsBuilder = (blocks: readonly Block[], prices: readonly PricePoint[]) => Promise<ChartPoint[]>;

export interface ChartCliDeps {
  readonly buildPoints?: PointsBuilder;
}

/** The real snapshot builder over the blocks, as replay runs it (block time as "now"). */
export const buildWithSnapshotBuilder: PointsBuilder = async (blocks, prices) => {
  const builder = new SnapshotBuilder();
  const price = createPriceCursor(prices);
  const ring = new ChartPointRing(DEFAULT_HISTORY_BLOCKS);
  const keepFrom = blocks.length - DEFAULT_HISTORY_BLOCKS;
  blocks.forEach((b, i) => {
    const s = builder.push(b, { nowSec: b.timestamp, price: price.at(b.timestamp), source: 'replay' });
    if (i >= keepFrom) ring.push(s);
  });
  const tip = blocks.at(-1);
  return tip ? [...((await ring.pointsUpTo(tip.height, tip.id, 60)) ?? [])] : [];
};

function parseKind(word: string | undefined): ChartKind {
  if (word === undefined || word.startsWith('-'))
    throw new UsageError(`chart: which chart? one of ${CHART_KINDS.join(', ')} (see '${CLI} chart --help')`);
  if (!(CHART_KINDS as readonly string[]).includes(word))
    throw new UsageError(`chart: unknown chart "${word}" (one of ${CHART_KINDS.join(', ')})`);
  return word as ChartKind;
}

export async function runChart(args: readonly string[], io: CliIo, deps: ChartCliDeps = {}): Promise<number> {
  const kind = parseKind(args[0]);
  const o = parseOptions('chart', args.slice(1), {
    blocks: { type: 'string' },
    prices: { type: 'string' },
    out: { type: 'string' },
    at: { type: 'string' },
    tz: { type: 'string' },
    theme: { type: 'string' },
    rules: { type: 'string' },
  });
  const blocksFile = required('chart', 'blocks', o.blocks);
  const out = required('chart', 'out', o.out);
  const at = intOption('chart', 'at', o.at);
  const timeZone = o.tz ?? 'UTC';
  if (!knownZone(timeZone)) {
    throw new UsageError(
      `chart: --tz must be an IANA time zone such as Europe/Berlin, got ${JSON.stringify(timeZone)}`,
    );
  }
  if (o.theme !== undefined && o.theme !== 'dark' && o.theme !== 'light')
    throw new UsageError(`chart: --theme must be dark or light, got ${JSON.stringify(o.theme)}`);
  if (kind === 'hashprice' && o.prices === undefined)
    throw new UsageError('chart: the hashprice chart needs --prices FILE (hash price is in USD)');
  const theme = (o.theme ?? 'dark') as ChartTheme;

  const rules = o.rules === undefined ? [] : await readRulesFile(o.rules);
  const all = await readBlocksFile(blocksFile);
  const prices = o.prices === undefined ? [] : await readPricesFile(o.prices);
  const end = at === undefined ? all.length : all.findIndex((b) => b.height === at) + 1;
  if (end <= 0)
    throw new UsageError(
      `chart: height ${at} is not in ${blocksFile} (${all[0]?.height ?? '-'}..${all.at(-1)?.height ?? '-'})`,
    );
  const blocks = all.slice(Math.max(0, end - DEFAULT_HISTORY_BLOCKS - WARMUP_BLOCKS), end);
  const tip = blocks.at(-1) as Block;

  const points = await (deps.buildPoints ?? buildWithSnapshotBuilder)(blocks, prices);
  const history = new ChartPointRing(Math.max(DEFAULT_HISTORY_BLOCKS, points.length));
  for (const p of points) history.push(p);
  const reasons: string[] = [];
  const service = new ChartService({
    history,
    theme,
    logger: { warn: (o) => reasons.push(String((o as { reason?: string }).reason ?? 'unknown')) },
  });
  const req: ChartRequest = { height: tip.height, hash: tip.id, timeZone, thresholds: rules, theme };
  const png = await service.render(kind, req);
  if (png === null) {
    throw new UsageError(`chart: cannot draw the ${kind} chart at height ${tip.height}: ${reasons[0] ?? 'no data'}`);
  }
  try {
    await writeFile(out, png);
  } catch (e) {
    throw new UsageError(`chart: cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  io.stderr(`wrote ${kind} chart at height ${tip.height} (1000×560, ${png.length} bytes) to ${out}\n`);
  return 0;
}
