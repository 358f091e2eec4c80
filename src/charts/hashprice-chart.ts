/**
 * Hash-price picture: 30 days of USD per PH/s per day, with the subscriber's break-even and the
 * levels of their hashprice-below/above rules as lines, so "you are under water" is visible.
 */
import { CLIP_END, PLOT, header, legend, panelFrame, refLines, type LegendItem, type RefLine } from './frame.ts';
import { breakevenUsdPerPhDay, finiteCount, historyTitle, recent, rulesOf, values } from './series.ts';
import { extent } from './scale.ts';
import { linePath, path, svgDocument, type XY } from './svg.ts';
import { palette } from './theme.ts';
import { formatDateTime, zoneOrUtc } from './time-axis.ts';
import { CHART_HEIGHT, CHART_WIDTH, type ChartOptions, type ChartPoint } from './types.ts';

const usd = (v: number): string =>
  `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

interface Level {
  readonly usd: number;
  readonly label: string;
  readonly breakeven: boolean;
}

/** The lines a subscriber's rules put on the hash-price chart. */
function levels(opts: ChartOptions): Level[] {
  const out: Level[] = [];
  for (const r of rulesOf(opts.thresholds, 'breakeven')) {
    const v = breakevenUsdPerPhDay(r);
    out.push({ usd: v, label: `break-even ${r.jth} J/TH @ $${r.kwh}/kWh: ${usd(v)}`, breakeven: true });
  }
  for (const r of rulesOf(opts.thresholds, 'hashprice-below'))
    out.push({ usd: r.usd, label: `alert below ${usd(r.usd)}`, breakeven: false });
  for (const r of rulesOf(opts.thresholds, 'hashprice-above'))
    out.push({ usd: r.usd, label: `alert above ${usd(r.usd)}`, breakeven: false });
  return out.filter((l) => Number.isFinite(l.usd) && l.usd >= 0);
}

/** SVG of the hash-price chart, or null without at least two priced blocks in 30 days. */
export function hashpriceSvg(points: readonly ChartPoint[], opts: ChartOptions): string | null {
  const pts = recent(points, 30);
  const last = pts.at(-1);
  const first = pts[0];
  if (!last || !first || !(last.timeSec > first.timeSec)) return null;
  const hp = values(pts, (p) => p.hashprice.usdPerPhDay);
  if (finiteCount(hp) < 2) return null;
  const pal = palette(opts.theme);
  const zone = zoneOrUtc(opts.timeZone);
  const lv = levels(opts);
  const ext = extent(
    hp,
    lv.map((l) => l.usd),
  );
  if (!ext) return null;
  const f = panelFrame({
    box: PLOT,
    id: 'hp',
    t0: first.timeSec,
    t1: last.timeSec,
    yLo: ext[0],
    yHi: ext[1],
    yTitle: 'Hash price (USD/PH/day)',
    timeZone: zone,
    palette: pal,
    xLabels: true,
    yTickCount: 6,
  });
  const xy: XY[] = pts.map((p, i) => [f.x(p.timeSec), f.y(hp[i] ?? Number.NaN)]);
  const refs = lv.map((l): RefLine => ({
    yPx: f.y(l.usd),
    label: l.label,
    color: l.breakeven ? pal.step : pal.threshold,
    ...(l.breakeven ? { dash: '12 5' } : {}),
  }));
  const items: LegendItem[] = [{ label: 'hash price', color: pal.series[2], mark: 'line' }];
  if (lv.some((l) => l.breakeven)) items.push({ label: 'your break-even', color: pal.step, mark: 'dash' });
  if (lv.some((l) => !l.breakeven)) items.push({ label: 'alert', color: pal.threshold, mark: 'dash' });
  const now = last.hashprice.usdPerPhDay;
  const nowText =
    typeof now === 'number' && Number.isFinite(now) ? ` · ${usd(now)}/PH/day` : ' · no price at this block';
  const subtitle = `Block ${last.height.toLocaleString('en-US')} · ${formatDateTime(last.timeSec, zone)}${nowText}`;
  return svgDocument(CHART_WIDTH, CHART_HEIGHT, pal.background, [
    ...header(historyTitle('Hash price', pts, 30), subtitle, `Date (${zone})`, pal),
    ...legend(items, pal),
    ...f.under,
    f.clipStart,
    path(linePath(xy), { stroke: pal.series[2], width: 3 }),
    CLIP_END,
    ...refLines(PLOT, refs, pal),
  ]);
}
