/**
 * The notification pipeline, each stage a small function testable alone (as Alertmanager's
 * notify/): route (mute, quiet hours, snooze) → dedupe → group → deliver → record. The live
 * engine runs exactly these: ./evaluate-block.ts routes and groups a block's events, the deliver
 * job runs `deliverOnce` (dedupe against the notification log → send → record) and, for held
 * events, `digest` and `snoozeRelease`. One key scheme names every message in the log:
 * `notificationKey`.
 */
import { groupBy } from '../domain/collections.ts';
import type { Freshness, FreshnessStore, NotificationLog, OutboundMessage } from './ports.ts';
import { isQuiet, quietEndsAtSec } from './quiet-hours.ts';
import { fmtAge } from './render.ts';
import type { AlertEvent, Subscription } from './types.ts';

export { isQuiet, quietEndsAtSec } from './quiet-hours.ts';

/** Why an event does not go out right now (a named reason, like every decision here). */
export type HoldReason = 'muted' | 'quiet-hours';

/** How long "already delivered" is remembered: longer than any redelivery or reorg window. */
export const NOTIFICATION_TTL_SEC = 14 * 86_400;

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

/** The route stage's outcome for one subscription's events (the one Routing type). */
export interface Routing {
  /** Go out now (grouped into one message per block). */
  readonly now: readonly AlertEvent[];
  /** Held for the mute / quiet-hours digest. */
  readonly hold: readonly AlertEvent[];
  /** When the held events should go out as one digest (unix seconds); null if nothing is held. */
  readonly releaseAtSec: number | null;
  /** Why `hold` waits (absent from judges that do not say). */
  readonly reason?: HoldReason | null;
  /** Events of snoozed rules: held until the rule's snooze ends (see snoozeRelease). Absent: none. */
  readonly snoozed?: readonly AlertEvent[];
  /** The earliest end of those snoozes (unix seconds); null or absent when nothing is snoozed. */
  readonly snoozeEndsAtSec?: number | null;
}

const NOTHING: Routing = { now: [], hold: [], releaseAtSec: null, reason: null, snoozed: [], snoozeEndsAtSec: null };

/**
 * Route stage (mute, quiet hours, snooze): what one subscription gets now, what waits for the
 * digest and what waits for its rule's snooze to end. A snooze is per rule (the alert's "snooze
 * 24 h" button) and wins over mute and quiet hours; its release passes them again.
 */
export function route(sub: Subscription, eventsIn: readonly AlertEvent[], nowSec: number): Routing {
  if (!sub.active || eventsIn.length === 0) return NOTHING;
  let events = eventsIn;
  const snoozed: AlertEvent[] = [];
  let snoozeEndsAtSec: number | null = null;
  const until = sub.snoozed;
  if (until !== undefined) {
    const kept: AlertEvent[] = [];
    for (const e of eventsIn) {
      const end = until[e.rule] ?? 0;
      if (end > nowSec) {
        snoozed.push(e);
        snoozeEndsAtSec = snoozeEndsAtSec === null ? end : Math.min(snoozeEndsAtSec, end);
      } else kept.push(e);
    }
    events = kept;
  }
  const reason = events.length === 0 ? null : holdReason(sub, nowSec);
  if (reason === null) return { now: events, hold: [], releaseAtSec: null, reason: null, snoozed, snoozeEndsAtSec };
  return { now: [], hold: events, releaseAtSec: releaseAtSec(sub, nowSec), reason, snoozed, snoozeEndsAtSec };
}

/**
 * What a message is, for the notification log: a block's message (`id`: the block hash, or
 * `slow-<hash>` for the slow-blocks tick), a mute/quiet digest or a snooze release (`id`: the
 * release time, unix seconds).
 */
export interface MessageRef {
  readonly subscriptionId: string;
  readonly type: 'block' | 'digest' | 'snooze';
  readonly id: string;
}

const TYPE_TAG = { block: 'b', digest: 'd', snooze: 'z' } as const;

/**
 * THE notification-log key of one message (the only scheme; see NotificationLog in ports.ts):
 * `<subscription>|b|<block hash>`, `<subscription>|d|<release unix s>`,
 * `<subscription>|z|<release unix s>` (a fanned-out notice is recorded by its walk instead, ./fanout.ts).
 * The subscription is the one the job was addressed to, so a
 * moved subscription's retried job keeps its key. Block and digest keys are byte for byte what
 * earlier versions stored, so a message logged before an upgrade is not sent again after it.
 */
export function notificationKey(m: MessageRef): string {
  return `${m.subscriptionId}|${TYPE_TAG[m.type]}|${m.id}`;
}

/** The identity of one event (subscription, block, rule, state): what "the same event twice" means. */
export function eventKey(e: AlertEvent): string {
  return `${e.subscriptionId}\u0000${e.hash}\u0000${e.rule}\u0000${e.state}`;
}

/** Dedupe stage, within a batch: drops repeats of the same event (re-held after a crash, say). */
export function dedupe(events: readonly AlertEvent[]): { fresh: AlertEvent[]; duplicates: AlertEvent[] } {
  const fresh: AlertEvent[] = [];
  const duplicates: AlertEvent[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    const k = eventKey(e);
    if (seen.has(k)) duplicates.push(e);
    else {
      seen.add(k);
      fresh.push(e);
    }
  }
  return { fresh, duplicates };
}

/**
 * Dedupe (against the log) → deliver → record, for one message: sent only when its key is not
 * in the log, and the key is written after the send, so a worker killed mid-send re-sends at most
 * what it had in flight and loses nothing. `send` throws on failure (nothing is recorded then).
 */
