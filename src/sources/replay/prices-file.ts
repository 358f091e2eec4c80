/**
 * Reader for prices files (PRODUCT.md §2): JSON Lines in mempool.space's `/api/v1/prices` shape
 * (`{"time": unix_s, "USD": n}`), times strictly ascending. `USD: -1` is mempool's "unavailable"
 * marker and is skipped, as mempool's own clients do.
 */
import type { PricePoint } from '../../domain/types.ts';
import { ReplayFileError } from './errors.ts';
import { forEachJsonLine, isNonNegInt, isObject, readTextFile } from './lines.ts';

/** Validates one parsed line; returns the point, null for an "unavailable" row, or a reason. */
export function priceFromJson(v: unknown): PricePoint | null | string {
  if (!isObject(v)) return 'expected a JSON object {"time": unix_s, "USD": number}';
  const { time, USD } = v;
  if (time === undefined) return 'missing field "time"';
  if (!isNonNegInt(time) || time === 0) return 'field "time" must be a positive integer (unix seconds)';
  if (time > 1e11) return 'field "time" looks like milliseconds; prices files use unix seconds';
  if (USD === undefined) return 'missing field "USD"';
  if (USD === -1) return null;
  if (typeof USD !== 'number' || !Number.isFinite(USD) || USD <= 0)
    return 'field "USD" must be a positive number (or -1 for unavailable)';
  return { timeSec: time, usd: USD };
}

/** Parses a whole prices file's text; throws ReplayFileError naming `file:line` on the first problem. */
export function parsePricesText(text: string, file: string): PricePoint[] {
  const points: PricePoint[] = [];
  let prevTime = -Infinity;
  let lines = 0;
  forEachJsonLine(text, file, (value, line) => {
    lines++;
    const p = priceFromJson(value);
    if (typeof p === 'string') throw new ReplayFileError(file, line, p);
    const t = (value as { time: number }).time;
    if (t <= prevTime)
      throw new ReplayFileError(
        file,
        line,
        `time ${t} is not after the previous line's ${prevTime}: times must be strictly ascending`,
      );
    prevTime = t;
    if (p !== null) points.push(p);
  });
  if (lines === 0) throw new ReplayFileError(file, 0, 'contains no prices');
  return points;
}

/** Reads and fully validates a prices file. */
export async function readPricesFile(path: string): Promise<PricePoint[]> {
  return parsePricesText(await readTextFile(path), path);
}

/**
 * Walks ascending times over ascending price points: `at(t)` is the latest point with
 * timeSec ≤ t (null before the first). O(1) amortised when t does not go backwards; a step back
 * (header times are not monotonic) falls back to a binary search.
 */
export function createPriceCursor(points: readonly PricePoint[]): { at(timeSec: number): PricePoint | null } {
  let i = -1;
  return {
    at(timeSec: number): PricePoint | null {
      if (i >= 0 && points[i]!.timeSec > timeSec) {
        let lo = 0;
        let hi = i - 1;
        i = -1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          if (points[mid]!.timeSec <= timeSec) {
            i = mid;
            lo = mid + 1;
          } else hi = mid - 1;
        }
      }
      while (i + 1 < points.length && points[i + 1]!.timeSec <= timeSec) i++;
      return i >= 0 ? points[i]! : null;
    },
  };
}
