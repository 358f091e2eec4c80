import { describe, expect, it } from 'vitest';
import { chartForAlerts, chartForCommand } from '../../../src/charts/chart-for.ts';

describe('which chart goes with a message', () => {
  it.each([
    [['hashrate-drop'], 'hashrate'],
    [['breakeven', 'hashrate-below'], 'hashprice'], // the first charted alert decides
    [['new-block', 'retarget-soon'], 'retarget'], // uncharted kinds are skipped
    [['slow-blocks'], null],
    [[], null],
  ] as const)('%j → %s', (kinds, chart) => {
    expect(chartForAlerts(kinds)).toBe(chart);
  });

  it('commands', () => {
    expect(chartForCommand('status')).toBe('hashrate');
    expect(chartForCommand('retarget')).toBe('retarget');
    expect(chartForCommand('hashprice')).toBe('hashprice');
    expect(chartForCommand('alerts')).toBeNull();
  });
});
