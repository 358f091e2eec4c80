/**
 * Tiny SVG builders: strings in, strings out. Charts are assembled from these so every picture
 * shares one way of drawing a gap in a series, a band or a step, and text is always escaped.
 */

export const FONT_FAMILY = 'DejaVu Sans';

/** Escapes text for SVG content and attribute values. */
export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** Pixel coordinate with one decimal: enough for anti-aliasing, keeps paths short. */
export function px(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** An x/y pair; a non-finite y marks a gap in the series. */
export type XY = readonly [number, number];

/** Path through the points, lifting the pen at every gap (non-finite coordinate). */
export function linePath(points: readonly XY[]): string {
  let d = '';
  let pen = false;
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x)} ${px(y)}`;
    pen = true;
  }
  return d;
}

/** Horizontal-then-vertical path: a value that holds until the next point (difficulty epochs). */
export function stepPath(points: readonly XY[], xEnd: number): string {
  let d = '';
  let last: XY | null = null;
  for (const p of points) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
    d += last === null ? `M${px(p[0])} ${px(p[1])}` : `H${px(p[0])}V${px(p[1])}`;
    last = p;
  }
  if (last !== null) d += `H${px(xEnd)}`;
  return d;
}

/** Closed area between lows and highs per contiguous run of finite points (the 90 % band). */
export function bandPath(xs: readonly number[], lows: readonly number[], highs: readonly number[]): string {
  let d = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length >= 2) {
      const top = run.map((i) => `${px(xs[i] ?? 0)} ${px(highs[i] ?? 0)}`);
      const bottom = run.map((i) => `${px(xs[i] ?? 0)} ${px(lows[i] ?? 0)}`).reverse();
      d += `M${top.join('L')}L${bottom.join('L')}Z`;
    }
    run = [];
  };
  for (let i = 0; i < xs.length; i++) {
    if ([xs[i], lows[i], highs[i]].every((v) => v !== undefined && Number.isFinite(v))) run.push(i);
    else flush();
  }
  flush();
  return d;
}

export interface StrokeStyle {
  readonly stroke: string;
  readonly width?: number;
  readonly dash?: string;
  readonly opacity?: number;
}

function strokeAttrs(s: StrokeStyle): string {
  return (
    `stroke="${s.stroke}" stroke-width="${s.width ?? 2}"` +
    (s.dash ? ` stroke-dasharray="${s.dash}"` : '') +
    (s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : '')
  );
}

export function path(d: string, style: StrokeStyle & { fill?: string }): string {
  if (d === '') return '';
  return `<path d="${d}" fill="${style.fill ?? 'none'}" ${strokeAttrs(style)} stroke-linejoin="round" stroke-linecap="round"/>`;
}

export function filledPath(d: string, fill: string): string {
  return d === '' ? '' : `<path d="${d}" fill="${fill}" stroke="none"/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, style: StrokeStyle): string {
  return `<line x1="${px(x1)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(y2)}" ${strokeAttrs(style)}/>`;
}

export function rect(x: number, y: number, w: number, h: number, fill: string, rx = 0): string {
  return `<rect x="${px(x)}" y="${px(y)}" width="${px(w)}" height="${px(h)}" rx="${rx}" fill="${fill}"/>`;
}

export function circle(cx: number, cy: number, r: number, fill: string, stroke?: string): string {
  return `<circle cx="${px(cx)}" cy="${px(cy)}" r="${r}" fill="${fill}"${stroke ? ` stroke="${stroke}" stroke-width="2"` : ''}/>`;
}

export interface TextStyle {
  readonly size: number;
  readonly fill: string;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'normal' | 'bold';
  readonly rotate?: number;
}

/** Text whose `y` is its baseline; extra lines go below at 1.15 × size. */
export function text(x: number, y: number, content: string | readonly string[], s: TextStyle): string {
  const lines = typeof content === 'string' ? [content] : content;
  const tr = s.rotate ? ` transform="rotate(${s.rotate} ${px(x)} ${px(y)})"` : '';
  const attrs = `font-family="${FONT_FAMILY}" font-size="${s.size}" fill="${s.fill}" text-anchor="${s.anchor ?? 'start'}"${s.weight === 'bold' ? ' font-weight="bold"' : ''}${tr}`;
  if (lines.length === 1) return `<text x="${px(x)}" y="${px(y)}" ${attrs}>${esc(lines[0] ?? '')}</text>`;
  const spans = lines.map((l, i) => `<tspan x="${px(x)}" dy="${i === 0 ? 0 : px(s.size * 1.15)}">${esc(l)}</tspan>`);
  return `<text x="${px(x)}" y="${px(y)}" ${attrs}>${spans.join('')}</text>`;
}

/** Approximate advance width of DejaVu Sans text (for boxes behind labels; no font metrics at hand). */
export function textWidth(content: string, size: number): number {
  return content.length * size * 0.58;
}

/** Wraps the body in an <svg> of the given size with a background. */
export function svgDocument(width: number, height: number, background: string, body: readonly string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    rect(0, 0, width, height, background) +
    body.join('') +
    '</svg>'
  );
}

/**
 * Index subset keeping at most `max` points, always the first and last: a 30-day series has
 * ~4,300 blocks but the plot is ~850 px wide, and paths of thousands of points only cost time.
 */
export function decimate(length: number, max: number): number[] {
  if (length <= max) return Array.from({ length }, (_, i) => i);
  const out: number[] = [];
  const stride = (length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(Math.round(k * stride));
  return out;
}
