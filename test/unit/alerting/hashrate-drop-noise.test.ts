/**
 * PRODUCT.md §5: a constant hash rate never fires hashrate-drop, however long it runs; a real
 * drop does. Chains are simulated block by block (exponential arrivals, seeded) with a compact
 * estimator (chain-sim.ts) standing in for the snapshot builder, and judged by the real kind
 * code: hashrateDrop.read (the value the index and evaluateRule compare) and MemoryEvaluator.
 */
import { describe, expect, it } from 'vitest';
import { hashrateDrop } from '../../../src/alerting/kinds/hashrate.ts';
import { MemoryEvaluator } from '../../../src/alerting/evaluator.ts';
import { HASHRATE_WINDOWS, LOOKBACKS, type HashrateWindow, type Lookback } from '../../../src/domain/types.ts';
import { simulateChain, type SimBlock } from './chain-sim.ts';
import { makeSnapshot, rule } from './snapshot-factory.ts';

const YEAR = 52_560;
const WINDOWS = Object.keys(HASHRATE_WINDOWS) as HashrateWindow[];
const LOOKBACKS_ = Object.keys(LOOKBACKS) as Lookback[];
const asSnapshot = (b: SimBlock) => makeSnapshot({ height: b.height, timeSec: b.timeSec, hashrate: b.hashrate, peaks: b.peaks });

describe('hashrate-drop on a constant hash rate', { timeout: 240_000 }, () => {
  it.each([101, 202, 303])('never reaches 5 % in any window/lookback over a year of blocks (seed %i)', (seed) => {
    let worst = -Infinity;
    let worstSeries = '';
    let judged = 0;
    simulateChain({ seed, blocks: YEAR, baseHps: 800e18 }, (b) => {
      const s = asSnapshot(b);
      for (const w of WINDOWS) {
        for (const lb of LOOKBACKS_) {
          const r = hashrateDrop.read(`hd-${w}-${lb}`, s, s.timeSec);
          if (r === null) continue;
          judged++;
          if (r.value > worst) [worst, worstSeries] = [r.value, `${w}/${lb} at ${b.height}`];
        }
      }
    });
    // Every series was judged on (almost) every block: the test is not vacuous.
    expect(judged).toBeGreaterThan(12 * (YEAR - LOOKBACKS['90d']));
    expect(worst, `worst conservative drop ${worst.toFixed(2)} % (${worstSeries})`).toBeLessThan(5);
  });

  it('the real evaluator with 5 % rules on all 12 series sends nothing for a year (seed 404)', () => {
    const rules = WINDOWS.flatMap((window) =>
      LOOKBACKS_.map((lookback) => rule({ kind: 'hashrate-drop', pct: 5, window, lookback }, `${window}-${lookback}`)),
    );
    const ev = new MemoryEvaluator(rules);
    const events: unknown[] = [];
    simulateChain({ seed: 404, blocks: YEAR, baseHps: 800e18 }, (b) => events.push(...ev.feed(asSnapshot(b))));
    expect(events).toEqual([]);
    expect(ev.state(rules[0] as never)?.lastHeight).toBe(YEAR);
  });
});

/** Blocks after the drop until the rule's first firing event (Infinity if none). */
function delayToFire(seed: number, dropTo: number, window: HashrateWindow, pct: number): number {
  const DROP_AT = 20_000;
  const r = rule({ kind: 'hashrate-drop', pct, window, lookback: '30d' });
  const ev = new MemoryEvaluator([r]);
  let fired = Infinity;
  simulateChain({ seed, blocks: DROP_AT + 4000, baseHps: 800e18, rateAt: (h) => (h > DROP_AT ? dropTo : 1) }, (b) => {
    const out = ev.feed(asSnapshot(b));
    if (fired === Infinity && out.some((e) => e.state === 'firing')) fired = b.height - DROP_AT;
  });
  return fired;
}

describe('hashrate-drop on a real drop', { timeout: 240_000 }, () => {
  const seeds = [1, 2, 3, 4, 5];
  it('a real 20 % drop fires a 10 % rule on the 7d window within 3 weeks on every seed, and before the drop on none', () => {
    const delays = seeds.map((s) => delayToFire(s, 0.8, '7d', 10));
    for (const d of delays) {
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(21 * 144);
    }
    console.log(JSON.stringify({ test: '20% drop, 10% rule, 7d/30d', delayBlocks: delays }));
  });

  it('a real 30 % drop fires the default 10 % rule (3d window) within 5 days on every seed', () => {
    const delays = seeds.map((s) => delayToFire(s, 0.7, '3d', 10));
    for (const d of delays) expect(d).toBeLessThanOrEqual(5 * 144);
    console.log(JSON.stringify({ test: '30% drop, 10% rule, 3d/30d', delayBlocks: delays }));
  });
});
