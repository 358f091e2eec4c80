/**
 * Hash-rate picture: the last 30 days of the 1d/3d/7d estimates, the 90 % band of the window the
 * subscriber watches, difficulty epochs as steps (the hash rate each difficulty implies), and for
 * a `hashrate-drop` rule the drop detector's level and the rule's line (level × (1 − pct)) over
 * time — everything a `hashrate-drop` message talks about (the lookback peak only when the
 * history predates the detector's level).
 */
import type { HashrateWindow, Lookback } from '../domain/types.ts';
import { CLIP_END, PLOT, header, legend, panelFrame, refLines, type LegendItem, type RefLine } from './frame.ts';
import {
  finiteCount,
  fmt3,
  historyTitle,
  impliedEhs,
  intervalSeries,
  nearestHeight,
  recent,
  rulesOf,
  values,
} from './series.ts';
import { extent } from './scale.ts';
import { bandPath, circle, filledPath, linePath, path, stepPath, svgDocument, type XY } from './svg.ts';
import { palette } from './theme.ts';
import { formatDateTime, zoneOrUtc } from './time-axis.ts';
import { CHART_HEIGHT, CHART_WIDTH, type ChartOptions, type ChartPoint } from './types.ts';

const WINDOWS: readonly HashrateWindow[] = ['1d', '3d', '7d'];
const EH = 1e18;

