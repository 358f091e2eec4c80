/**
 * Notification stages between evaluation and delivery, each a small pure function (as
 * Alertmanager's notify pipeline): mute → quiet hours → dedupe → group. Deliver and record
 * (the durable NotificationLog) are the infrastructure's; this module defines the key they use.
 */
import type { OutboundMessage } from './ports.ts';
import { isQuiet, quietEndsAtSec } from './quiet-hours.ts';
import type { AlertEvent, Subscription } from './types.ts';

export { isQuiet, quietEndsAtSec } from './quiet-hours.ts';

/** Why an event does not go out right now (a named reason, like every decision here). */
export type HoldReason = 'muted' | 'quiet-hours';

/** True while a mute holds at `nowSec`; an expired mute is simply no mute. */
export function isMuted(sub: Pick<Subscription, 'mutedUntilSec'>, nowSec: number): boolean {
  return sub.mutedUntilSec !== null && nowSec < sub.mutedUntilSec;
}

/** Why `sub` may not be told anything at `nowSec`, or null when it may. */
export function holdReason(
  sub: Pick<Subscription, 'mutedUntilSec' | 'quiet' | 'timeZone'>,
  nowSec: number,
): HoldReason | null {
  if (isMuted(sub, nowSec)) return 'muted';
  if (isQuiet(sub, nowSec)) return 'quiet-hours';
  return null;
}

/**
 * When held alerts may go out as one digest: after the mute AND outside quiet hours (a mute
 * ending at 02:00 inside 23:00–07:00 releases at 07:00). nowSec when nothing holds.
 */
export function releaseAtSec(sub: Pick<Subscription, 'mutedUntilSec' | 'quiet' | 'timeZone'>, nowSec: number): number {
  let t = nowSec;
  for (let i = 0; i < 4; i++) {
    const reason = holdReason(sub, t);
    if (reason === null) return t;
    t = reason === 'muted' ? (sub.mutedUntilSec as number) : quietEndsAtSec(sub, t);
  }
  return t;
}

export interface Routing {
  /** Go out now (grouped into one message per block). */
  readonly now: readonly AlertEvent[];
  /** Held for the digest. */
  readonly hold: readonly AlertEvent[];
  readonly releaseAtSec: number | null;
  readonly reason: HoldReason | null;
}

/** Mute and quiet-hours stages together: what one subscription gets now, and what waits. */
export function route(sub: Subscription, eventsIn: readonly AlertEvent[], nowSec: number): Routing {
  // A snoozed rule (the alert's "snooze 24 h" button) says nothing until the snooze ends.
  const snoozed = sub.snoozed;
  const events = snoozed === undefined ? eventsIn : eventsIn.filter((e) => !((snoozed[e.rule] ?? 0) > nowSec));
  if (!sub.active || events.length === 0) return { now: [], hold: [], releaseAtSec: null, reason: null };
  const reason = holdReason(sub, nowSec);
  if (reason === null) return { now: events, hold: [], releaseAtSec: null, reason: null };
  return { now: [], hold: events, releaseAtSec: releaseAtSec(sub, nowSec), reason };
}

/**
 * The durable "already notified" key for one event to one subscription: (subscription, block
 * hash, rule, state). Each part is URI-encoded, so the key never contains ':' (BullMQ ids) nor
 * the '|' separator, and different tuples never collide.
 */
export function notificationKey(
  subscriptionId: string,
  hash: string,
  rule: string,
  state: AlertEvent['state'],
): string {
  return [subscriptionId, hash, rule, state].map((p) => encodeURIComponent(p)).join('|');
}

export function eventKey(e: AlertEvent): string {
  return notificationKey(e.subscriptionId, e.hash, e.rule, e.state);
}

/** Dedupe stage: drops events already notified (per the log) and repeats within the batch. */
export function dedupe(
  events: readonly AlertEvent[],
  alreadyNotified: (key: string) => boolean,
): { fresh: AlertEvent[]; duplicates: AlertEvent[] } {
  const fresh: AlertEvent[] = [];
  const duplicates: AlertEvent[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const k = eventKey(e);
    if (seen.has(k) || alreadyNotified(k)) duplicates.push(e);
    else {
      seen.add(k);
      fresh.push(e);
    }
  }
  return { fresh, duplicates };
}

/**
 * Group stage: at most one message per subscription per block — everything that fired together
 * on that block goes in one OutboundMessage (order: by rule id, as the user listed them).
 */
export function group(events: readonly AlertEvent[]): OutboundMessage[] {
  const byKey = new Map<string, AlertEvent[]>();
  for (const e of events) {
    const k = `${e.subscriptionId}\u0000${e.hash}`;
    byKey.set(k, [...(byKey.get(k) ?? []), e]);
  }
  return [...byKey.values()].map((evs) => {
    const first = evs[0] as AlertEvent;
    const sorted = [...evs].sort((a, b) => a.rule.localeCompare(b.rule, 'en', { numeric: true }));
    return {
      subscriptionId: first.subscriptionId,
      height: first.height,
      hash: first.hash,
      events: sorted,
      digest: false,
    };
  });
}

/**
 * Held events of one subscription → one digest message (time order, exact repeats removed),
 * named after the newest block. null when nothing is held.
 */
export function digest(events: readonly AlertEvent[]): OutboundMessage | null {
  const { fresh } = dedupe(events, () => false);
  if (fresh.length === 0) return null;
  const sorted = fresh.sort(
    (a, b) => a.height - b.height || a.time - b.time || a.rule.localeCompare(b.rule, 'en', { numeric: true }),
  );
  const last = sorted[sorted.length - 1] as AlertEvent;
  return { subscriptionId: last.subscriptionId, height: last.height, hash: last.hash, events: sorted, digest: true };
}
