/**
 * Retarget picture, two panels on one time axis: above, the epoch so far (blocks mined against
 * time, the 600 s/block schedule and the projection to the retarget with its ETA interval);
 * below, how hashbell's estimate of the change moved and its 90 % interval narrowed.
 */
import {
  CLIP_END,
  PLOT,
  header,
  legend,
  panelFrame,
  refLines,
  vMarker,
  type Box,
  type LegendItem,
  type RefLine,
} from './frame.ts';
import type { Palette } from './theme.ts';
import { DAY_SEC, finiteCount, fmtPct, intervalSeries } from './series.ts';
import { extent } from './scale.ts';
import {
  bandPath,
  circle,
  decimate,
  filledPath,
  line,
  linePath,
  path,
  rect,
  svgDocument,
  text,
  type XY,
} from './svg.ts';
import { palette } from './theme.ts';
import { formatDateTime, zoneOrUtc } from './time-axis.ts';
import { CHART_HEIGHT, CHART_WIDTH, type ChartOptions, type ChartPoint } from './types.ts';

const EPOCH = 2016;
const SPACING = 600;
/** Skip the first day's estimates when scaling: their intervals are huge and would flatten the rest. */
const SCALE_FROM_BLOCKS = 144;
const MAX_SPAN_SEC = 42 * DAY_SEC;
/** Consensus-style limits of a retarget (mempool clamps its estimate the same way), in %. */
const CHANGE_MIN = -75;
const CHANGE_MAX = 300;

