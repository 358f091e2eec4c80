/**
 * Axes: round tick values that cover the data, and date ticks on the reader's local midnights
 * (also with a +5:30 zone and across a DST change), labelled in that zone.
 */
import { describe, expect, it } from 'vitest';
import { extent, formatTick, niceDomain } from '../../../src/charts/scale.ts';
import { knownZone, timeTicks, zoneOrUtc } from '../../../src/charts/time-axis.ts';

function localHm(tSec: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(tSec * 1000),
  );
}

describe('niceDomain', () => {
  it.each([
    [713.4, 1104.9, 6], // EH/s over a month
    [41.7, 52.3, 6], // USD/PH/day
    [-23.1, 4.9, 4], // retarget change %
    [0.00012, 0.00019, 5],
  ])('[%f, %f] → round ticks covering the data', (lo, hi, n) => {
    const { domain, ticks } = niceDomain(lo, hi, n);
    expect(domain[0]).toBeLessThanOrEqual(lo);
    expect(domain[1]).toBeGreaterThanOrEqual(hi);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.length).toBeLessThanOrEqual(n * 2 + 1);
    const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    expect([1, 2, 2.5, 5].some((m) => Math.abs(mantissa - m) < 1e-9)).toBe(true);
  });

  it('a flat series gets a visible range around it', () => {
    const { domain } = niceDomain(800, 800);
    expect(domain[0]).toBeLessThan(800);
    expect(domain[1]).toBeGreaterThan(800);
  });

  it('formats ticks with the decimals the step needs and no "-0"', () => {
    expect(formatTick(1000, 100)).toBe('1,000');
    expect(formatTick(2.5, 0.5)).toBe('2.5');
    expect(formatTick(-1e-12, 5)).toBe('0');
  });

  it('extent ignores NaN and says null when nothing is finite', () => {
    expect(extent([NaN, 3, 1], [Infinity, 7])).toEqual([1, 7]);
    expect(extent([NaN], [])).toBeNull();
  });
});

describe('timeTicks', () => {
  const t0 = Date.UTC(2025, 9, 10) / 1000; // 10 Oct 2025
  const t1 = t0 + 30 * 86_400; // spans the end of CEST (26 Oct)

  it.each(['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Eucla'])(
    '%s: 30 days → ticks at local midnight',
    (zone) => {
      const ticks = timeTicks(t0, t1, zone);
      expect(ticks.length).toBeGreaterThanOrEqual(4);
      expect(ticks.length).toBeLessThanOrEqual(8);
      for (const t of ticks) {
        expect(localHm(t.tSec, zone)).toBe('00:00');
        expect(t.tSec).toBeGreaterThanOrEqual(t0);
        expect(t.tSec).toBeLessThanOrEqual(t1);
        expect(t.lines[0]).toMatch(/^\d{1,2} [A-Z][a-z]{2}$/);
      }
    },
  );

  it('short spans get hour ticks, with the date at local midnight', () => {
    const start = Date.UTC(2026, 2, 29, 12) / 1000; // around the EU DST switch on 29 Mar 2026
    const ticks = timeTicks(start - 86_400, start + 6 * 3600, 'Europe/Berlin');
    const labels = ticks.map((t) => t.lines.join(' '));
    expect(labels.some((l) => /^00:00 \d+ Mar$/.test(l))).toBe(true);
    for (const t of ticks) expect(localHm(t.tSec, 'Europe/Berlin').endsWith(':00')).toBe(true);
  });

  it('unknown zones: reported, and drawn in UTC', () => {
    expect(knownZone('Europe/Berlin')).toBe(true);
    expect(knownZone('Mars/Base')).toBe(false);
    expect(zoneOrUtc('Mars/Base')).toBe('UTC');
    expect(timeTicks(t0, t1, 'Mars/Base').map((t) => t.tSec)).toEqual(timeTicks(t0, t1, 'UTC').map((t) => t.tSec));
  });
});
