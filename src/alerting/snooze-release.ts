/**
 * The snooze release stage: what a snoozed rule held is told when its snooze ends — its latest
 * state, once, saying it was held and the path it took — not every event of the snooze.
 *
 * What a miner expects (Alertmanager's silences and nflog behave the same way): a snooze means
 * "not now", not "never". When it ends, for each rule:
 * - still firing (or firing again, a reminder, an escalation) → its latest event;
 * - resolved, and the subscriber had been told it was firing (it fired before the snooze) →
 *   the resolution;
 * - fired AND resolved within the snooze → nothing: the crossing came and went unseen, telling it
 *   now is noise;
 * - notices (retarget, new block, retarget soon) → the latest one;
 * - rule removed meanwhile → nothing.
 * Rules snoozed again (a later end) keep waiting; a release that falls in the subscription's mute
 * or quiet hours waits for them to end.
 */
import { dedupe, releaseAtSec, holdReason } from './pipeline.ts';
import { renderEventText } from './render.ts';
import { timeToken as when } from './time-token.ts';
import type { AlertEvent, Subscription } from './types.ts';

/** What the release stage decided for one subscription's snooze-held events. */
export interface SnoozeRelease {
  /** The events to send now, one per released rule (rule order), each saying it was held. */
  readonly events: AlertEvent[];
  /** Indexes (into the input) the release consumed: sent, superseded or no longer relevant. */
  readonly consumed: number[];
  /** When to look again (rules still snoozed, or mute/quiet hours); null when nothing is left. */
  readonly nextAtSec: number | null;
}

/** Most steps a held line lists before it only counts them. */
const MAX_PATH_STEPS = 4;

function step(e: AlertEvent): string {
  if (e.details.repeat !== undefined) return e.details.repeat === 'reminder' ? 'reminder' : 'deeper';
  return e.state === 'firing' ? 'fired' : e.state;
}

/** The latest event of one rule with a "Held" line: during the snooze, and the path it took. */
function held(evs: readonly AlertEvent[], sub: Subscription, untilSec: number | null): AlertEvent {
  const last = evs[evs.length - 1] as AlertEvent;
  // Times are tokens (./time-token.ts): each renderer shows them in its reader's time.
  const path =
    evs.length === 1
      ? ''
      : evs.length <= MAX_PATH_STEPS
        ? `; ${evs.map((e) => `${step(e)} ${when(e.time)}`).join(' → ')}`
        : `; ${evs.length} changes from ${when((evs[0] as AlertEvent).time)} to ${when(last.time)}`;
  const snooze = untilSec === null ? 'while this alert was snoozed' : `while snoozed until ${when(untilSec)}`;
  const details = { ...last.details, lines: [...(last.details.lines ?? []), ['Held', `${snooze}${path}`] as const] };
  const text = renderEventText({ state: last.state, height: last.height, details }, sub.timeZone);
  return { ...last, details, text };
}

/** Whether a rule's held events still say something when its snooze ends (see the module comment). */
function relevant(evs: readonly AlertEvent[]): boolean {
  const last = evs[evs.length - 1] as AlertEvent;
  if (last.state !== 'resolved') return true;
  // The subscriber knew the rule was firing iff the snooze's first event did not start a firing.
  const first = evs[0] as AlertEvent;
  return !(first.state === 'firing' && first.details.repeat === undefined);
}

/**
 * `held`: the subscription's snooze-held events in arrival order; `ruleIds`: its rules now;
 * `endedSec`: when the snooze that scheduled this release ended (said in the Held line).
 */
export function snoozeRelease(
  sub: Subscription,
  heldIn: readonly AlertEvent[],
  ruleIds: ReadonlySet<string>,
  nowSec: number,
  endedSec: number | null = null,
): SnoozeRelease {
  const byRule = new Map<string, number[]>();
  heldIn.forEach((e, i) => byRule.set(e.rule, [...(byRule.get(e.rule) ?? []), i]));
  const consumed: number[] = [];
  const ready: AlertEvent[][] = [];
  let nextAtSec: number | null = null;
  for (const [rule, idx] of byRule) {
    if (!ruleIds.has(rule)) {
      consumed.push(...idx);
      continue;
    }
    const end = sub.snoozed?.[rule] ?? 0;
    if (end > nowSec) {
      nextAtSec = nextAtSec === null ? end : Math.min(nextAtSec, end);
      continue;
    }
    const { fresh } = dedupe(idx.map((i) => heldIn[i] as AlertEvent));
    fresh.sort((a, b) => a.height - b.height || a.time - b.time);
    if (relevant(fresh)) ready.push(fresh);
    consumed.push(...idx);
  }
  if (ready.length > 0 && holdReason(sub, nowSec) !== null) {
    // Muted or quiet now: nothing is consumed; come back when both allow it.
    const at = releaseAtSec(sub, nowSec);
    return { events: [], consumed: [], nextAtSec: nextAtSec === null ? at : Math.min(nextAtSec, at) };
  }
  const events = ready
    .map((evs) => held(evs, sub, endedSec))
    .sort((a, b) => a.rule.localeCompare(b.rule, 'en', { numeric: true }));
  return { events, consumed: consumed.sort((a, b) => a - b), nextAtSec };
}
