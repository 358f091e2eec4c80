/**
 * Linear scales and "nice" tick values (1, 2, 2.5, 5 × 10^k): an axis a miner reads at a glance
 * has round numbers, and the domain is widened to them so lines never touch the frame.
 */

/** Maps a data interval onto a pixel interval (pixels may run backwards, as y does). */
export interface LinearScale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  (v: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (v: number): number => (d1 === d0 ? (r0 + r1) / 2 : r0 + (v - d0) * k);
  return Object.assign(f, { domain, range });
}

const STEPS = [1, 2, 2.5, 5, 10] as const;

/** A round step giving about `count` intervals over [lo, hi]. */
export function niceStep(lo: number, hi: number, count: number): number {
  const span = Math.abs(hi - lo) || Math.abs(hi) || 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const s of STEPS) if (s * mag >= raw) return s * mag;
  return 10 * mag;
}

/**
 * Widens [lo, hi] to multiples of a nice step and lists the ticks. A flat series (lo = hi) gets a
 * small symmetric range so it is drawn mid-panel rather than on an edge.
 */
export function niceDomain(lo: number, hi: number, count = 5): { domain: [number, number]; ticks: number[] } {
  let a = Math.min(lo, hi);
  let b = Math.max(lo, hi);
  if (a === b) {
    const pad = Math.abs(a) * 0.05 || 1;
    a -= pad;
    b += pad;
  }
  const step = niceStep(a, b, count);
  const d0 = Math.floor(a / step + 1e-9) * step;
  const d1 = Math.ceil(b / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0, v = d0; v <= d1 + step * 1e-6 && i < 50; i++, v = d0 + i * step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return { domain: [d0, d1], ticks };
}

/** Formats a tick value with just the decimals its step needs (1,000 separators, no "-0"). */
export function formatTick(v: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const x = Math.abs(v) < step * 1e-6 ? 0 : v;
  return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Finite min/max of several number lists; null when none is finite. */
export function extent(...lists: ReadonlyArray<readonly number[]>): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of lists) {
    for (const v of list) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}
