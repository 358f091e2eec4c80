/**
 * fmtNum's hand-written fast path must print exactly what en-US Intl prints for the same rounded
 * number (it replaced Intl on replay's hot path): thousands separators, no trailing zeros,
 * negative zero, halves, tiny and large magnitudes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmtNum } from '../../../src/alerting/describe.ts';

const intl = (n: number, d: number): string =>
  new Intl.NumberFormat('en-US', { maximumFractionDigits: d }).format(Number(n.toFixed(d)));

describe('fmtNum ≡ en-US Intl', () => {
  it('on chosen edge cases', () => {
    const cases = [
      0,
      -0,
      1,
      -1,
      0.5,
      1.5,
      2.5,
      -2.5,
      0.005,
      0.015,
      1.005,
      999.995,
      999,
      1000,
      -1000,
      12345.678,
      1234567.891,
      -0.001,
      0.0049,
      99_999_999_999_999,
      1e14 + 0.25,
      952_000,
      3.14159,
      0.06,
      10,
      1e-7,
      -1e-7,
    ];
    for (const n of cases) for (const d of [0, 1, 2, 3, 5]) expect(fmtNum(n, d), `${n} @${d}`).toBe(intl(n, d));
  });

  it('on random numbers of every magnitude and 0–4 decimals', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: -1e15, max: 1e15, noNaN: true }),
          fc.double({ min: -2000, max: 2000, noNaN: true }),
          fc.integer({ min: -1e9, max: 1e9 }),
        ),
        fc.integer({ min: 0, max: 4 }),
        (n, d) => fmtNum(n, d) === intl(n, d),
      ),
      { numRuns: 50_000, seed: 2026 },
    );
  });

  it('beyond the fast path (huge, infinite, NaN) still Intl', () => {
    for (const n of [1e16, -3e20, Infinity, -Infinity, Number.NaN]) expect(fmtNum(n, 2)).toBe(intl(n, 2));
  });
});