/** SVG of the hash-rate chart, or null when the history has nothing drawable. */
export function hashrateSvg(points: readonly ChartPoint[], opts: ChartOptions): string | null {
  const pts = recent(points, 30);
  const last = pts.at(-1);
  if (!last || pts.length < 2) return null;
  const pal = palette(opts.theme);
  const zone = zoneOrUtc(opts.timeZone);
  const drop = rulesOf(opts.thresholds, 'hashrate-drop')[0];
  const focus: HashrateWindow = drop?.window ?? '3d';
  const lookback: Lookback = drop?.lookback ?? '30d';

  const times = pts.map((p) => p.timeSec);
  const series = WINDOWS.map((w) => values(pts, (p) => (p.hashrate[w]?.hps ?? Number.NaN) / EH));
  const band = intervalSeries(pts, (p) => {
    const e = p.hashrate[focus];
    return { v: e && e.hps / EH, lo: e && e.lowHps / EH, hi: e && e.highHps / EH };
  });
  const [lows, highs] = [band.low, band.high];
  const steps = values(pts, (p) => impliedEhs(p.difficulty));
  if (series.every((s) => finiteCount(s) < 2)) return null;

  // A drop rule is drawn as what it measures against: the detector's level and level × (1 − pct)
  // over time. Only history older than that record falls back to the lookback peak, as context.
  const dropLines = drop ? dropThresholdLine(pts, drop.pct, lookback) : null;
  const peak = dropLines ? null : (last.peaks[focus]?.[lookback] ?? null);
  const peakEhs = peak && Number.isFinite(peak.hps) ? peak.hps / EH : null;
  const lines: Array<{ ehs: number; label: string }> = [];
  for (const r of rulesOf(opts.thresholds, 'hashrate-below')) {
    lines.push({ ehs: r.ehs, label: `alert: 7d below ${fmt3(r.ehs)} EH/s` });
  }
  const drawn = lines.filter((l) => Number.isFinite(l.ehs));

  const ext = extent(
    ...series,
    lows,
    highs,
    steps,
    peakEhs === null ? [] : [peakEhs],
    drawn.map((l) => l.ehs),
    dropLines?.level ?? [],
    dropLines?.alert ?? [],
  );
  const t0 = times[0] ?? last.timeSec;
  if (!ext || !(last.timeSec > t0)) return null;
  const f = panelFrame({
    box: PLOT,
    id: 'hr',
    t0,
    t1: last.timeSec,
    yLo: ext[0],
    yHi: ext[1],
    yTitle: 'Hash rate (EH/s)',
    timeZone: zone,
    palette: pal,
    xLabels: true,
    yTickCount: 6,
  });
  const xs = times.map(f.x);
  const xy = (vs: readonly number[]): XY[] => vs.map((v, i) => [xs[i] ?? Number.NaN, f.y(v)] as const);
  const body: string[] = [...f.under, f.clipStart];
  body.push(filledPath(bandPath(xs, lows.map(f.y), highs.map(f.y)), pal.band));
  body.push(path(stepPath(xy(steps), PLOT.x + PLOT.w), { stroke: pal.step, width: 2, dash: '2 4' }));
  series.forEach((s, i) =>
    body.push(path(linePath(xy(s)), { stroke: pal.series[i] ?? pal.ink, width: i === 0 ? 1.5 : 2.5 })),
  );
  if (dropLines) {
    body.push(path(linePath(xy(dropLines.level)), { stroke: pal.peak, width: 2.5, dash: '3 5' }));
    body.push(path(linePath(xy(dropLines.alert)), { stroke: pal.threshold, width: 2.5, dash: '9 6' }));
  }
  body.push(CLIP_END);
  const refs: RefLine[] = drawn.map((l) => ({ yPx: f.y(l.ehs), label: l.label, color: pal.threshold }));
  if (dropLines && drop) {
    const lv = lastFinite(dropLines.level);
    const al = lastFinite(dropLines.alert);
    const lb = `${lookback} level, ending 14 d back:`;
    refs.push({ yPx: f.y(lv), label: `${lb} ${fmt3(lv)} EH/s`, color: pal.peak, labelOnly: true });
    refs.push({
      yPx: f.y(al),
      label: `alert: −${drop.pct} % of level = ${fmt3(al)} EH/s`,
      color: pal.threshold,
      labelOnly: true,
    });
  }
  if (peakEhs !== null) {
    refs.push({
      yPx: f.y(peakEhs),
      label: `${lookback} peak (${focus}) ${fmt3(peakEhs)} EH/s`,
      color: pal.peak,
      dash: '3 5',
    });
  }
  body.push(...refLines(PLOT, refs, pal));
  const at = peak === null ? -1 : nearestHeight(pts, peak.height);
  if (peakEhs !== null && at >= 0) body.push(circle(xs[at] ?? 0, f.y(peakEhs), 6, pal.peak, pal.panel));

  const latest = last.hashrate['7d'] ?? last.hashrate[focus];
  const items: LegendItem[] = [
    { label: '1d', color: pal.series[0], mark: 'line' },
    { label: '3d', color: pal.series[1], mark: 'line' },
    { label: '7d', color: pal.series[2], mark: 'line' },
    { label: `90 % band (${focus})`, color: pal.band, mark: 'band' },
    // Not the difficulty itself: the hash rate that mines it at 10 min per block (issue 11).
    { label: 'implied by difficulty', color: pal.step, mark: 'dash' },
  ];
  if (peakEhs !== null) items.push({ label: 'peak', color: pal.peak, mark: 'dash' });
  if (dropLines) items.push({ label: 'level', color: pal.peak, mark: 'dash' });
  if (drawn.length > 0 || dropLines) items.push({ label: 'alert', color: pal.threshold, mark: 'dash' });
  const now = latest
    ? ` · 7d ${fmt3(latest.hps / EH)} EH/s (90 %: ${fmt3(latest.lowHps / EH)}–${fmt3(latest.highHps / EH)})`
    : '';
  const subtitle = `Block ${last.height.toLocaleString('en-US')} · ${formatDateTime(last.timeSec, zone)}${now}`;
  return svgDocument(CHART_WIDTH, CHART_HEIGHT, pal.background, [
    ...header(historyTitle('Network hash rate', pts, 30), subtitle, `Date (${zone})`, pal),
    ...legend(items, pal),
    ...body,
  ]);
}

/**
 * Where a `hashrate-drop` rule's lines sit, block by block (EH/s; NaN where unknown): the drop
 * detector's reference level for the rule's lookback (the mean hash rate of the lookback ending
 * two weeks before that block, which the detector measures every block against) and that level
 * × (1 − pct), the rate the rule calls a drop. The detector fires once the blocks since a change
 * have held enough evidence of a rate that far down (not on one block crossing the line), and
 * dates the drop from where that evidence began. null when no point carries the level (history
 * kept before it was recorded, or a detector still filling its reference).
 */
export function dropThresholdLine(
  points: readonly ChartPoint[],
  pct: number,
  lookback: Lookback,
): { level: number[]; alert: number[] } | null {
  const level = values(points, (p) => (p.drop?.[lookback]?.referenceHps ?? Number.NaN) / EH);
  if (finiteCount(level) === 0) return null;
  return { level, alert: level.map((v) => v * (1 - pct / 100)) };
}

function lastFinite(vs: readonly number[]): number {
  for (let i = vs.length - 1; i >= 0; i--) if (Number.isFinite(vs[i])) return vs[i]!;
  return Number.NaN;
}
