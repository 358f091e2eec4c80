/**
 * The release stage: a subscription's held events (mute/quiet-hours digest, snooze release) go
 * out once, whichever release job gets there first and however many are due at once (issue 11).
 *
 * - Releases of one subscription are mutually exclusive: a release decides on what it read, then
 *   takes exactly those entries and records its message as the subscription's pending release in
 *   one atomic step (HeldEventStore.take). A second release meanwhile finds it busy and looks
 *   again shortly; one whose entries were taken under it re-reads. So no event is sent by two
 *   releases, and none is dropped.
 * - A pending release is sent under its own notification key, then settled. A release that died
 *   in between is resumed by its retried job (same key: the log says whether it went out) or, once
 *   abandoned for PENDING_LEASE_SEC, by the subscription's next release.
 * - A digest also takes the snooze-held events of the rules it tells whose snooze has ended, so
 *   one rule's state is never told twice, the older after the newer.
 */
import { digest, type MessageRef } from './pipeline.ts';
import type { HeldEventStore, HeldList, OutboundMessage, PendingRelease, Routing } from './ports.ts';
import { snoozeRelease } from './snooze-release.ts';
import type { AlertEvent, Subscription } from './types.ts';

/** A pending release older than this is taken as abandoned (deliver jobs retry for ~17 min). */
export const PENDING_LEASE_SEC = 30 * 60;
/** A release that found another under way looks again this much later. */
export const BUSY_RETRY_SEC = 5;
/** Re-reads after a take found its entries gone (another release took them) before giving up for now. */
const MAX_TAKES = 3;

export type ReleaseOutcome = 'sent' | 'duplicate' | 'empty' | 'rescheduled';

export interface ReleaseDeps {
  readonly held: HeldEventStore;
  readonly nowSec: () => number;
  /** The subscription's rule ids now (a removed rule's held events are dropped). */
  readonly ruleIds: (subscriptionId: string) => Promise<ReadonlySet<string>>;
  /** Mute / quiet hours now (the judge's route stage). */
  readonly route: (sub: Subscription, events: readonly AlertEvent[], nowSec: number) => Routing;
  /** Sends one message once under `ref`'s notification key. */
  readonly send: (msg: OutboundMessage, ref: MessageRef) => Promise<'sent' | 'duplicate'>;
  /** Schedules this subscription's release of `type` at `atSec`. */
  readonly schedule: (type: HeldList, subscriptionId: string, atSec: number) => Promise<void>;
}

type Held = ReadonlyArray<{ event: AlertEvent; token: string }>;

/** What one release decided on what it read. */
interface Plan {
  readonly tokens: Partial<Record<HeldList, string[]>>;
  readonly message: OutboundMessage | null;
  /** Look again then (rules still snoozed, mute or quiet hours extended); null: nothing left. */
  readonly nextAtSec: number | null;
}

const sameRef = (a: MessageRef, b: MessageRef): boolean =>
  a.subscriptionId === b.subscriptionId && a.type === b.type && a.id === b.id;

function planDigest(
  sub: Subscription,
  d: Held,
  z: Held,
  nowSec: number,
  deps: ReleaseDeps,
): Plan | { waitUntil: number } {
  // Snoozed rules' events of the rules this digest tells, once their snooze is over.
  const told = new Set(d.map((h) => h.event.rule));
  const absorbed = z.filter((h) => told.has(h.event.rule) && (sub.snoozed?.[h.event.rule] ?? 0) <= nowSec);
  const msg = digest([...d, ...absorbed].map((h) => h.event));
  if (msg === null) return { tokens: {}, message: null, nextAtSec: null };
  const routed = deps.route(sub, msg.events, nowSec);
  if (routed.now.length === 0 && routed.releaseAtSec !== null && routed.releaseAtSec > nowSec)
    return { waitUntil: routed.releaseAtSec };
  return {
    tokens: { digest: d.map((h) => h.token), snooze: absorbed.map((h) => h.token) },
    message: { ...msg, subscriptionId: sub.id },
    nextAtSec: null,
  };
}

function planSnooze(sub: Subscription, z: Held, ruleIds: ReadonlySet<string>, nowSec: number, endedSec: number): Plan {
  const r = snoozeRelease(
    sub,
    z.map((h) => h.event),
    ruleIds,
    nowSec,
    endedSec,
  );
  const last = r.events.at(-1);
  const message: OutboundMessage | null =
    last === undefined
      ? null
      : { subscriptionId: sub.id, height: last.height, hash: last.hash, events: r.events, digest: false };
  return { tokens: { snooze: r.consumed.map((i) => z[i]!.token) }, message, nextAtSec: r.nextAtSec };
}

/**
 * Releases `sub`'s held events of `type` for the job `ref` (its id: the release time it was
 * scheduled for, said in a snooze's Held line).
 */
export async function releaseHeld(
  deps: ReleaseDeps,
  sub: Subscription,
  type: HeldList,
  ref: MessageRef,
  releaseAtSec: number,
): Promise<ReleaseOutcome> {
  const finish = async (p: PendingRelease): Promise<ReleaseOutcome> => {
    const out = p.message === null ? 'empty' : await deps.send({ ...p.message, subscriptionId: sub.id }, p.ref);
    await deps.held.settle(sub.id, p.ref);
    return out;
  };
  const later = async (): Promise<ReleaseOutcome> => {
    await deps.schedule(type, sub.id, deps.nowSec() + BUSY_RETRY_SEC);
    return 'rescheduled';
  };
  for (let attempt = 0; attempt < MAX_TAKES; attempt++) {
    const now = deps.nowSec();
    const pending = await deps.held.pending(sub.id);
    if (pending !== null) {
      const own = sameRef(pending.ref, ref);
      // Another release of this subscription is under way: not ours to send while it may be.
      if (!own && now - pending.atSec < PENDING_LEASE_SEC) return later();
      const out = await finish(pending);
      if (!own) continue;
      // Our own release, resumed after a crash: what it had not decided on (rules still snoozed,
      // events since) gets a release of its own (a new key: this one is spent), if anything is held.
      const [d, z] = await Promise.all([deps.held.read('digest', sub.id), deps.held.read('snooze', sub.id)]);
      if ((type === 'digest' ? d : z).length > 0) await deps.schedule(type, sub.id, now + BUSY_RETRY_SEC);
      return out;
    }
    const [d, z] = await Promise.all([deps.held.read('digest', sub.id), deps.held.read('snooze', sub.id)]);
    let plan: Plan;
    if (type === 'digest') {
      const p = planDigest(sub, d, z, now, deps);
      if ('waitUntil' in p) {
        // Quiet hours or mute were extended meanwhile: come back when they really end.
        await deps.schedule('digest', sub.id, p.waitUntil);
        return 'rescheduled';
      }
      plan = p;
    } else {
      if (z.length === 0) return 'empty';
      plan = planSnooze(sub, z, await deps.ruleIds(sub.id), now, releaseAtSec);
    }
    const taking = (plan.tokens.digest?.length ?? 0) + (plan.tokens.snooze?.length ?? 0);
    const record: PendingRelease | null = plan.message === null ? null : { ref, message: plan.message, atSec: now };
    if (taking > 0 || record !== null) {
      const took = await deps.held.take(sub.id, plan.tokens, record);
      if (took !== 'taken') continue;
    }
    if (plan.nextAtSec !== null && plan.nextAtSec > now) await deps.schedule(type, sub.id, plan.nextAtSec);
    if (record !== null) return finish(record);
    return plan.nextAtSec !== null ? 'rescheduled' : 'empty';
  }
  return later();
}
