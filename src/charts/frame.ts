/**
 * The parts every chart shares: header (title, subtitle), legend, and a panel with a time x-axis
 * in the reader's zone, a labelled y-axis with units, grid and clipping. Each chart only decides
 * what to draw inside its panels.
 */
import { formatTick, linearScale, niceDomain, type LinearScale } from './scale.ts';
import { circle, line, rect, text, textWidth } from './svg.ts';
import type { Palette } from './theme.ts';
import { timeTicks } from './time-axis.ts';
import { CHART_HEIGHT, CHART_WIDTH } from './types.ts';

export const TICK_FONT = 18;
export const LABEL_FONT = 18;

/** A plotting rectangle in pixels. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/** Standard layout: header + legend on top, one plot below (split it for stacked panels). */
export const PLOT: Box = { x: 96, y: 118, w: CHART_WIDTH - 96 - 30, h: CHART_HEIGHT - 118 - 74 };

export interface PanelSpec {
  readonly box: Box;
  readonly id: string;
  /** Unix seconds. */
  readonly t0: number;
  readonly t1: number;
  /** Data extent on y (already including every line to draw). */
  readonly yLo: number;
  readonly yHi: number;
  /** Axis title with unit, e.g. "Hash rate (EH/s)". */
  readonly yTitle: string;
  readonly timeZone: string;
  readonly palette: Palette;
  /** Tick labels under the panel (false for an upper panel sharing the axis below). */
  readonly xLabels: boolean;
  readonly yTickCount?: number;
  /** Fixed y ticks (and domain = their extent) instead of nice ones, e.g. epoch quarters. */
  readonly yTicks?: readonly number[];
  /** Suffix for y tick labels, e.g. " %". */
  readonly ySuffix?: string;
}

export interface PanelFrame {
  readonly x: LinearScale;
  readonly y: LinearScale;
  /** Grid, axes and labels, drawn under the series. */
  readonly under: string[];
  /** Opening of the clipped group for series; close with CLIP_END. */
  readonly clipStart: string;
}

export const CLIP_END = '</g>';

/** Lays out one panel and returns its scales and background elements. */
export function panelFrame(spec: PanelSpec): PanelFrame {
  const { box, palette: pal } = spec;
  const nice = niceDomain(spec.yLo, spec.yHi, spec.yTickCount ?? 5);
  const fixed = spec.yTicks && spec.yTicks.length >= 2 ? [...spec.yTicks] : null;
  const ticks = fixed ?? nice.ticks;
  const domain: [number, number] = fixed ? [Math.min(...fixed), Math.max(...fixed)] : nice.domain;
  const x = linearScale([spec.t0, spec.t1], [box.x, box.x + box.w]);
  const y = linearScale(domain, [box.y + box.h, box.y]);
  const step = fixed ? 1 : ticks.length > 1 ? (ticks[1] ?? 0) - (ticks[0] ?? 0) : 1;
  const under: string[] = [rect(box.x, box.y, box.w, box.h, pal.panel, 4)];
  for (const v of ticks) {
    under.push(line(box.x, y(v), box.x + box.w, y(v), { stroke: pal.grid, width: 1 }));
    under.push(
      text(box.x - 10, y(v) + TICK_FONT * 0.35, formatTick(v, step) + (spec.ySuffix ?? ''), {
        size: TICK_FONT,
        fill: pal.muted,
        anchor: 'end',
      }),
    );
  }
  for (const t of timeTicks(spec.t0, spec.t1, spec.timeZone)) {
    under.push(line(x(t.tSec), box.y, x(t.tSec), box.y + box.h, { stroke: pal.grid, width: 1 }));
    if (spec.xLabels)
      under.push(text(x(t.tSec), box.y + box.h + 25, t.lines, { size: TICK_FONT, fill: pal.muted, anchor: 'middle' }));
  }
  const cy = box.y + box.h / 2;
  under.push(text(24, cy, spec.yTitle, { size: LABEL_FONT, fill: pal.ink, anchor: 'middle', rotate: -90 }));
  under.push(`<clipPath id="${spec.id}">${rect(box.x, box.y, box.w, box.h, '#000')}</clipPath>`);
  return { x, y, under, clipStart: `<g clip-path="url(#${spec.id})">` };
}

