/**
 * Truth tables per kind: a rule walks through a sequence of snapshots; each row names the
 * figure, the decision expected, and (in its comment) what the row proves.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRule, evaluateTick, type Decision } from '../../../src/alerting/lifecycle.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import type { RuleSpec, RuleState } from '../../../src/alerting/types.ts';
import { ago, hashrateFigures, makeSnapshot, rule } from './snapshot-factory.ts';

type Row = readonly [snapshot: Partial<Parameters<typeof makeSnapshot>[0]>, expected: Decision, why: string];

/** Runs rows in order on consecutive heights, one hour apart unless the row sets them. */
function walk(spec: RuleSpec, rows: readonly Row[]): void {
  let state: RuleState | null = null;
  rows.forEach(([o, expected, why], i) => {
    const height = o?.height ?? 930_100 + i;
    const timeSec = o?.timeSec ?? 1_764_000_000 + i * 3600;
    const s = makeSnapshot({ ...o, height, timeSec });
    const r = evaluateRule(rule(spec), state, s);
    expect(r.decision, `row ${i}: ${why}`).toBe(expected);
    if (r.event) expect(['fired', 'resolved', 'notice']).toContain(r.decision);
    else expect(['fired', 'resolved', 'notice']).not.toContain(r.decision);
    state = r.state;
  });
}

const hr = (cur: number, peak: number) => hashrateFigures(cur, peak);

