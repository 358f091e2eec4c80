/**
 * The index model is exact: a rule is a candidate under observe()/placement() if and only if
 * evaluateRule changes its state (or, for events, emits a notice). So the Redis layer selecting
 * candidates by ZRANGEBYSCORE loses nothing and evaluates no more than it must.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isCandidate, observe, placement, indexSet } from '../../../src/alerting/index-model.ts';
import { evaluateRule, INITIAL_STATE } from '../../../src/alerting/lifecycle.ts';
import { SERIES, seriesOf } from '../../../src/alerting/kinds/registry.ts';
import type { RuleSpec, RuleState } from '../../../src/alerting/types.ts';
import { ago, hashrateFigures, makeSnapshot, rule } from './snapshot-factory.ts';

const pct = fc.double({ min: 0.5, max: 90, noNaN: true });
const dir = fc.constantFrom('up' as const, 'down' as const, 'both' as const);
const specArb: fc.Arbitrary<RuleSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('hashrate-drop' as const),
    pct,
    window: fc.constantFrom('1d' as const, '3d' as const, '7d' as const),
    lookback: fc.constantFrom('7d' as const, '14d' as const, '30d' as const, '90d' as const),
  }),
  fc.record({ kind: fc.constant('hashrate-below' as const), ehs: fc.double({ min: 1, max: 2000, noNaN: true }) }),
  fc.record({ kind: fc.constant('retarget-estimate' as const), pct, direction: dir }),
  fc.record({ kind: fc.constant('retarget' as const) }),
  fc.record({ kind: fc.constant('retarget-soon' as const), blocks: fc.integer({ min: 1, max: 2015 }) }),
  fc.record({
    kind: fc.constant('hashprice-move' as const),
    pct,
    window: fc.constantFrom('24h' as const, '7d' as const),
    direction: dir,
  }),
  fc.record({ kind: fc.constant('hashprice-below' as const), usd: fc.double({ min: 1, max: 200, noNaN: true }) }),
  fc.record({ kind: fc.constant('hashprice-above' as const), usd: fc.double({ min: 1, max: 200, noNaN: true }) }),
  fc.record({
    kind: fc.constant('breakeven' as const),
    jth: fc.double({ min: 1, max: 200, noNaN: true }),
    kwh: fc.double({ min: 0, max: 2, noNaN: true }),
    poolfee: fc.double({ min: 0, max: 10, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('slow-blocks' as const), minutes: fc.integer({ min: 10, max: 1440 }) }),
  fc.record({ kind: fc.constant('new-block' as const) }),
);

const snapArb = fc.record({
  cur: fc.double({ min: 200, max: 1200, noNaN: true }),
  peak: fc.double({ min: 200, max: 1200, noNaN: true }),
  change: fc.double({ min: -20, max: 20, noNaN: true }),
  spread: fc.double({ min: 0.1, max: 10, noNaN: true }),
  height: fc.integer({ min: 930_000, max: 934_000 }),
  usd: fc.option(fc.double({ min: 5, max: 150, noNaN: true }), { nil: null }),
  usdAgo: fc.double({ min: 5, max: 150, noNaN: true }),
  gapSec: fc.integer({ min: 0, max: 200_000 }),
  retarget: fc.boolean(),
});

describe('index model', () => {
  it('candidate ⇔ the lifecycle changes state (or emits a notice), for every kind and status', () => {
    fc.assert(
      fc.property(specArb, snapArb, fc.constantFrom('ok' as const, 'firing' as const), (spec, f, status) => {
        const t = 1_764_000_000;
        const s = makeSnapshot({
          height: f.height,
          timeSec: t,
          computedAtSec: t,
          ...hashrateFigures(f.cur, f.peak),
          retarget: { changePct: f.change, lowPct: f.change - f.spread, highPct: f.change + f.spread },
          hashprice: { usdPerPhDay: f.usd },
          hashpriceAgo: { ...ago('24h', f.usdAgo), '7d': ago('7d', f.usdAgo)['7d'] },
          retargetOutcome: f.retarget
            ? { height: f.height, previousBits: 1, bits: 2, changePct: 1, scorecard: [] }
            : null,
        });
        const now = t + f.gapSec;
        const prev: RuleState = {
          ...INITIAL_STATE,
          status,
          firingSinceHeight: status === 'firing' ? f.height - 5 : null,
        };
        const out = evaluateRule(rule(spec), prev, s, now);
        const p = placement(spec);
        const effective = p.mode === 'event' ? 'ok' : status; // event rules never leave 'ok'
        const candidate = isCandidate(p, effective, observe(s, now));
        const changed = out.state.status !== prev.status || out.decision === 'notice';
        if (p.mode === 'event' && status === 'firing') return; // not a reachable state
        expect(candidate, `${JSON.stringify(spec)} ${status} → ${out.decision}`).toBe(changed);
      }),
      { numRuns: 3000 },
    );
  });

  it("every kind's series is in the closed SERIES list and read by the same kind or a sharing one", () => {
    const specs: RuleSpec[] = [
      { kind: 'hashrate-drop', pct: 10, window: '7d', lookback: '90d' },
      { kind: 'hashrate-below', ehs: 600 },
      { kind: 'retarget-estimate', pct: 5, direction: 'both' },
      { kind: 'retarget' },
      { kind: 'retarget-soon', blocks: 144 },
      { kind: 'hashprice-move', pct: 5, window: '7d', direction: 'up' },
      { kind: 'hashprice-below', usd: 40 },
      { kind: 'hashprice-above', usd: 40 },
      { kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 0 },
      { kind: 'slow-blocks', minutes: 60 },
      { kind: 'new-block' },
    ];
    for (const spec of specs) expect(SERIES.has(seriesOf(spec)), spec.kind).toBe(true);
    expect(placement({ kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 })).toEqual({
      mode: 'level',
      series: 'hpb',
      dir: 'below',
      fire: (17 * 24 * 0.06) / 0.98,
      resolve: ((17 * 24 * 0.06) / 0.98) * 1.05,
    });
    expect(indexSet('firing')).toBe('resolve');
  });

  it('observe leaves out what a snapshot cannot say (no price → no hash-price series)', () => {
    const obs = observe(makeSnapshot({ hashprice: { usdPerPhDay: null } }), 1_764_000_000);
    expect([...obs.levels.keys()].some((k) => k.startsWith('hp') || k.startsWith('hm'))).toBe(false);
    expect(obs.levels.get('hd-30d-10')).toEqual({ value: 0, dir: 'above' });
    expect(obs.events).toEqual(['nb']);
  });
});
