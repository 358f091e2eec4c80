/**
 * Chart benchmark: time to render each chart (SVG build and SVG+PNG, median of N runs) and the
 * cache's effect — how many renderings 1,000 subscribers alerted on one block cause.
 * Prints JSON lines {"bench","metric","value","unit"}. Run: npx tsx bench/charts.ts [runs]
 *
 * Data: the committed 2025-26 fixture through the real snapshot builder when it is available,
 * else a synthetic history of the same length (said on stderr).
 */
import { existsSync } from 'node:fs';
import { ChartService } from '../src/charts/chart-service.ts';
import { ChartPointRing } from '../src/charts/history.ts';
import { hashpriceSvg } from '../src/charts/hashprice-chart.ts';
import { hashrateSvg } from '../src/charts/hashrate-chart.ts';
import { resvgRenderer, type PngRenderer } from '../src/charts/render-png.ts';
import { retargetSvg } from '../src/charts/retarget-chart.ts';
import { CHART_KINDS, type ChartKind, type ChartOptions, type ChartPoint } from '../src/charts/types.ts';
import { buildWithSnapshotBuilder } from '../src/cli/chart.ts';
import { readBlocksFile } from '../src/sources/replay/blocks-file.ts';
import { readPricesFile } from '../src/sources/replay/prices-file.ts';
import { syntheticPoints } from '../test/unit/charts/synthetic.ts';

const RUNS = Number(process.argv[2] ?? 15);
const SUBSCRIBERS = 1000;
const emit = (metric: string, value: number, unit: string): void =>
  void process.stdout.write(JSON.stringify({ bench: 'charts', metric, value: Number(value.toFixed(3)), unit }) + '\n');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) >> 1] ?? 0) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

async function loadPoints(): Promise<ChartPoint[]> {
  const blocks = 'data/mainnet-2025-2026.blocks.jsonl';
  if (existsSync(blocks)) {
    const all = await readBlocksFile(blocks);
    const prices = existsSync('data/btc-usd-2025-2026.prices.jsonl')
      ? await readPricesFile('data/btc-usd-2025-2026.prices.jsonl')
      : [];
    process.stderr.write(`# charts: fixture ${blocks} via SnapshotBuilder\n`);
    return buildWithSnapshotBuilder(all.slice(-20_000), prices);
  }
  process.stderr.write(`# charts: ${blocks} missing, synthetic history\n`);
  return syntheticPoints({ blocks: 6500 });
}

const points = await loadPoints();
const tip = points.at(-1) as ChartPoint;
const opts: ChartOptions = {
  timeZone: 'Europe/Berlin',
  thresholds: [
    { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' },
    { kind: 'retarget-estimate', pct: 5, direction: 'both' },
    { kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 },
  ],
};
const builders: Record<ChartKind, (p: readonly ChartPoint[], o: ChartOptions) => string | null> = {
  hashrate: hashrateSvg,
  retarget: retargetSvg,
  hashprice: hashpriceSvg,
};
const render = resvgRenderer();
emit('history_points', points.length, 'blocks');

const medians: number[] = [];
for (const kind of CHART_KINDS) {
  const svgMs: number[] = [];
  const totalMs: number[] = [];
  let bytes = 0;
  await render(builders[kind](points, opts) ?? '<svg xmlns="http://www.w3.org/2000/svg"/>'); // warm-up
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const svg = builders[kind](points, opts);
    const t1 = performance.now();
    if (svg === null) throw new Error(`${kind}: fixture not drawable`);
    const png = await render(svg);
    const t2 = performance.now();
    svgMs.push(t1 - t0);
    totalMs.push(t2 - t0);
    bytes = png.length;
  }
  emit(`${kind}_svg_median`, median(svgMs), 'ms');
  emit(`${kind}_render_median`, median(totalMs), 'ms');
  medians.push(median(totalMs));
  emit(`${kind}_png_size`, bytes / 1024, 'KiB');
}

// Cache: 1,000 subscribers (same zone and rules) alerted on one block ask for all three charts at once.
let renderings = 0;
const counting: PngRenderer = async (svg) => {
  renderings++;
  return render(svg);
};
const history = new ChartPointRing(points.length + 10);
for (const p of points) history.push(p);
const service = new ChartService({ history, renderPng: counting });
const t0 = performance.now();
const results = await Promise.all(
  Array.from({ length: SUBSCRIBERS }, () =>
    CHART_KINDS.map((kind) =>
      service.render(kind, {
        height: tip.height,
        hash: tip.hash,
        timeZone: 'Europe/Berlin',
        ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
      }),
    ),
  ).flat(),
);
const wall = performance.now() - t0;
if (results.some((r) => r === null)) throw new Error('a chart was null in the cache run');
emit('subscribers_one_block', SUBSCRIBERS, 'subscribers');
emit('renderings_for_1000_subscribers', renderings, 'renderings');
emit('renderings_per_kind', renderings / CHART_KINDS.length, 'renderings');
emit('wall_for_1000_subscribers_3_kinds', wall, 'ms');
emit('uncached_estimate_1000_subscribers_3_kinds', medians.reduce((a, b) => a + b, 0) * SUBSCRIBERS, 'ms');
// A second wave (e.g. the status command after the alert) is served from memory.
const t1 = performance.now();
for (let i = 0; i < SUBSCRIBERS; i++)
  await service.render('hashrate', {
    height: tip.height,
    hash: tip.hash,
    timeZone: 'Europe/Berlin',
    ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
  });
emit('cached_lookup_mean', (performance.now() - t1) / SUBSCRIBERS, 'ms');
emit('renderings_after_second_wave', renderings, 'renderings');
