/**
 * The paragraph shown when a drop rule is added or previewed: how soon drops are seen, what the
 * rule also fires on and its false-alarm rate, all read from the calibrated simulation table —
 * and silence for kinds the data does not limit.
 */
import { describe, expect, it } from 'vitest';
import { ruleAdvice } from '../../../src/alerting/describe.ts';
import { blocksAsTime } from '../../../src/alerting/describe.ts';
import { dropDelay, dropFalseAlarmsPerYear } from '../../../src/domain/drop-thresholds.ts';

describe('ruleAdvice', () => {
  it('a 10 % rule: drops of 10 % and more with their simulated delays, the 8 % drops it also catches, its false alarms', () => {
    const text = ruleAdvice({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' })!;
    const d20 = dropDelay('30d', 10, 20)!;
    const d10 = dropDelay('30d', 10, 10)!;
    expect(text).toContain(`20 % in about ${blocksAsTime(d20.blocks)}`);
    expect(text).toContain(`10 % in about ${blocksAsTime(d10.blocks)}`);
    // Bigger drops first, faster: the table's figures, not prose.
    expect(d20.blocks).toBeLessThan(d10.blocks);
    expect(text).toContain(
      `It also fires on ${Math.round(dropDelay('30d', 10, 8)!.within30d * 100)} % of 8 % drops within 30 days`,
    );
    expect(text).toContain(`False alarms: about ${Number(dropFalseAlarmsPerYear('30d', 10).toFixed(1))} a year`);
  });

  it('the figures follow the rule: a 25 % rule on a 14d lookback quotes its own cell', () => {
    const text = ruleAdvice({ kind: 'hashrate-drop', pct: 25, window: '1d', lookback: '14d' })!;
    expect(text).toContain(`25 % in about ${blocksAsTime(dropDelay('14d', 25, 25)!.blocks)}`);
    expect(text).toContain('of 20 % drops');
  });

  it('says nothing for kinds whose threshold is compared directly', () => {
    expect(ruleAdvice({ kind: 'hashprice-below', usd: 40 })).toBeNull();
    expect(ruleAdvice({ kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 0 })).toBeNull();
    expect(ruleAdvice({ kind: 'retarget' })).toBeNull();
  });
});
