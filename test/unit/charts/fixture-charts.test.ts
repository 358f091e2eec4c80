/**
 * The bundled 2025-26 fixture through the real SnapshotBuilder and ChartService: each chart is a
 * decodable 1000×560 PNG with real content, and the hash-rate band is painted in the plot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ChartService } from '../../../src/charts/chart-service.ts';
import { PLOT } from '../../../src/charts/frame.ts';
import { ChartPointRing } from '../../../src/charts/history.ts';
import { palette } from '../../../src/charts/theme.ts';
import { CHART_KINDS, type ChartPoint } from '../../../src/charts/types.ts';
import { buildWithSnapshotBuilder } from '../../../src/cli/chart.ts';
import { readBlocksFile } from '../../../src/sources/replay/blocks-file.ts';
import { readPricesFile } from '../../../src/sources/replay/prices-file.ts';
import { colourStats, decodePng } from './png-decode.ts';

let service: ChartService;
let tip: ChartPoint;

beforeAll(async () => {
  const blocks = await readBlocksFile('data/mainnet-2025-2026.blocks.jsonl');
  const prices = await readPricesFile('data/btc-usd-2025-2026.prices.jsonl');
  // Up to the middle of an epoch, with enough warm-up for the 7d window and the 90d peak.
  const end = blocks.findIndex((b) => b.height === 955_000) + 1;
  const points = await buildWithSnapshotBuilder(blocks.slice(end - 20_000, end), prices);
  const history = new ChartPointRing();
  for (const p of points) history.push(p);
  tip = points.at(-1) as ChartPoint;
  service = new ChartService({ history });
}, 60_000);

describe('charts of the bundled fixture', () => {
  it.each(CHART_KINDS)('%s: valid 1000×560 PNG, not blank', async (kind) => {
    const png = await service.render(kind, {
      height: tip.height,
      hash: tip.hash,
      timeZone: 'Europe/Berlin',
      thresholds: [
        { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' },
        { kind: 'breakeven', jth: 17, kwh: 0.07, poolfee: 2 },
      ],
    });
    expect(png).not.toBeNull();
    const img = decodePng(png as Buffer);
    expect([img.width, img.height]).toEqual([1000, 560]);
    const pal = palette('dark');
    const plot = colourStats(img, { x: PLOT.x + 2, y: PLOT.y + 2, w: PLOT.w - 4, h: PLOT.h - 4 }, [
      pal.panel,
      pal.band,
    ]);
    const area = (PLOT.w - 4) * (PLOT.h - 4);
    expect(plot.distinct).toBeGreaterThan(100);
    expect(area - (plot.counts.get(pal.panel) ?? 0)).toBeGreaterThan(area * 0.05); // something drawn over the panel
    if (kind !== 'hashprice') expect(plot.counts.get(pal.band) ?? 0).toBeGreaterThan(area * 0.03); // the 90 % band
  });
});
