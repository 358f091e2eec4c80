/** Plain-text rendering: ranges, ages, long messages. */
import { describe, expect, it } from 'vitest';
import { fmtAge, fmtRange, MAX_EVENTS_LISTED, renderMessage } from '../../../src/alerting/render.ts';
import { evaluateRule } from '../../../src/alerting/lifecycle.ts';
import type { AlertEvent } from '../../../src/alerting/types.ts';
import { makeSnapshot, rule } from './snapshot-factory.ts';

describe('render', () => {
  it.each([
    [8.14, 16.2, '%', '8.1–16.2 %', 'a positive range uses a dash'],
    [-7.6, 4.3, '%', '−7.6…+4.3 %', 'a range crossing zero is signed'],
    [-14, -5.1, '%', '−14…−5.1 %', 'an all-negative range is signed'],
    [780.4, 845.2, 'EH/s', '780–845 EH/s', 'large figures without decimals'],
  ])('fmtRange(%d, %d, %s) = %s (%s)', (lo, hi, unit, out) => expect(fmtRange(lo, hi, unit)).toBe(out));

  it.each([
    [0, 'just now'],
    [59, 'just now'],
    [180, '3 min ago'],
    [5400, '1.5 h ago'],
    [259_200, '3 d ago'],
  ])('fmtAge(%d) = %s', (s, out) => {
    expect(fmtAge(s)).toBe(out);
  });

  it('a long grouped message lists the first events and summarises the rest', () => {
    const s = makeSnapshot({ hashprice: { usdPerPhDay: 10 } });
    const events = Array.from(
      { length: MAX_EVENTS_LISTED + 5 },
      (_, i) =>
        evaluateRule(rule({ kind: 'hashprice-below', usd: 20 + i }, String(i + 1)), null, s).event as AlertEvent,
    );
    const text = renderMessage({ subscriptionId: 'sub-1', height: s.height, hash: s.hash, events, digest: false });
    expect(text).toContain(`${MAX_EVENTS_LISTED + 5} alerts`);
    expect(text).toContain('…and 5 more');
    expect(text.split('Hash price below').length - 1).toBe(MAX_EVENTS_LISTED);
  });
});
