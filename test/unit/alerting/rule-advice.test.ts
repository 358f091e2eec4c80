/**
 * The sentence shown when a rule is added: it must tell the truth about block luck for hash-rate
 * drops (the figures come from 1/√n of the window) and stay silent for kinds the data does not limit.
 */
import { describe, expect, it } from 'vitest';
import { ruleAdvice } from '../../../src/alerting/describe.ts';

describe('ruleAdvice', () => {
  it.each([
    // 1.645/√144 = 13.7 %: a day of blocks is very noisy, and a longer window is suggested.
    ['1d', '±14 %', true],
    // 1.645/√432 = 7.9 %.
    ['3d', '±8 %', true],
    // 1.645/√1008 = 5.2 %, and 7d is already the longest window: no suggestion.
    ['7d', '±5 %', false],
  ] as const)('hashrate-drop on %s says luck moves it by %s', (window, luck, suggests7d) => {
    const text = ruleAdvice({ kind: 'hashrate-drop', pct: 10, window, lookback: '30d' });
    expect(text).toContain(`${window} hash rate by about ${luck}`);
    expect(text?.includes('A 7d window confirms smaller drops')).toBe(suggests7d);
  });

  it('says nothing for kinds whose threshold is compared directly', () => {
    expect(ruleAdvice({ kind: 'hashprice-below', usd: 40 })).toBeNull();
    expect(ruleAdvice({ kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 0 })).toBeNull();
    expect(ruleAdvice({ kind: 'retarget' })).toBeNull();
  });
});
