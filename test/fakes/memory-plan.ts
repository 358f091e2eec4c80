/**
 * A deliberately simple IndexPlan for engine tests and benches: point values straight from the
 * snapshot figures that test/fakes/memory-snapshots.ts sets (drop %, estimate %, hash price), so
 * a test can say "12 % drop fires a 10 % rule" without the real model's confidence intervals.
 * Production uses the alerting helper's model (src/alerting/index-model.ts), and so do the
 * chat end-to-end suites; this plan pairs with ThresholdJudge (see memory-judge.ts for where and
 * why that one is still used).
 */
import type { RuleSpec } from '../../src/alerting/types.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { IndexPlacement, IndexPlan, Observation } from '../../src/store/index-plan.ts';

/** Level series where rules fire when the value falls (hash rate, blocks left, hash price). */
const BELOW_SERIES: ReadonlySet<string> = new Set(['hr7', 'rs', 'hpb']);

const pctChange = (now: number, then: number): number => (then > 0 ? (100 * (now - then)) / then : 0);

function directional(series: string, direction: 'up' | 'down' | 'both', pct: number): IndexPlacement {
  return { mode: 'level', series: `${series}-${direction}`, dir: 'above', fire: pct, resolve: pct / 2 };
}

/** Rule spec → where it waits. Pure; the same spec always lands in the same place. */
function placement(spec: RuleSpec): IndexPlacement {
  switch (spec.kind) {
    case 'hashrate-drop':
      return {
        mode: 'level',
        series: `hd-${spec.window}-${spec.lookback}`,
        dir: 'above',
        fire: spec.pct,
        resolve: spec.pct / 2,
      };
    case 'hashrate-below':
      return { mode: 'level', series: 'hr7', dir: 'below', fire: spec.ehs, resolve: spec.ehs };
    case 'retarget-estimate':
      return directional('re', spec.direction, spec.pct);
    case 'retarget':
      return { mode: 'event', series: 'retarget' };
    case 'retarget-soon':
      return { mode: 'level', series: 'rs', dir: 'below', fire: spec.blocks, resolve: spec.blocks };
    case 'hashprice-move':
      return directional(`hm-${spec.window}`, spec.direction, spec.pct);
    case 'hashprice-below':
      return { mode: 'level', series: 'hpb', dir: 'below', fire: spec.usd, resolve: spec.usd };
    case 'hashprice-above':
      return { mode: 'level', series: 'hpa', dir: 'above', fire: spec.usd, resolve: spec.usd };
    case 'breakeven': {
      const costUsd = spec.jth * 24 * spec.kwh;
      const level = costUsd / Math.max(1e-9, 1 - spec.poolfee / 100);
      return { mode: 'level', series: 'hpb', dir: 'below', fire: level, resolve: level };
    }
    case 'slow-blocks':
      return { mode: 'level', series: 'sb', dir: 'above', fire: spec.minutes, resolve: spec.minutes };
    case 'new-block':
      return { mode: 'event', series: 'nb' };
  }
}

/** Snapshot → value of every series it defines (missing data leaves a series out). */
function observe(s: Snapshot, nowSec: number): Observation {
  const levels = new Map<string, { value: number; dir: 'above' | 'below' }>();
  const set = (series: string, value: number): void => {
    levels.set(series, { value, dir: BELOW_SERIES.has(series) ? 'below' : 'above' });
  };
  for (const [w, byLookback] of Object.entries(s.peaks)) {
    const cur = s.hashrate[w as keyof typeof s.hashrate];
    for (const [lb, peak] of Object.entries(byLookback)) {
      if (cur && peak && peak.hps > 0) set(`hd-${w}-${lb}`, -pctChange(cur.hps, peak.hps));
    }
  }
  const h7 = s.hashrate['7d'];
  if (h7) set('hr7', h7.hps / 1e18);
  const re = s.retarget.changePct;
  set('re-up', re);
  set('re-down', -re);
  set('re-both', Math.abs(re));
  set('rs', s.retarget.remainingBlocks);
  const usd = s.hashprice.usdPerPhDay;
  if (usd !== null) {
    set('hpb', usd);
    set('hpa', usd);
    for (const [w, ago] of Object.entries(s.hashpriceAgo)) {
      if (!ago) continue;
      const move = pctChange(usd, ago.usdPerPhDay);
      set(`hm-${w}-up`, move);
      set(`hm-${w}-down`, -move);
      set(`hm-${w}-both`, Math.abs(move));
    }
  }
  set('sb', Math.max(0, nowSec - s.timeSec) / 60);
  const events = ['nb'];
  if (s.retargetOutcome !== null) events.push('retarget');
  return { levels, events };
}

export const simplePlan: IndexPlan = { placement, observe };