export async function deliverOnce(
  log: NotificationLog,
  key: string,
  send: () => Promise<void>,
): Promise<'sent' | 'duplicate'> {
  if (await log.has(key)) return 'duplicate';
  await send();
  await log.claim(key, NOTIFICATION_TTL_SEC);
  return 'sent';
}

/** A message queued longer than this after its evaluation says how old its block is. */
export const LATE_AFTER_SEC = 600;

/**
 * Freshness stage (issue 14 item 3), for one block's message: drops the events a newer block's
 * queued message for the same rule supersedes (null when nothing is left), notes on the events
 * that replace an unsent older alert which block that was ("replaces the alert of block N"), on
 * late events their block's age ("block 935,424, 41 min ago"), and when a reorg replaced the
 * message's block since, that ("block 935,424 is no longer in the chain"). The notes go into the
 * event's `text` (console, replay) and `details.lines` (what Telegram and Discord render).
 */
export function freshen(msg: OutboundMessage, f: Freshness, nowSec: number): OutboundMessage | null {
  const events = msg.events
    .filter((e) => !f.superseded.has(e.rule))
    .map((e) => annotate(e, f.replaced.get(e.rule), f.blockReplaced === true, nowSec));
  return events.length === 0 ? null : { ...msg, events };
}

function annotate(e: AlertEvent, replacedHeight: number | undefined, reorged: boolean, nowSec: number): AlertEvent {
  const notes: Array<readonly [string, string]> = [];
  if (replacedHeight !== undefined)
    notes.push(['Replaces', `the alert of block ${replacedHeight.toLocaleString('en-US')}`]);
  // Its block left the main chain after evaluation and no replacement message superseded it: the
  // rule's state stands (a reorg never re-fires or resolves a told crossing), but say so.
  if (reorged) notes.push(['Reorg', `block ${e.height.toLocaleString('en-US')} is no longer in the chain`]);
  // Deliver jobs validate events loosely: one without block time or details gets no age note.
  const { time, details } = e as Partial<AlertEvent>;
  if (time !== undefined && details !== undefined && nowSec - time - details.dataAgeSec >= LATE_AFTER_SEC)
    notes.push(['Late', `block ${e.height.toLocaleString('en-US')}, ${fmtAge(nowSec - e.time)}`]);
  if (notes.length === 0) return e;
  return {
    ...e,
    text: `${e.text}\n${notes.map(([label, value]) => `(${label.toLowerCase()} ${value})`).join('\n')}`,
    details: { ...e.details, lines: [...((e as Partial<AlertEvent>).details?.lines ?? []), ...notes] },
  };
}

/**
 * Dedupe → freshness → deliver → record, for one block's message: a message already in the log
 * is a duplicate; one whose every rule a newer queued message superseded is recorded as
 * 'superseded' in the log (never sent later); otherwise the fresh part is sent once. Then the
 * freshness store settles it per rule (sent, or superseded), which frees what it held.
 * "Newer" is queue order, not height: after a reorg the replacement block's message supersedes
 * the reorged-away block's even at a lower height, and the reorged-away one is not sent.
 */
export async function deliverFresh(
  log: NotificationLog,
  freshness: FreshnessStore,
  key: string,
  msg: OutboundMessage,
  nowSec: number,
  send: (fresh: OutboundMessage) => Promise<void>,
): Promise<'sent' | 'duplicate' | 'superseded'> {
  if (await log.has(key)) return 'duplicate';
  const rules = [...new Set(msg.events.map((e) => e.rule))];
  const f = await freshness.check(msg.subscriptionId, msg, rules);
  const superseded = rules.filter((r) => f.superseded.has(r));
  const fresh = freshen(msg, f, nowSec);
  if (fresh === null) {
    await log.claim(key, NOTIFICATION_TTL_SEC, 'superseded');
    await freshness.settled(msg.subscriptionId, msg, [], superseded);
    return 'superseded';
  }
  const out = await deliverOnce(log, key, () => send(fresh));
  if (out === 'sent')
    await freshness.settled(
      msg.subscriptionId,
      msg,
      rules.filter((r) => !f.superseded.has(r)),
      superseded,
    );
  return out;
}

/**
 * Group stage: at most one message per subscription per block — everything that fired together
 * on that block goes in one OutboundMessage. Order: the most severe first (critical, warn, info:
 * what a long message cuts off is the least urgent), then by rule id, as the user listed them.
 */
const SEVERITY_RANK: Readonly<Record<AlertEvent['details']['severity'], number>> = { critical: 0, warn: 1, info: 2 };

export function group(events: readonly AlertEvent[]): OutboundMessage[] {
  const byKey = groupBy(events, (e) => `${e.subscriptionId}\u0000${e.hash}`);
  return [...byKey.values()].map((evs) => {
    const first = evs[0] as AlertEvent;
    const sorted = [...evs].sort(
      (a, b) =>
        SEVERITY_RANK[a.details.severity] - SEVERITY_RANK[b.details.severity] ||
        a.rule.localeCompare(b.rule, 'en', { numeric: true }),
    );
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
  const { fresh } = dedupe(events);
  if (fresh.length === 0) return null;
  const sorted = fresh.sort(
    (a, b) => a.height - b.height || a.time - b.time || a.rule.localeCompare(b.rule, 'en', { numeric: true }),
  );
  const last = sorted[sorted.length - 1] as AlertEvent;
  return { subscriptionId: last.subscriptionId, height: last.height, hash: last.hash, events: sorted, digest: true };
}
