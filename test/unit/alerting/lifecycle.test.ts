/**
 * The lifecycle's idempotency (duplicate blocks, reorgs) and the event it produces (fields the
 * replay prints, text with window, interval, source and age).
 */
import { describe, expect, it } from 'vitest';
import { evaluateRule, INITIAL_STATE } from '../../../src/alerting/lifecycle.ts';
import { MemoryEvaluator } from '../../../src/alerting/evaluator.ts';
import type { RuleState } from '../../../src/alerting/types.ts';
import { hashOf, hashrateFigures, makeSnapshot, rule } from './snapshot-factory.ts';

const below = rule({ kind: 'hashprice-below', usd: 45 });
const at = (height: number, usd: number, variant = 0, extra: Parameters<typeof makeSnapshot>[0] = {}) =>
  makeSnapshot({
    height,
    hash: hashOf(height, variant),
    hashprice: { usdPerPhDay: usd },
    timeSec: 1_764_000_000 + (height - 930_000) * 600,
    ...extra,
  });

describe('idempotency', () => {
  it('the same (height, hash) twice produces nothing and changes nothing', () => {
    const s = at(930_010, 40);
    const first = evaluateRule(below, null, s);
    expect(first.decision).toBe('fired');
    const again = evaluateRule(below, first.state, s);
    expect(again).toEqual({ state: first.state, decision: 'already-evaluated-height', event: null });
  });

  it('an older block that is no correction is ignored', () => {
    const first = evaluateRule(below, null, at(930_010, 40));
    expect(evaluateRule(below, first.state, at(930_009, 50)).decision).toBe('already-evaluated-height');
  });

  it('reorg at the firing height, still crossing: re-judged, no second message', () => {
    const fired = evaluateRule(below, null, at(930_010, 40));
    const replaced = evaluateRule(below, fired.state, at(930_010, 41, 1, { correction: true }));
    expect(replaced.decision).toBe('reorg-replaced');
    expect(replaced.event).toBeNull();
    expect(replaced.state.status).toBe('firing');
    expect(replaced.state.lastHash).toBe(hashOf(930_010, 1));
  });

  it('reorg at the firing height that would resolve: held, the firing stands (no resolved for a replaced block)', () => {
    const fired = evaluateRule(below, null, at(930_010, 40));
    const replaced = evaluateRule(below, fired.state, at(930_010, 50, 1));
    expect(replaced.decision).toBe('reorg-held');
    expect(replaced.state.status).toBe('firing');
    // The next real block then resolves normally, once.
    const next = evaluateRule(below, replaced.state, at(930_011, 50));
    expect(next.decision).toBe('resolved');
  });

  it('resolved on a block that a reorg replaces with a crossing one: no second firing for that crossing', () => {
    const s0 = evaluateRule(below, null, at(930_010, 40)).state;
    const resolved = evaluateRule(below, s0, at(930_020, 50));
    expect(resolved.decision).toBe('resolved');
    const replaced = evaluateRule(below, resolved.state, at(930_020, 40, 1));
    expect(replaced.decision).toBe('reorg-held');
    expect(replaced.event).toBeNull();
  });

  it('a reorg block that crosses where the original did not is a first crossing: it fires', () => {
    const ok = evaluateRule(below, null, at(930_010, 50));
    expect(ok.decision).toBe('below-threshold');
    const replaced = evaluateRule(below, ok.state, at(930_010, 40, 1));
    expect(replaced.decision).toBe('fired');
  });

  it('a stream with duplicates and a reorg fires once per crossing (evaluator, like a restarted worker)', () => {
    const ev = new MemoryEvaluator([below]);
    const stream = [
      at(930_001, 50),
      at(930_002, 44),
      at(930_002, 44),
      at(930_003, 43),
      at(930_003, 42, 1, { correction: true }),
      at(930_003, 42, 1),
      at(930_004, 43),
    ];
    const events = stream.flatMap((s) => ev.feed(s));
    expect(events.map((e) => `${e.state}@${e.height}`)).toEqual(['firing@930002']);
  });
});

describe('the event', () => {
  it('carries the replay fields and a text that says window, interval, source and age', () => {
    const r = rule({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }, 'drop');
    const s = makeSnapshot({
      height: 930_112,
      ...hashrateFigures(600, 1000),
      computedAtSec: 1_764_000_000 + 180,
      timeSec: 1_764_000_000,
    });
    const { event, state } = evaluateRule(r, INITIAL_STATE as RuleState, s);
    expect(state.status).toBe('firing');
    expect(event).not.toBeNull();
    if (!event) return;
    // value: the drop the title states (40 %); threshold: the user's 10 %; the cell's state (1) is what was compared.
    expect(event).toMatchObject({
      rule: 'drop',
      kind: 'hashrate-drop',
      state: 'firing',
      height: 930_112,
      time: 1_764_000_000,
      threshold: 10,
      subscriptionId: 'sub-1',
      hash: s.hash,
    });
    expect(event.value).toBeCloseTo(40, 6);
    expect(event.details.compared).toBe(1);
    expect(event.details.low).toBeLessThan(event.details.high as number);
    expect(event.details).toMatchObject({
      unit: '%',
      window: 'over the 500 blocks since it began',
      source: 'mempool',
      dataAgeSec: 180,
      severity: 'critical',
      direction: 'down',
    });
    expect(event.text).toMatch(
      /^🚨 Hash rate down 40 % vs 2–6 weeks ago \(over the 500 blocks since it began, 90 %: 3\d\.\d–4\d\.\d %\) — ≈ 600 EH\/s now vs 1,000 EH\/s 2–6 weeks ago; source mempool, block 930,112, 3 min ago\n  Began: block 929,612, 2025-11-21 04:40 UTC\n  Sure after: 490 blocks \(≈ 3\.4 days\), at block 930,102\n  False alarms: ≈ [\d.]+ per year for a 10 % rule on a steady network \(simulated\)$/,
    );
  });

  it('the retarget notice lists the scorecard and who was closer', () => {
    const s = makeSnapshot({
      height: 931_392,
      retargetOutcome: {
        height: 931_392,
        previousBits: 1,
        bits: 2,
        changePct: -4.31,
        scorecard: [
          {
            progressPct: 10,
            height: 929_577,
            hashbellPct: -3.9,
            hashbellLowPct: -9,
            hashbellHighPct: 1.2,
            mempoolPct: null,
          },
          {
            progressPct: 50,
            height: 930_384,
            hashbellPct: -4.2,
            hashbellLowPct: -6,
            hashbellHighPct: -2.4,
            mempoolPct: -5.1,
          },
        ],
      },
    });
    const { event } = evaluateRule(rule({ kind: 'retarget' }), null, s);
    expect(event?.state).toBe('notice');
    expect(event?.value).toBe(-4.31);
    expect(event?.text).toContain('Difficulty retarget: −4.31 %');
    expect(event?.text).toContain('at 50 % (block 930384): hashbell −4.2 % (90 %: −6…−2.4), mempool −5.1 %');
    expect(event?.text).toContain('closer: hashbell 2, mempool 0 of 2');
  });
});