/** Title, subtitle and the x-axis title (which names the reader's time zone). */
export function header(title: string, subtitle: string, xTitle: string, pal: Palette): string[] {
  return [
    text(24, 40, title, { size: 28, fill: pal.ink, weight: 'bold' }),
    text(24, 70, subtitle, { size: 19, fill: pal.muted }),
    text(PLOT.x + PLOT.w / 2, CHART_HEIGHT - 7, xTitle, { size: 16, fill: pal.muted, anchor: 'middle' }),
  ];
}

export type LegendMark = 'line' | 'dash' | 'band' | 'dot';

export interface LegendItem {
  readonly label: string;
  readonly color: string;
  readonly mark: LegendMark;
}

/** One legend row left to right above the plot. */
export function legend(items: readonly LegendItem[], pal: Palette, y = 101): string[] {
  const out: string[] = [];
  let x = PLOT.x;
  for (const it of items) {
    if (it.mark === 'band') out.push(rect(x, y - 12, 26, 14, it.color, 2));
    else if (it.mark === 'dot') out.push(circle(x + 13, y - 5, 6, it.color));
    else
      out.push(
        line(x, y - 5, x + 26, y - 5, { stroke: it.color, width: 3, ...(it.mark === 'dash' ? { dash: '7 5' } : {}) }),
      );
    out.push(text(x + 34, y, it.label, { size: 18, fill: pal.ink }));
    x += 34 + textWidth(it.label, 18) + 20;
  }
  return out;
}

/** A horizontal reference line across a panel, labelled at its right end. */
export interface RefLine {
  readonly yPx: number;
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
  /** Only the label plate (the line is a series drawn elsewhere, e.g. one that moves over time). */
  readonly labelOnly?: boolean;
}

const LABEL_GAP = 23;

/**
 * Draws reference lines (peak, thresholds, break-even) with their labels on small plates at the
 * right end, pushed apart vertically so two close levels never print on top of each other.
 */
export function refLines(box: Box, lines: readonly RefLine[], pal: Palette): string[] {
  const out: string[] = [];
  const sorted = [...lines].filter((l) => Number.isFinite(l.yPx)).sort((a, b) => a.yPx - b.yPx);
  for (const l of sorted)
    if (!l.labelOnly)
      out.push(line(box.x, l.yPx, box.x + box.w, l.yPx, { stroke: l.color, width: 2.5, dash: l.dash ?? '9 6' }));
  // Label baselines: just above each line, then moved down to keep LABEL_GAP and inside the box.
  const ys = sorted.map((l) => l.yPx - 7);
  for (let i = 0; i < ys.length; i++) {
    const min = i === 0 ? box.y + 18 : (ys[i - 1] ?? 0) + LABEL_GAP;
    ys[i] = Math.max(ys[i] ?? 0, min);
  }
  for (let i = ys.length - 1; i >= 0; i--) {
    const max = i === ys.length - 1 ? box.y + box.h - 6 : (ys[i + 1] ?? 0) - LABEL_GAP;
    ys[i] = Math.min(ys[i] ?? 0, max);
  }
  sorted.forEach((l, i) => {
    const w = textWidth(l.label, 16) + 12;
    const y = ys[i] ?? l.yPx;
    out.push(rect(box.x + box.w - w - 6, y - 16, w, 22, pal.panel, 3));
    out.push(text(box.x + box.w - 12, y, l.label, { size: 16, fill: l.color, anchor: 'end', weight: 'bold' }));
  });
  return out;
}

/**
 * A vertical marker (e.g. the retarget ETA) labelled on a plate near the panel's bottom; a label
 * going left keeps clear of `clearLeftOf` (the ETA interval strip).
 */
export function vMarker(
  box: Box,
  xPx: number,
  label: string,
  color: string,
  pal: Palette,
  clearLeftOf = xPx,
): string[] {
  const right = xPx > box.x + box.w - 200;
  const w = textWidth(label, 16) + 12;
  const y = box.y + box.h - 12;
  const x0 = right ? Math.min(xPx, clearLeftOf) - 8 - w : xPx + 8;
  return [
    line(xPx, box.y, xPx, box.y + box.h, { stroke: color, width: 2, dash: '4 4' }),
    rect(x0, y - 16, w, 22, pal.panel, 3),
    text(x0 + 6, y, label, { size: 16, fill: color }),
  ];
}
