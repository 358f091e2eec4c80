/**
 * The engine façade fits the ports the job processors were written against (compile-time), and
 * its index plan selects the same candidates as the lifecycle (spot check on one block).
 */
import { describe, expect, it } from 'vitest';
import { alertIndexPlan, alertJudge } from '../../../src/alerting/engine.ts';
import type { RuleJudge } from '../../../src/alerting/ports.ts';
import type { IndexPlan } from '../../../src/store/index-plan.ts';
import { makeSnapshot, rule } from './snapshot-factory.ts';

describe('engine façade', () => {
  it('is a RuleJudge and an IndexPlan', () => {
    const judge: RuleJudge = alertJudge;
    const plan: IndexPlan = alertIndexPlan;
    const s = makeSnapshot({ hashprice: { usdPerPhDay: 40 } });
    const r = rule({ kind: 'hashprice-below', usd: 45 });
    const p = plan.placement(r);
    expect(p).toMatchObject({ mode: 'level', series: 'hpb', dir: 'below', fire: 45 });
    expect(plan.observe(s, s.timeSec).levels.get('hpb')).toEqual({ value: 40, dir: 'below' });
    expect(judge.evaluate(r, null, s, s.timeSec).event?.state).toBe('firing');
  });
});
