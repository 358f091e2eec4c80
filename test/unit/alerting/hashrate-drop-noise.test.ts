/**
 * PRODUCT.md §5: a constant hash rate never fires hashrate-drop, however long it runs; a real
 * drop does. Chains come from the domain's seeded simulator (Poisson arrivals, consensus
 * retargets) through the real SnapshotBuilder, and are judged by the real kind code:
 * hashrateDrop.read (the value the index and evaluateRule compare) and MemoryEvaluator.
 */
import { describe, expect, it } from 'vitest';
import { hashrateDrop } from '../../../src/alerting/kinds/hashrate.ts';
import { MemoryEvaluator } from '../../../src/alerting/evaluator.ts';
import { simulateChain } from '../../../src/domain/simulate.ts';
import { SnapshotBuilder } from '../../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { HASHRATE_WINDOWS, LOOKBACKS, type HashrateWindow, type Lookback } from '../../../src/domain/types.ts';
import { rule } from './snapshot-factory.ts';

const YEAR = 52_560;
const START = 860_832; // an epoch start (427 × 2016)
const WINDOWS = Object.keys(HASHRATE_WINDOWS) as HashrateWindow[];
const LOOKBACKS_ = Object.keys(LOOKBACKS) as Lookback[];

/** Snapshots of a simulated chain whose true hash rate is `rate(height)` × the starting one. */
function* chain(seed: number, blocks: number, rate: (height: number) => number = () => 1): Generator<Snapshot> {
  const builder = new SnapshotBuilder();
  const sim = simulateChain({ seed, startHeight: START, startTimeSec: 1_727_000_000, startBits: 0x17030ecd, blocks, hashrate: (h) => rate(h) });
  for (const b of sim) yield builder.push(b, { nowSec: b.timestamp, price: null, source: 'replay' });
}

describe('hashrate-drop on a constant hash rate', { timeout: 240_000 }, () => {
  it.each([101, 202, 303])('never reaches 5 % in any window/lookback over a year of blocks (seed %i)', (seed) => {
    let worst = -Infinity;
    let worstSeries = '';
    let judged = 0;
    for (const s of chain(seed, YEAR)) {
      for (const w of WINDOWS) {
        for (const lb of LOOKBACKS_) {
          const r = hashrateDrop.read(`hd-${w}-${lb}`, s, s.timeSec);
          if (r === null) continue;
          judged++;
          if (r.value > worst) [worst, worstSeries] = [r.value, `${w}/${lb} at ${s.height}`];
        }
      }
    }
    // Every series was judged on nearly every block: the test is not vacuous.
    expect(judged).toBeGreaterThan(12 * (YEAR - 2 * HASHRATE_WINDOWS['7d']));
    console.log(JSON.stringify({ bench: 'hashrate-drop-null', metric: `worst conservative drop, seed ${seed} (${worstSeries})`, value: Number(worst.toFixed(2)), unit: '%' }));
    expect(worst, `worst conservative drop ${worst.toFixed(2)} % (${worstSeries})`).toBeLessThan(5);
  });

  it('the real evaluator with 5 % rules on all 12 series sends nothing for a year (seed 404)', () => {
    const rules = WINDOWS.flatMap((window) =>
      LOOKBACKS_.map((lookback) => rule({ kind: 'hashrate-drop', pct: 5, window, lookback }, `${window}-${lookback}`)),
    );
    const ev = new MemoryEvaluator(rules);
    const events: unknown[] = [];
    for (const s of chain(404, YEAR)) events.push(...ev.feed(s));
    expect(events).toEqual([]);
    expect(ev.state(rules[0] as never)?.lastHeight).toBe(START + YEAR - 1);
  });
});

/** Blocks after the drop until the rule's first firing event (Infinity if none). */
function delayToFire(seed: number, dropTo: number, window: HashrateWindow, pct: number): number {
  const dropAt = START + 20_160;
  const ev = new MemoryEvaluator([rule({ kind: 'hashrate-drop', pct, window, lookback: '30d' })]);
  for (const s of chain(seed, 20_160 + 4000, (h) => (h > dropAt ? dropTo : 1))) {
    if (ev.feed(s).some((e) => e.state === 'firing')) return s.height - dropAt;
  }
  return Infinity;
}

describe('hashrate-drop on a real drop', { timeout: 240_000 }, () => {
  it('a real 20 % drop fires a 10 % rule (7d window) within 25 days on every seed, median within 2 weeks, never before the drop', () => {
    // 25 days: the pre-drop peak is still inside the 30d lookback, so the rule still sees the drop.
    // Zero false alarms on a year of constant hash rate costs this: 20 % vs a 10 % bar is only
    // ~3.5 σ of a 7d window, so firing waits until the post-drop blocks are not lucky.
    const delays = [1, 2, 3, 4, 5, 6, 7].map((s) => delayToFire(s, 0.8, '7d', 10));
    for (const d of delays) {
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(25 * 144);
    }
    const median = [...delays].sort((a, b) => a - b)[3] as number;
    expect(median).toBeLessThanOrEqual(14 * 144);
    console.log(JSON.stringify({ bench: 'hashrate-drop-delay', metric: '20% drop, 10% rule, 7d/30d', value: delays, unit: 'blocks' }));
  });

  it('a real 30 % drop fires the default 10 % rule (3d window) within 4 days on every seed', () => {
    const delays = [1, 2, 3, 4, 5].map((s) => delayToFire(s, 0.7, '3d', 10));
    for (const d of delays) {
      expect(d).toBeGreaterThan(0);
      expect(d).toBeLessThanOrEqual(4 * 144);
    }
    console.log(JSON.stringify({ bench: 'hashrate-drop-delay', metric: '30% drop, 10% rule, 3d/30d', value: delays, unit: 'blocks' }));
  });
});
