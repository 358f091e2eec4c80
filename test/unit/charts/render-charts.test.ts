/**
 * Rendering the fixture gives real PNGs: decoded here (own decoder, not the encoder's word),
 * right size, not blank, and the 90 % band actually painted inside the plot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PLOT } from '../../../src/charts/frame.ts';
import { hashpriceSvg } from '../../../src/charts/hashprice-chart.ts';
import { hashrateSvg } from '../../../src/charts/hashrate-chart.ts';
import { resvgRenderer } from '../../../src/charts/render-png.ts';
import { retargetSvg } from '../../../src/charts/retarget-chart.ts';
import { palette } from '../../../src/charts/theme.ts';
import { CHART_HEIGHT, CHART_WIDTH, type ChartOptions, type ChartPoint } from '../../../src/charts/types.ts';
import { colourStats, decodePng, type DecodedPng } from './png-decode.ts';
import { syntheticPoints } from './synthetic.ts';

const render = resvgRenderer();
let points: ChartPoint[];
const opts: ChartOptions = {
  timeZone: 'America/New_York',
  thresholds: [
    { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' },
    { kind: 'retarget-estimate', pct: 5, direction: 'both' },
    { kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 },
  ],
};

beforeAll(() => {
  points = syntheticPoints({ blocks: 5000, seed: 11 });
});

async function png(svg: string | null): Promise<DecodedPng> {
  expect(svg).not.toBeNull();
  const bytes = await render(svg as string);
  return decodePng(bytes);
}

const plotBox = { x: PLOT.x + 2, y: PLOT.y + 2, w: PLOT.w - 4, h: PLOT.h - 4 };

describe('chart PNGs', () => {
  it.each(['dark', 'light'] as const)('hash-rate chart (%s): size, content, band inside the plot', async (theme) => {
    const img = await png(hashrateSvg(points, { ...opts, theme }));
    const pal = palette(theme);
    expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    const all = colourStats(img, { x: 0, y: 0, w: img.width, h: img.height }, [pal.background]);
    expect(all.distinct).toBeGreaterThan(200); // anti-aliased lines and text, not a flat fill
    const plot = colourStats(img, plotBox, [pal.band, pal.panel]);
    const band = plot.counts.get(pal.band) ?? 0;
    expect(band).toBeGreaterThan(plotBox.w * plotBox.h * 0.03);
    // Not only band and panel in the plot: the series are drawn over them.
    const other = plotBox.w * plotBox.h - band - (plot.counts.get(pal.panel) ?? 0);
    expect(other).toBeGreaterThan(plotBox.w * plotBox.h * 0.05);
  });

  it('retarget chart: two panels, band and ETA strip painted', async () => {
    const img = await png(retargetSvg(points, opts));
    const pal = palette('dark');
    expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    const plot = colourStats(img, plotBox, [pal.band, pal.series[2], pal.series[1]]);
    expect(plot.counts.get(pal.band) ?? 0).toBeGreaterThan(5000);
    expect(plot.counts.get(pal.series[2]) ?? 0).toBeGreaterThan(300); // the estimate line
    expect(plot.counts.get(pal.series[1]) ?? 0).toBeGreaterThan(300); // blocks mined
  });

  it('hash-price chart: the line and the break-even line are painted', async () => {
    const img = await png(hashpriceSvg(points, { ...opts, theme: 'light' }));
    const pal = palette('light');
    expect([img.width, img.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    const plot = colourStats(img, plotBox, [pal.series[2], pal.step]);
    expect(plot.counts.get(pal.series[2]) ?? 0).toBeGreaterThan(800);
    expect(plot.counts.get(pal.step) ?? 0).toBeGreaterThan(300);
    expect(colourStats(img, { x: 0, y: 0, w: img.width, h: img.height }).distinct).toBeGreaterThan(100);
  });

  it('text is drawn with the bundled font (label pixels in the header area)', async () => {
    const img = await png(hashpriceSvg(points, opts));
    const pal = palette('dark');
    const head = colourStats(img, { x: 20, y: 14, w: 400, h: 30 }, [pal.background]);
    const bg = head.counts.get(pal.background) ?? 0;
    expect(400 * 30 - bg).toBeGreaterThan(1500); // the title's glyphs, not an empty strip
  });
});

describe("threshold lines carry the subscriber's numbers", () => {
  it('hash-rate drop on history without the detector level: the peak as context, no made-up alert line', () => {
    const svg =
      hashrateSvg(points, {
        timeZone: 'UTC',
        thresholds: [{ kind: 'hashrate-drop', pct: 15, window: '7d', lookback: '14d' }],
      }) ?? '';
    const peak = (points.at(-1)?.peaks['7d']['14d']?.hps ?? NaN) / 1e18;
    expect(svg).toContain(`14d peak (7d) ${Math.round(peak).toLocaleString('en-US')} EH/s`);
    // The rule does not fire at peak × (1 − pct): its line is drawn only from the detector's level
    // (test/unit/charts/drop-line.test.ts).
    expect(svg).not.toContain('of peak');
    expect(svg).toContain('90 % band (7d)');
  });

  it('break-even: J/TH × 24 × USD/kWh grossed up for the pool fee', () => {
    const svg =
      hashpriceSvg(points, {
        timeZone: 'UTC',
        thresholds: [
          { kind: 'breakeven', jth: 20, kwh: 0.05, poolfee: 4 },
          { kind: 'hashprice-above', usd: 60 },
        ],
      }) ?? '';
    expect(svg).toContain('break-even 20 J/TH @ $0.05/kWh: $25.00'); // 20 × 24 × 0.05 / 0.96
    expect(svg).toContain('alert above $60.00');
  });

  it('rules a chart cannot show draw nothing', () => {
    const svg =
      hashrateSvg(points, {
        timeZone: 'UTC',
        thresholds: [{ kind: 'hashprice-below', usd: 40 }, { kind: 'new-block' }],
      }) ?? '';
    expect(svg).not.toContain('alert');
  });
});