/** SVG of the retarget chart, or null when the current epoch cannot be drawn. */
export function retargetSvg(points: readonly ChartPoint[], opts: ChartOptions): string | null {
  const last = points.at(-1);
  if (!last) return null;
  const r = last.retarget;
  const start = r.epochStartHeight;
  if (![r.changePct, r.lowPct, r.highPct, r.etaSec, last.timeSec].every(Number.isFinite)) return null;
  if (!(r.lowPct <= r.changePct && r.changePct <= r.highPct)) return null;
  const inEpoch = points.filter((p) => p.height >= start && p.height <= last.height);
  const pts = decimate(inEpoch.length, 900).map((i) => inEpoch[i] as ChartPoint);
  const first = pts[0];
  if (!first) return null;
  const pal = palette(opts.theme);
  const zone = zoneOrUtc(opts.timeZone);

  const tStart = first.timeSec - (first.height - start) * SPACING;
  const schedEnd = tStart + EPOCH * SPACING;
  const etaHigh = Number.isFinite(r.etaHighSec) ? r.etaHighSec : r.etaSec;
  // Early in an epoch the ETA can be wild; past six weeks the picture would only show emptiness.
  const tEnd = Math.min(
    Math.max(etaHigh, schedEnd, last.timeSec) + 6 * 3600,
    Math.max(tStart + MAX_SPAN_SEC, last.timeSec + DAY_SEC),
  );
  const topBox: Box = { x: PLOT.x, y: PLOT.y, w: PLOT.w, h: 168 };
  const lowBox: Box = { x: PLOT.x, y: PLOT.y + 168 + 22, w: PLOT.w, h: PLOT.h - 168 - 22 };

  // Upper panel: blocks into the epoch.
  const top = panelFrame({
    box: topBox,
    id: 'rt-top',
    t0: tStart,
    t1: tEnd,
    yLo: 0,
    yHi: EPOCH,
    yTitle: 'Blocks',
    timeZone: zone,
    palette: pal,
    xLabels: false,
    yTicks: [0, 504, 1008, 1512, 2016],
  });
  const blocksXY: XY[] = pts.map((p) => [top.x(p.timeSec), top.y(p.height - start + 1)]);
  const done = last.height - start + 1;
  const strip = (b: Box, x: (t: number) => number): string =>
    Number.isFinite(r.etaLowSec) && Number.isFinite(r.etaHighSec)
      ? rect(x(r.etaLowSec), b.y, Math.max(2, x(r.etaHighSec) - x(r.etaLowSec)), b.h, pal.band)
      : '';
  const upper = [
    ...top.under,
    top.clipStart,
    strip(topBox, top.x),
    line(top.x(tStart), top.y(0), top.x(schedEnd), top.y(EPOCH), { stroke: pal.muted, width: 2, dash: '8 6' }),
    line(top.x(last.timeSec), top.y(done), top.x(r.etaSec), top.y(EPOCH), {
      stroke: pal.series[1],
      width: 2,
      dash: '3 5',
    }),
    path(linePath(blocksXY), { stroke: pal.series[1], width: 3 }),
    CLIP_END,
    ...etaMarker(
      topBox,
      top.x(r.etaSec),
      `retarget ≈ ${formatDateTime(r.etaSec, zone, 'short')}`,
      pal,
      top.x(Number.isFinite(r.etaLowSec) ? r.etaLowSec : r.etaSec),
    ),
  ];

  // Lower panel: the estimate's path and interval.
  const est = intervalSeries(pts, (p) => ({ v: p.retarget.changePct, lo: p.retarget.lowPct, hi: p.retarget.highPct }));
  const [change, lows, highs] = [est.mid, est.low, est.high];
  if (finiteCount(change) < 1) return null;
  const settled = pts.map((p) => p.height - start >= SCALE_FROM_BLOCKS);
  const pick = (vs: number[]): number[] => (settled.some(Boolean) ? vs.filter((_, i) => settled[i]) : vs);
  const alerts = retargetThresholds(opts);
  const raw = extent(
    pick(change),
    pick(lows),
    pick(highs),
    [0, r.lowPct, r.highPct],
    alerts.map((a) => a.pct),
  ) ?? [0, 1];
  const ext = [Math.max(raw[0], CHANGE_MIN), Math.min(raw[1], CHANGE_MAX)] as const;
  const low = panelFrame({
    box: lowBox,
    id: 'rt-low',
    t0: tStart,
    t1: tEnd,
    yLo: ext[0],
    yHi: ext[1],
    yTitle: 'Change (%)',
    timeZone: zone,
    palette: pal,
    xLabels: true,
    yTickCount: 4,
  });
  const xs = pts.map((p) => low.x(p.timeSec));
  const lower = [
    ...low.under,
    low.clipStart,
    strip(lowBox, low.x),
    line(lowBox.x, low.y(0), lowBox.x + lowBox.w, low.y(0), { stroke: pal.muted, width: 1.5 }),
    filledPath(bandPath(xs, lows.map(low.y), highs.map(low.y)), pal.band),
    path(linePath(change.map((v, i) => [xs[i] ?? Number.NaN, low.y(v)] as const)), { stroke: pal.series[2], width: 3 }),
    // Now: the current estimate with its interval as an error bar (visible even on the epoch's first block).
    line(low.x(last.timeSec), low.y(r.lowPct), low.x(last.timeSec), low.y(r.highPct), {
      stroke: pal.series[2],
      width: 2,
    }),
    circle(low.x(last.timeSec), low.y(r.changePct), 5, pal.series[2], pal.panel),
    CLIP_END,
    ...refLines(
      lowBox,
      alerts.map((a): RefLine => ({ yPx: low.y(a.pct), label: a.label, color: pal.threshold })),
      pal,
    ),
  ];

  const items: LegendItem[] = [
    { label: 'blocks mined', color: pal.series[1], mark: 'line' },
    { label: '600 s/block', color: pal.muted, mark: 'dash' },
    { label: 'estimate', color: pal.series[2], mark: 'line' },
    { label: '90 % interval / ETA', color: pal.band, mark: 'band' },
  ];
  if (alerts.length > 0) items.push({ label: 'alert', color: pal.threshold, mark: 'dash' });
  const pctDone = Math.min(100, (done / EPOCH) * 100).toFixed(0);
  const subtitle = `Block ${last.height.toLocaleString('en-US')} · ${done.toLocaleString('en-US')} of 2,016 (${pctDone} %) · next change ${fmtPct(r.changePct)} (90 %: ${fmtPct(r.lowPct)} … ${fmtPct(r.highPct)})`;
  return svgDocument(CHART_WIDTH, CHART_HEIGHT, pal.background, [
    ...header(
      `Next retarget at block ${r.nextRetargetHeight.toLocaleString('en-US')}`,
      subtitle,
      `Date (${zone})`,
      pal,
    ),
    ...legend(items, pal),
    ...upper,
    ...lower,
  ]);
}

/** The ±pct levels of the subscriber's retarget-estimate rules. */
function retargetThresholds(opts: ChartOptions): Array<{ pct: number; label: string }> {
  const out: Array<{ pct: number; label: string }> = [];
  for (const rule of opts.thresholds ?? []) {
    if (rule.kind !== 'retarget-estimate' || !Number.isFinite(rule.pct)) continue;
    if (rule.direction !== 'down') out.push({ pct: rule.pct, label: `alert ${fmtPct(rule.pct, 0)}` });
    if (rule.direction !== 'up') out.push({ pct: -rule.pct, label: `alert ${fmtPct(-rule.pct, 0)}` });
  }
  return out;
}

/** The ETA marker, or a "→" note at the right edge when the ETA is beyond the drawn span. */
function etaMarker(box: Box, xPx: number, label: string, pal: Palette, stripLeftPx: number): string[] {
  if (xPx <= box.x + box.w) return vMarker(box, xPx, label, pal.ink, pal, stripLeftPx);
  return [text(box.x + box.w - 8, box.y + box.h - 12, `${label} →`, { size: 16, fill: pal.ink, anchor: 'end' })];
}
