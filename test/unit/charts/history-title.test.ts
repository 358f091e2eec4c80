/** Issue 11 §7: a chart never claims more history than it draws; the step series says what it is. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { historyTitle } from '../../../src/charts/series.ts';
import type { ChartPoint } from '../../../src/charts/types.ts';

const pt = (timeSec: number): ChartPoint => ({ timeSec }) as unknown as ChartPoint;

describe('chart titles and labels', () => {
  it('say how much history there is when it is less than the title would claim', () => {
    expect(historyTitle('Hash price', [pt(0), pt(30 * 86_400)], 30)).toBe('Hash price, last 30 days');
    expect(historyTitle('Hash price', [pt(0), pt(4.2 * 86_400)], 30)).toBe(
      'Hash price, last 4.2 days (all the history so far; 30 wanted)',
    );
    expect(historyTitle('Network hash rate', [pt(0)], 30)).toContain('last 0.0 days (all the history so far');
  });
  it('label the step series as the hash rate the difficulty implies, not "difficulty"', () => {
    const src = readFileSync(new URL('../../../src/charts/hashrate-chart.ts', import.meta.url), 'utf8');
    expect(src).toContain("label: 'implied by difficulty'");
    expect(src).not.toContain("label: 'difficulty'");
  });
});
