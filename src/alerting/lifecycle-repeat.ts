/**
 * What a rule says between its crossings, kept apart from the crossing state machine
 * (./lifecycle.ts) so each stays small:
 * - under-water kinds (breakeven, hashprice-below, hashrate-below) repeat themselves while
 *   firing: a reminder on the subscriber's cadence and an escalation when the compared figure is
 *   ESCALATE_POINTS deeper than last told — a miner under water for eight months hears about it;
 * - a retarget estimate belongs to one epoch: the next epoch closes it silently and the retarget
 *   notice says how it did ("told −9.6 % … on 27 Jan; actual −11.16 %").
 * Both are decided from the durable RuleState alone, so they happen exactly once across restarts.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import { fmtNum } from './format.ts';
import { fmtRange } from './render.ts';
import { expandTimesIn, timeToken } from './time-token.ts';
import type { Comparison } from './kinds/kind.ts';
import { fireLevelOf, kindOf, REMINDER_KINDS, seriesOf } from './kinds/registry.ts';
import { DEFAULT_REMIND_SEC, ESCALATE_POINTS, type AlertEvent, type Rule, type RuleState, type Told } from './types.ts';

/** The rule's reminder cadence in seconds; 0 = off (never for kinds that do not repeat). */
export function remindSec(rule: Rule): number {
  if (!REMINDER_KINDS.has(rule.kind)) return 0;
  const r = (rule as { remind?: number }).remind;
  return r === undefined || !Number.isFinite(r) || r < 0 ? DEFAULT_REMIND_SEC : r;
}

/** How far beyond `level` the compared `value` is, % of the level (positive: under water). */
export function depthPct(cmp: Comparison, value: number, level: number): number {
  if (!(level > 0)) return 0;
  return cmp === 'below' ? 100 * (1 - value / level) : 100 * (value / level - 1);
}

/** The compared value at which a firing rule escalates (null: nothing told to escalate from). */
export function escalateAt(cmp: Comparison, level: number, told: Told | null | undefined): number | null {
  if (told?.depth === undefined || !(level > 0)) return null;
  const deeper = (told.depth + ESCALATE_POINTS) / 100;
  return cmp === 'below' ? level * (1 - deeper) : level * (1 + deeper);
}

/** When a firing under-water rule's next reminder is due (unix s); null when off or unknown. */
export function reminderDueSec(rule: Rule, state: RuleState | null): number | null {
  const every = remindSec(rule);
  if (every <= 0 || state === null || state.status !== 'firing' || state.lastNotifiedSec === null) return null;
  return state.lastNotifiedSec + every;
}

/**
 * Where a firing under-water rule waits in the Redis repeat index (store/rule-index.ts): its
 * series, when its reminder is due and at what compared value it escalates; nulls when ok.
 */
export function repeatScores(
  rule: Rule,
  state: RuleState,
): { series: string; dueSec: number | null; deeperAt: number | null } {
  const def = kindOf(rule);
  const series = seriesOf(rule);
  if (state.status !== 'firing') return { series, dueSec: null, deeperAt: null };
  return {
    series,
    dueSec: reminderDueSec(rule, state),
    deeperAt: escalateAt(def.comparison, fireLevelOf(rule), state.told),
  };
}

/** Which repeat, if any, a firing under-water rule owes at this block. */
export function repeatOwed(
  rule: Rule,
  cmp: Comparison,
  level: number,
  state: RuleState,
  value: number,
  nowSec: number,
): 'escalation' | 'reminder' | null {
  if (!REMINDER_KINDS.has(rule.kind) || state.status !== 'firing') return null;
  const at = escalateAt(cmp, level, state.told);
  if (at !== null && (cmp === 'below' ? value <= at : value >= at)) return 'escalation';
  // A reminder says "still under water": not while the figure sits between the level and the
  // resolve level (hysteresis), where "still below $40: $40.29" would be false.
  const under = cmp === 'below' ? value <= level : value >= level;
  const due = reminderDueSec(rule, state);
  return under && due !== null && nowSec >= due ? 'reminder' : null;
}

const signed = (n: number, d = 1): string => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${fmtNum(Math.abs(n), d)}`;

/**
 * The closing line for the retarget notice: what the alert told and what happened; the day it was
 * told is a time token, so each reader sees it in their own zone.
 */
export function toldLine(told: Told, actualPct: number): string {
  const interval =
    told.low !== undefined && told.high !== undefined ? ` (90 %: ${fmtRange(told.low, told.high, '%')})` : '';
  return `told ${signed(told.value)} %${interval} on ${timeToken(told.sec, 'd')}; actual ${signed(actualPct, 2)} %`;
}

/**
 * A retarget-estimate rule judged in a later epoch than its last message: closed silently. The
 * state forgets the epoch; the event (if the retarget outcome is on this block) is a line for
 * the retarget notice of the same subscription (details.foldInto), never a message of its own.
 */
/** The kind whose notice a closed estimate's line folds into (the only kind anything folds into). */
export const EPOCH_CLOSE_FOLDS_INTO = 'retarget' as const;

export function closeEpoch(
  rule: Rule,
  seen: RuleState,
  s: Snapshot,
): { state: RuleState; event: AlertEvent | null } | null {
  if (rule.kind !== 'retarget-estimate') return null;
  const told = seen.told ?? null;
  const epochStart = s.retarget.epochStartHeight;
  const firingOld = seen.status === 'firing' && (seen.firingSinceHeight ?? -1) < epochStart;
  const toldOld = told !== null && told.height < epochStart;
  if (!firingOld && !toldOld) return null;
  const state: RuleState = { ...seen, status: 'ok', firingSinceHeight: s.height, told: null, sinceSec: null };
  const o = s.retargetOutcome;
  if (told === null || o === null || told.height < epochStart - 2016) return { state, event: null };
  const line = toldLine(told, o.changePct);
  const event: AlertEvent = {
    rule: rule.id,
    kind: rule.kind,
    state: 'notice',
    height: s.height,
    time: s.timeSec,
    value: told.value,
    threshold: (rule as { pct: number }).pct,
    text: `Your retarget-estimate alert ${rule.id}: ${expandTimesIn(line, 'UTC')}`,
    subscriptionId: rule.subscriptionId,
    hash: s.hash,
    details: {
      title: `Your retarget-estimate alert ${rule.id}`,
      unit: '%',
      source: s.source,
      dataAgeSec: 0,
      severity: 'info',
      lines: [[`your alert ${rule.id}`, line]],
      foldInto: EPOCH_CLOSE_FOLDS_INTO,
      ...(told.low !== undefined && told.high !== undefined ? { low: told.low, high: told.high } : {}),
    },
  };
  return { state, event };
}