describe('hashrate-drop 10 % (3d window, 30d lookback): reads its detector cell', () => {
  // The factory alarms every cell up to the observed drop (the detector itself is tested in
  // test/unit/domain/drop-*.test.ts); the kind fires on its cell and resolves when it recovers.
  it('fires when its cell alarms, holds while it stays alarmed, resolves when it recovers, then cools down', () => {
    walk({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }, [
      [hr(800, 800), 'below-threshold', 'no drop at all'],
      [hr(730, 800), 'below-threshold', 'cells up to 8 % alarmed, not the 10 % cell'],
      [hr(850, 1000), 'fired', 'the 15 % drop alarms the 10 % cell'],
      [hr(890, 1000), 'still-firing', 'the 10 % cell is still alarmed (11 %)'],
      [hr(950, 1000), 'resolved', 'the 10 % cell recovered'],
      [
        { ...hr(600, 1000), timeSec: 1_764_000_000 + 4 * 3600 + 600 },
        'cooldown',
        'a new alarm 10 min after the resolved message waits',
      ],
      [{ ...hr(600, 1000), timeSec: 1_764_000_000 + 10 * 3600 }, 'fired', 'after the cooldown it fires again'],
    ]);
  });
  it('maps its pct to a whole-percent cell in 3…50', () => {
    walk({ kind: 'hashrate-drop', pct: 9.6, window: '3d', lookback: '30d' }, [
      [hr(895, 1000), 'fired', '9.6 % reads the 10 % cell'],
    ]);
    walk({ kind: 'hashrate-drop', pct: 1, window: '3d', lookback: '30d' }, [
      [hr(965, 1000), 'fired', '1 % reads the 3 % cell'],
    ]);
    walk({ kind: 'hashrate-drop', pct: 80, window: '3d', lookback: '30d' }, [
      [hr(495, 1000), 'fired', '80 % reads the 50 % cell'],
    ]);
  });
  it('says no-data while its lookback has no full reference yet, or on a snapshot without the detector', () => {
    const f = hr(500, 1000);
    walk({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }, [
      [{ ...f, drop: { ...f.drop!, '30d': null } }, 'no-data', 'reference not full'],
    ]);
    const { drop: _gone, ...old } = makeSnapshot(f);
    expect(
      evaluateRule(rule({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }), null, old).decision,
    ).toBe('no-data');
  });
  it('the firing message says how far down (90 %), since when, how long to be sure and the false-alarm rate', () => {
    const r = evaluateRule(
      rule({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }),
      null,
      makeSnapshot(hr(800, 1000)),
    );
    const e = r.event!;
    expect(e.state).toBe('firing');
    // value: the drop the title states; threshold: the user's 10 %; the cell's state is what was compared.
    expect(e.value).toBeCloseTo(20, 6);
    expect(e.threshold).toBe(10);
    expect(e.details.compared).toBe(1);
    expect(e.details.title).toBe('Hash rate down 20 % vs 2–6 weeks ago');
    expect(e.details.low).toBeLessThan(20);
    expect(e.details.high).toBeGreaterThan(20);
    expect(e.text).toContain('Began: block 929,612');
    expect(e.text).toContain('Sure after: 490 blocks (≈ 3.4 days)');
    expect(e.text).toMatch(/False alarms: ≈ [\d.]+ per year/);
  });
  /** A firing 10 % / 30d rule, then a quiet block whose 30d detector reports how the alarm ended. */
  function endWith(how: 'recovered' | 'settled', referenceEhs: number, windowEhs: number) {
    const spec = { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' } as const;
    const fired = evaluateRule(rule(spec), null, makeSnapshot({ ...hr(800, 1000), height: 930_100 }));
    expect(fired.decision).toBe('fired');
    const f = hr(windowEhs, windowEhs);
    const quiet = f.drop!['30d']!;
    const end = { pct: 10, how, sinceHeight: 929_612, sinceTimeSec: 1_763_700_000, beforeHps: 1000e18 };
    const drop = { ...f.drop!, '30d': { ...quiet, referenceHps: referenceEhs * 1e18, ends: [end] } };
    return evaluateRule(
      rule(spec),
      fired.state,
      makeSnapshot({ ...f, drop, height: 930_101, timeSec: 1_764_000_000 + 7200 }),
    );
  }
  it('an alarm that ends because the lower level became the recent level is NOT called resolved or recovered', () => {
    // The 30d reference now holds only blocks after the alarm: 850 EH/s against 1,000 before the drop.
    const r = endWith('settled', 850, 850);
    expect(r.decision).toBe('resolved'); // the rule re-arms (lifecycle), but the words are not a recovery
    const e = r.event!;
    expect(e.details.ending).toBe('new-normal');
    expect(e.details.title).toBe(
      'The 3d hash rate is still 15 % below its level before the drop (block 929,612): the lower level is now the normal this rule compares with (30d lookback)',
    );
    expect(e.value).toBeCloseTo(-15, 6); // signed as its words: 15 % below
    expect(e.text.startsWith('ℹ️')).toBe(true);
    expect(e.text).not.toMatch(/resolved|recovered|✅|over/i);
  });
  it('a settled end while the rate is in fact back says so from the window, not from the lagging lookback level', () => {
    // The lookback's level (850) still holds the drop's blocks; the 3d window is back at 995.
    const e = endWith('settled', 850, 995).event!;
    expect(e.details.ending).toBe('new-normal');
    expect(e.details.title).toBe(
      'The 3d hash rate is 0.5 % below its level before the drop (block 929,612): the drop alert ends and this rule compares with its recent level again (30d lookback)',
    );
    expect(e.text).not.toMatch(/resolved|recovered|✅|normal/i);
  });
  it('a recovery is measured against the level before the drop, not the live reference that took part of it in', () => {
    // The live reference has sunk to 930 EH/s; the 3d window is at 990 against 1,000 before the drop.
    const e = endWith('recovered', 930, 990).event!;
    expect(e.details.ending).toBeUndefined();
    expect(e.details.title).toBe(
      'Hash-rate drop over: the 3d hash rate is 1 % below its level before the drop (block 929,612)',
    );
    expect(e.text.startsWith('✅')).toBe(true);
  });
});

describe('hashrate-below 600 EH/s (7d, judged on the 90 % upper bound)', () => {
  it('fires only when the upper bound is under the level; resolves 5 % above it', () => {
    walk({ kind: 'hashrate-below', ehs: 600 }, [
      [hr(700, 700), 'below-threshold', 'well above'],
      [hr(590, 590), 'below-threshold', 'point under the level but the interval reaches above it: luck'],
      [hr(560, 560), 'fired', 'upper bound 590 < 600'],
      [hr(590, 590), 'still-firing', 'upper bound 621 < 630 (level + 5 %)'],
      [hr(600, 600), 'resolved', 'upper bound 632 ≥ 630'],
    ]);
  });
});

describe('retarget-estimate 5 % (the interval bound, not the point)', () => {
  const re = (changePct: number, lowPct: number, highPct: number) => ({ retarget: { changePct, lowPct, highPct } });
  it('down: fires when the whole interval is at −5 % or beyond', () => {
    walk({ kind: 'retarget-estimate', pct: 5, direction: 'down' }, [
      [re(-6, -9, -3), 'below-threshold', 'point −6 % but the interval reaches −3 %: not confident'],
      [re(-8, -11, -5.5), 'fired', 'upper bound −5.5 %: 90 % sure of at least −5 %'],
      [re(-6, -9, -3), 'still-firing', 'upper bound −3 %: above half (−2.5 %), hold'],
      [re(-4, -7, -2), 'resolved', 'upper bound −2 %: recovered past half the threshold'],
    ]);
  });
  it('up ignores downward estimates; both takes either side', () => {
    walk({ kind: 'retarget-estimate', pct: 5, direction: 'up' }, [
      [re(-8, -11, -5.5), 'below-threshold', 'a confident drop is not an up move'],
      [re(7, 5.2, 9), 'fired', 'lower bound +5.2 %'],
    ]);
    walk({ kind: 'retarget-estimate', pct: 5, direction: 'both' }, [
      [re(-8, -11, -5.5), 'fired', 'confident −5.5 % counts for both'],
    ]);
  });
});

describe('retarget-estimate titles name the bound the rule watches', () => {
  const snap = (changePct: number, lowPct: number, highPct: number) =>
    makeSnapshot({ height: 930_200, timeSec: 1_764_000_000, retarget: { changePct, lowPct, highPct } });
  it.each([
    ['up', 7, 5.2, 9, '90 % likely above +5 %'],
    ['down', -8, -11, -5.5, '90 % likely below −5 %'],
    ['both', -8, -11, -5.5, '90 % likely beyond ±5 %'],
  ] as const)('%s: the firing title says "%s"', (direction, c, lo, hi, words) => {
    const r = evaluateRule(rule({ kind: 'retarget-estimate', pct: 5, direction }), null, snap(c, lo, hi));
    expect(r.event?.details.title).toContain(words);
  });
  it('an up rule resolves naming the user\'s own threshold ("no longer 90 % likely above your +5 %"), never a ± bound', () => {
    const fired = evaluateRule(rule({ kind: 'retarget-estimate', pct: 5, direction: 'up' }), null, snap(7, 5.2, 9));
    const next = makeSnapshot({
      height: 930_201,
      timeSec: 1_764_003_600,
      retarget: { changePct: 1, lowPct: -1, highPct: 3 },
    });
    const resolved = evaluateRule(rule({ kind: 'retarget-estimate', pct: 5, direction: 'up' }), fired.state, next);
    expect(resolved.decision).toBe('resolved');
    expect(resolved.event?.details.title).toContain('no longer 90 % likely above your +5 %');
    expect(resolved.event?.details.title).not.toContain('±');
  });
});

describe('retarget (notice on the first block of an epoch)', () => {
  const outcome = { retargetOutcome: { height: 931_392, previousBits: 1, bits: 2, changePct: -4.31, scorecard: [] } };
  it('tells each retarget once and nothing in between', () => {
    walk({ kind: 'retarget' }, [
      [{}, 'no-event', 'an ordinary block'],
      [{ ...outcome, height: 931_392 }, 'notice', 'the retarget block'],
      [{ height: 931_393 }, 'no-event', 'the next block'],
      [{ ...outcome, height: 933_408 }, 'notice', "the next epoch's retarget is told too (state stays ok)"],
    ]);
  });
});

describe('retarget-soon 144 blocks (once per epoch)', () => {
  it('fires when remaining blocks reach 144, re-arms silently at the next epoch', () => {
    walk({ kind: 'retarget-soon', blocks: 144 }, [
      [{ height: 931_200 }, 'below-threshold', '192 blocks to go'],
      [{ height: 931_248 }, 'fired', '144 to go: the notice'],
      [{ height: 931_300 }, 'still-firing', '92 to go: not again'],
      [{ height: 931_392 }, 'rearmed', 'new epoch, 2016 to go: silent re-arm'],
      [{ height: 933_264 }, 'fired', '144 before the following retarget'],
    ]);
  });
});

describe('hashprice-move 10 % in 24h', () => {
  it('down: fires on a 10 % fall, holds above half, resolves', () => {
    walk({ kind: 'hashprice-move', pct: 10, window: '24h', direction: 'down' }, [
      [{ hashprice: { usdPerPhDay: 46 }, hashpriceAgo: ago('24h', 50) }, 'below-threshold', '−8 %'],
      [{ hashprice: { usdPerPhDay: 44 }, hashpriceAgo: ago('24h', 50) }, 'fired', '−12 %'],
      [{ hashprice: { usdPerPhDay: 47 }, hashpriceAgo: ago('24h', 50) }, 'still-firing', '−6 %: above half'],
      [{ hashprice: { usdPerPhDay: 48 }, hashpriceAgo: ago('24h', 50) }, 'resolved', '−4 %'],
      [{ hashprice: { usdPerPhDay: null }, hashpriceAgo: ago('24h', 50) }, 'no-data', 'no BTC price: nothing changes'],
      [{ hashprice: { usdPerPhDay: 44 } }, 'no-data', 'history shorter than the window'],
    ]);
  });
  it('up ignores falls', () => {
    walk({ kind: 'hashprice-move', pct: 10, window: '24h', direction: 'up' }, [
      [{ hashprice: { usdPerPhDay: 40 }, hashpriceAgo: ago('24h', 50) }, 'below-threshold', '−20 % is no rise'],
      [{ hashprice: { usdPerPhDay: 56 }, hashpriceAgo: ago('24h', 50) }, 'fired', '+12 %'],
    ]);
  });
});

describe('hashprice levels and breakeven', () => {
  const hp = (usdPerPhDay: number | null) => ({ hashprice: { usdPerPhDay } });
  it('hashprice-below $45: resolves at $47.25', () => {
    walk({ kind: 'hashprice-below', usd: 45 }, [
      [hp(50), 'below-threshold', 'above the level'],
      [hp(44), 'fired', 'under'],
      [hp(46), 'still-firing', 'back above the level but inside the 5 % band'],
      [hp(47.3), 'resolved', 'past 47.25'],
      [hp(null), 'no-data', 'no price'],
    ]);
  });
  it('hashprice-above $60: resolves at $57', () => {
    walk({ kind: 'hashprice-above', usd: 60 }, [
      [hp(59), 'below-threshold', 'under the level'],
      [hp(61), 'fired', 'over'],
      [hp(58), 'still-firing', 'inside the band'],
      [hp(56), 'resolved', 'under 57'],
    ]);
  });
  it('breakeven 17 J/TH at $0.06 with 2 % fee: cost $24.98/PH/day', () => {
    walk({ kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 }, [
      [hp(30), 'below-threshold', 'profitable'],
      [hp(25), 'below-threshold', 'above 24.98 after fee: still pays'],
      [hp(24.9), 'fired', '24.9 × 0.98 = 24.40 < 24.48 cost'],
      [hp(25.5), 'still-firing', 'inside the 5 % band (26.23)'],
      [hp(26.5), 'resolved', 'pays again with margin'],
    ]);
  });
});

describe('slow-blocks 60 minutes (ticks and blocks)', () => {
  it('fires on a tick after 60 minutes without a block and resolves on the next block', () => {
    const r = rule({ kind: 'slow-blocks', minutes: 60 });
    const t = 1_764_000_000;
    const b1 = makeSnapshot({ height: 930_200, timeSec: t });
    const steps: Array<[() => ReturnType<typeof evaluateRule>, Decision, string]> = [];
    let st: RuleState | null = null;
    const run = (f: (s: RuleState | null) => ReturnType<typeof evaluateRule>) => () => f(st);
    steps.push([run((s) => evaluateRule(r, s, b1, t + 5)), 'below-threshold', 'a block just arrived']);
    steps.push([run((s) => evaluateTick(r, s, b1, t + 30 * 60)), 'below-threshold', '30 minutes: normal']);
    steps.push([run((s) => evaluateTick(r, s, b1, t + 61 * 60)), 'fired', '61 minutes without a block']);
    steps.push([run((s) => evaluateTick(r, s, b1, t + 90 * 60)), 'still-firing', 'still waiting: told once']);
    const b2 = makeSnapshot({ height: 930_201, timeSec: t + 95 * 60 });
    steps.push([run((s) => evaluateRule(r, s, b2, t + 95 * 60 + 3)), 'resolved', 'the next block arrived']);
    steps.push([
      run((s) => evaluateTick(r, s, b1, t + 200 * 60)),
      'already-evaluated-height',
      'a stale tick on the old block',
    ]);
    for (const [f, expected, why] of steps) {
      const out = f();
      expect(out.decision, why).toBe(expected);
      st = out.state;
    }
  });
  it('the same tip judged again later is a tick (how the live timer re-runs the block path)', () => {
    const r = rule({ kind: 'slow-blocks', minutes: 60 });
    const t = 1_764_000_000;
    const b1 = makeSnapshot({ height: 930_200, timeSec: t });
    const first = evaluateRule(r, null, b1, t + 5);
    const late = evaluateRule(r, first.state, b1, t + 65 * 60);
    expect(late.decision).toBe('fired');
    expect(evaluateRule(r, late.state, b1, t + 70 * 60).decision).toBe('still-firing');
    // Other kinds stay idempotent on the same block whatever the clock says.
    const hp = rule({ kind: 'hashprice-below', usd: 100 });
    const once = evaluateRule(hp, null, b1, t);
    expect(evaluateRule(hp, once.state, b1, t + 65 * 60).decision).toBe('already-evaluated-height');
  });
  it('judges the gap from the later of header time and arrival (lagging header times do not page)', () => {
    const t = 1_764_000_000;
    // Header says 50 min ago but we computed it 2 min ago: 2 minutes without a block.
    const s = makeSnapshot({ timeSec: t - 50 * 60, computedAtSec: t - 120 });
    expect(evaluateTick(rule({ kind: 'slow-blocks', minutes: 30 }), null, s, t).decision).toBe('below-threshold');
  });
});

describe('new-block', () => {
  it('a notice per new block, never twice for one block', () => {
    walk({ kind: 'new-block' }, [
      [{ height: 930_300 }, 'notice', 'a block'],
      [{ height: 930_300 }, 'already-evaluated-height', 'the same block again'],
      [{ height: 930_301 }, 'notice', 'the next block'],
    ]);
  });
});

export type { Snapshot };
