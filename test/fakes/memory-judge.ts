/**
 * A small, transparent RuleJudge for engine tests and benches: a level rule fires when its
 * series crosses the fire level and resolves when it crosses back past the resolve level; event
 * rules give a notice; mute and quiet hours (UTC minutes here) hold events until they end. The
 * real lifecycle and pipeline are the alerting helper's; this one only has to be predictable.
 *
 * Where it is still used, and why (the chat end-to-end suites under test/e2e/ do NOT use it:
 * they run createApp's real alertJudge and index plan on snapshots of a replayed chain):
 * - test/integration/engine-harness.ts and engine-crash-child.ts (the engine-* integration
 *   tests): they test the BullMQ/Redis machinery (exactly-once delivery across crashes, Redis
 *   restarts, shutdown deadlines, held digests, migration) and need an alert on exactly the
 *   block they choose, from hand-made figures (makeSnapshot), independent of the alert model.
 * - bench/telegram-throughput.ts: 10,000 alerts in one block need 10,000 rules that fire on
 *   one synthetic snapshot; the bench measures delivery pacing, not judgement.
 */
import type { AlertEvent, Rule, RuleState, Subscription } from '../../src/alerting/types.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { Judgement, RuleJudge, Routing } from '../../src/alerting/ports.ts';
import type { IndexPlan, Observation } from '../../src/store/index-plan.ts';
import { simplePlan } from './memory-plan.ts';

export class ThresholdJudge implements RuleJudge {
  private cache: { hash: string; nowSec: number; obs: Observation } | null = null;
  constructor(private readonly plan: IndexPlan = simplePlan) {}

  private observe(s: Snapshot, nowSec: number): Observation {
    if (this.cache?.hash !== s.hash || this.cache.nowSec !== nowSec)
      this.cache = { hash: s.hash, nowSec, obs: this.plan.observe(s, nowSec) };
    return this.cache.obs;
  }

  evaluate(rule: Rule, state: RuleState | null, s: Snapshot, nowSec: number): Judgement {
    const prev: RuleState = state ?? {
      status: 'ok',
      lastHeight: -1,
      lastHash: '',
      firingSinceHeight: null,
      lastNotifiedSec: null,
    };
    // like the real lifecycle: a block already judged (or an older one that is no correction) says nothing
    const duplicate =
      s.height === prev.lastHeight ? s.hash === prev.lastHash : s.height < prev.lastHeight && !s.correction;
    if (duplicate) return { state: prev, event: null, decision: 'already-evaluated-height' };
    const p = this.plan.placement(rule);
    const obs = this.observe(s, nowSec);
    const base = { ...prev, lastHeight: s.height, lastHash: s.hash };
    const event = (st: AlertEvent['state'], value: number, threshold: number): AlertEvent => ({
      rule: rule.id,
      kind: rule.kind,
      state: st,
      height: s.height,
      time: s.timeSec,
      value,
      threshold,
      text: `${rule.kind} ${st} at ${value.toFixed(2)} (threshold ${threshold})`,
      subscriptionId: rule.subscriptionId,
      hash: s.hash,
      details: {
        title: `${rule.kind} ${st}`,
        unit: '',
        source: s.source,
        dataAgeSec: Math.max(0, nowSec - s.timeSec),
        severity: st === 'firing' ? 'warn' : 'info',
      },
    });
    if (p.mode === 'event') {
      return obs.events.includes(p.series)
        ? { state: { ...base, lastNotifiedSec: nowSec }, event: event('notice', s.height, 0), decision: 'notice' }
        : { state: base, event: null, decision: 'no-event' };
    }
    const v = obs.levels.get(p.series)?.value;
    if (v === undefined) return { state: base, event: null, decision: 'no-data' };
    const above = p.dir === 'above';
    if (prev.status === 'ok' && (above ? v >= p.fire : v <= p.fire)) {
      return {
        state: { ...base, status: 'firing', firingSinceHeight: s.height, lastNotifiedSec: nowSec },
        event: event('firing', v, p.fire),
        decision: 'fired',
      };
    }
    if (prev.status === 'firing' && (above ? v < p.resolve : v > p.resolve)) {
      return {
        state: { ...base, status: 'ok', firingSinceHeight: null, lastNotifiedSec: nowSec },
        event: event('resolved', v, p.resolve),
        decision: 'resolved',
      };
    }
    return { state: base, event: null, decision: prev.status === 'firing' ? 'still-firing' : 'below-threshold' };
  }

  route(sub: Subscription, events: readonly AlertEvent[], nowSec: number): Routing {
    if (sub.mutedUntilSec !== null && sub.mutedUntilSec > nowSec)
      return { now: [], hold: events, releaseAtSec: sub.mutedUntilSec };
    if (sub.quiet !== null) {
      const min = Math.floor((nowSec % 86_400) / 60);
      const { startMin, endMin } = sub.quiet;
      const inside = startMin < endMin ? min >= startMin && min < endMin : min >= startMin || min < endMin;
      if (inside) {
        const dayStart = nowSec - (nowSec % 86_400);
        let end = dayStart + endMin * 60;
        if (end <= nowSec) end += 86_400;
        return { now: [], hold: events, releaseAtSec: end };
      }
    }
    return { now: events, hold: [], releaseAtSec: null };
  }
}
