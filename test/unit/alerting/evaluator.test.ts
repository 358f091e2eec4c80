/**
 * MemoryEvaluator (replay, preview) is the live lifecycle over a Map: same events as calling
 * evaluateRule by hand, and slow-blocks judged between blocks as the live timer would.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEvaluator, replayRules } from '../../../src/alerting/evaluator.ts';
import { evaluateRule } from '../../../src/alerting/lifecycle.ts';
import { rulesFileSchema } from '../../../src/alerting/rule-schema.ts';
import type { AlertEvent, RuleState } from '../../../src/alerting/types.ts';
import { makeSnapshot } from './snapshot-factory.ts';

const t0 = 1_764_000_000;
const chain = (prices: number[], gapsMin: number[] = []) => {
  let t = t0;
  return prices.map((usd, i) => {
    t += (gapsMin[i] ?? 10) * 60;
    return makeSnapshot({ height: 930_000 + i, timeSec: t, hashprice: { usdPerPhDay: usd } });
  });
};

describe('MemoryEvaluator', () => {
  const rules = replayRules(
    rulesFileSchema.parse([
      { id: 'low', kind: 'hashprice-below', usd: '$45' },
      { id: 'high', kind: 'hashprice-above', usd: 60 },
      { id: 'slow', kind: 'slow-blocks', minutes: 60 },
    ]),
  );

  it('produces exactly what evaluateRule gives rule by rule (one engine)', () => {
    const snaps = chain([50, 44, 43, 48, 61, 62, 56]);
    const ev = new MemoryEvaluator(rules, { ticksBetweenBlocks: false });
    const fromEvaluator = snaps.flatMap((s) => ev.feed(s));
    const byHand: AlertEvent[] = [];
    const states = new Map<string, RuleState | null>();
    for (const s of snaps) {
      for (const r of rules) {
        const out = evaluateRule(r, states.get(r.id) ?? null, s);
        states.set(r.id, out.state);
        if (out.event) byHand.push(out.event);
      }
    }
    expect(fromEvaluator).toEqual(byHand);
    expect(fromEvaluator.map((e) => `${e.rule}:${e.state}@${e.height}`)).toEqual([
      'low:firing@930001',
      'low:resolved@930003',
      'high:firing@930004',
      'high:resolved@930006',
    ]);
  });

  it('a 75-minute gap between blocks fires slow-blocks, and the late block resolves it', () => {
    const snaps = chain([50, 50, 50], [10, 75, 10]);
    const ev = new MemoryEvaluator(rules);
    const events = snaps.flatMap((s) => ev.feed(s));
    expect(events.map((e) => `${e.rule}:${e.state}@${e.height}`)).toEqual([
      'slow:firing@930000',
      'slow:resolved@930001',
    ]);
    expect(events[0]?.text).toContain('No block for 75 minutes');
  });

  it('a tick before any block says nothing; decisions are reported', () => {
    const seen: string[] = [];
    const ev = new MemoryEvaluator(rules, { onDecision: (r, d) => seen.push(`${r.id}:${d}`) });
    expect(ev.tick(t0)).toEqual([]);
    ev.feed(chain([50])[0] as ReturnType<typeof makeSnapshot>);
    expect(seen).toEqual(['low:below-threshold', 'high:below-threshold', 'slow:below-threshold']);
  });
});
