/**
 * BullMQ glue for delivery. Idempotency lives in the notification log, not in job ids (DESIGN.md
 * style 9): a message is sent only if its key is absent and the key is written after the send,
 * so a worker killed mid-send re-sends at most the messages it had in flight (bounded by its
 * concurrency) and loses none. Failures are classified once, here (DESIGN.md style 4):
 * retryable → throw (BullMQ backs off), permanent → UnrecoverableError + deactivate + tell the
 * owner, rate-limited → depends on whose limit it is:
 * - one chat's own limit (scope 'chat': Telegram 1/s per chat or 20/min per group, a Discord
 *   channel's bucket) → only THIS job goes back to the delayed set until the chat's slot
 *   (job.moveToDelayed + DelayedError: no attempt is spent, nothing was sent, the notification
 *   key is still unclaimed so exactly-once holds) while the worker takes other chats' jobs;
 * - the platform's limit (a real 429 with retry_after, or the global cap) → pause the whole
 *   queue through the BullMQ limiter (worker.rateLimit) for retry_after.
 * The notifier books the chat's slot for a delayed message (TelegramPacer tickets), so a later
 * block's message to the same chat queues behind it: block order per chat is kept.
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '../observability/logger.ts';
import { deliverFresh, deliverOnce, notificationKey, type MessageRef } from '../alerting/pipeline.ts';
import { releaseHeld } from '../alerting/release.ts';
import {
  DeliveryError,
  type FreshnessStore,
  type HeldEventStore,
  type MigrationPointers,
  type NotificationLog,
  type Notifier,
  type OutboundMessage,
  type RuleJudge,
  type SubscriptionStore,
} from '../alerting/ports.ts';
import type { AlertEvent, Subscription } from '../alerting/types.ts';
import type { EngineMetrics } from './engine-metrics.ts';
import { deliverFanOut, type FanOutDeps } from './fanout-processor.ts';
import { DIGEST_JOB_NAME, DeliverJobSchema, DigestJobSchema, FANOUT_JOB_NAME, SNOOZE_JOB_NAME } from './queues.ts';

export { NOTIFICATION_TTL_SEC } from '../alerting/pipeline.ts';

export interface DeliverDeps {
  readonly store: SubscriptionStore;
  readonly log: NotificationLog;
  readonly notifier: Notifier;
  readonly judge: RuleJudge;
  /** Events held for a digest or a snooze release. */
  readonly held: HeldEventStore;
  /** Jobs addressed to a moved subscription's old id follow its forward pointer. */
  readonly pointers: MigrationPointers;
  /** Which rules' queued messages a newer block superseded (absent: every message is sent). */
  readonly freshness?: FreshnessStore;
  readonly nowSec: () => number;
  readonly logger: Logger;
  /** Adds the delayed digest or snooze-release job (same queue) when it must come back later. */
  readonly schedule: (type: 'digest' | 'snooze', subscriptionId: string, releaseAtSec: number) => Promise<void>;
  readonly metrics?: EngineMetrics;
  /** Telegram group → supergroup: move the subscription (SubscriptionService.migrate). */
  readonly migrate?: (sub: Subscription, newTargetId: string) => Promise<Subscription | null>;
  /** Fan-out jobs of event notices (absent: such a job is poison here). */
  readonly fanOut?: FanOutDeps;
}

export type DeliverOutcome =
  | 'sent'
  | 'duplicate'
  | 'superseded'
  | 'inactive'
  | 'empty'
  | 'rescheduled'
  /** A fan-out job's chunk was settled, or its walk stopped for the reason named (jobs/fanout-processor.ts). */
  | 'fanned-out'
  | 'reorged'
  | 'none'
  | 'done'
  | 'stale'
  | 'stopped';

function poison(deps: DeliverDeps, job: Job, issue: string | undefined): never {
  deps.logger.error({ jobId: job.id, name: job.name, issue }, 'poison deliver job');
  throw new UnrecoverableError(`poison deliver job: ${issue ?? 'invalid payload'}`);
}

/** What one processing attempt knows about where it runs (to pause the queue or delay the job). */
export interface Attempt {
  readonly worker: Worker | undefined;
  readonly job: Job;
  /** The job's lock token (BullMQ passes it to the processor); moveToDelayed needs it. */
  readonly token: string | undefined;
}

/** The pipeline's dedupe → deliver → record for one message, with BullMQ's failure classes. */
function sendOnce(
  deps: DeliverDeps,
  at: Attempt,
  sub: Subscription,
  msg: OutboundMessage,
  ref: MessageRef,
): Promise<'sent' | 'duplicate'> {
  return deliverOnce(deps.log, notificationKey(ref), () => sendClassified(deps, at, sub, msg));
}

/** Sends one message; classifies a DeliveryError into the one retry layer (BullMQ). */
export async function sendClassified(
  deps: DeliverDeps,
  at: Attempt,
  sub: Subscription,
  msg: OutboundMessage,
): Promise<void> {
  const { worker } = at;
  try {
    await deps.notifier.send(sub, msg);
  } catch (e) {
    if (!(e instanceof DeliveryError)) throw e;
    if (e.kind === 'rate-limited' && e.context.scope === 'chat' && at.token !== undefined) {
      // This chat's own limit: only this message waits; the queue keeps serving other chats.
      const waitMs = Math.max(1, e.context.retryAfterMs ?? 1000);
      deps.logger.debug({ subscriptionId: sub.id, waitMs }, 'chat paced; message delayed (queue not paused)');
      await at.job.moveToDelayed(Date.now() + waitMs, at.token);
      throw new DelayedError(`chat ${sub.id} paced for ${waitMs} ms`);
    }
    if (e.kind === 'rate-limited') {
      const waitMs = Math.max(1000, e.context.retryAfterMs ?? 1000);
      deps.logger.warn({ subscriptionId: sub.id, waitMs }, 'rate limited; pausing the queue');
      if (worker) {
        await worker.rateLimit(waitMs);
        throw Worker.RateLimitError();
      }
      throw e;
    }
    if (e.kind === 'permanent' && e.context.migrateToId !== undefined && deps.migrate) {
      const moved = await deps.migrate(sub, e.context.migrateToId);
      if (moved) return sendClassified(deps, at, moved, { ...msg, subscriptionId: moved.id });
    }
    if (e.kind === 'permanent') {
      deps.logger.warn(
        { subscriptionId: sub.id, code: e.context.code, status: e.context.status },
        'permanent delivery failure; deactivating',
      );
      await deps.store.setActive(sub.id, false);
      await deps.notifier
        .tellOwner?.(sub, { notice: 'delivery-paused', params: { reason: e.message } })
        .catch(() => undefined);
      throw new UnrecoverableError(`permanent: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Mute / quiet-hours digest or snooze release of one subscription: the job parsed, its
 * subscription followed if it moved (group → supergroup took its held alerts along), and
 * alerting's release stage run with BullMQ's failure classes (releases of one subscription are
 * mutually exclusive there, so two due at once never send a rule twice).
 */
async function deliverHeld(deps: DeliverDeps, at: Attempt, type: 'digest' | 'snooze'): Promise<DeliverOutcome> {
  const parsed = DigestJobSchema.safeParse(at.job.data);
  if (!parsed.success) poison(deps, at.job, parsed.error.issues[0]?.message);
  const sub = await deps.pointers.resolve(parsed.data.subscriptionId);
  if (!sub || !sub.active) return 'inactive';
  const { subscriptionId, releaseAtSec } = parsed.data;
  const ref: MessageRef = { subscriptionId, type, id: String(releaseAtSec) };
  return releaseHeld(
    {
      held: deps.held,
      nowSec: deps.nowSec,
      ruleIds: async (id) => new Set((await deps.store.listRules(id)).map((r) => r.id)),
      route: (s, events, now) => deps.judge.route(s, events, now),
      send: (msg, msgRef) => sendOnce(deps, at, sub, msg, msgRef),
      schedule: deps.schedule,
    },
    sub,
    type,
    ref,
    releaseAtSec,
  );
}

/** The processor of one platform's deliver queue (deliver and digest jobs). */
export function deliverProcessor(
  deps: DeliverDeps,
  getWorker: () => Worker | undefined,
): (job: Job, token?: string) => Promise<DeliverOutcome> {
  const platform = deps.notifier.platform;
  const count = (outcome: string): void => {
    deps.metrics?.deliveries.inc({ platform, outcome });
  };
  const inner = deliverOrDigest(deps);
  return async (job, token) => {
    try {
      const out = await inner({ worker: getWorker(), job, token });
      count(out);
      return out;
    } catch (e) {
      count(outcomeOf(e));
      throw e;
    }
  };
}

/** Metric label of a failed attempt. */
function outcomeOf(e: unknown): string {
  if (e instanceof DeliveryError) return e.kind;
  if (e instanceof UnrecoverableError) return e.message.startsWith('poison') ? 'poison' : 'permanent';
  if (e instanceof Error && e.name === 'RateLimitError') return 'rate-limited';
  if (e instanceof DelayedError) return 'chat-paced';
  return 'error';
}

function deliverOrDigest(deps: DeliverDeps): (at: Attempt) => Promise<DeliverOutcome> {
  return async (at) => {
    const { job } = at;
    if (job.name === DIGEST_JOB_NAME) return deliverHeld(deps, at, 'digest');
    if (job.name === SNOOZE_JOB_NAME) return deliverHeld(deps, at, 'snooze');
    if (job.name === FANOUT_JOB_NAME && deps.fanOut) return deliverFanOut(deps, deps.fanOut, at);
    const parsed = DeliverJobSchema.safeParse(job.data);
    if (!parsed.success) poison(deps, job, parsed.error.issues[0]?.message);
    const d = parsed.data;
    // Queued before a move (group → supergroup)? The forward pointer leads to the new id; the
    // notification key stays the job's, so a retried job still sends at most once.
    const sub = await deps.pointers.resolve(d.subscriptionId);
    if (!sub || !sub.active) return 'inactive';
    if (sub.id !== d.subscriptionId)
      deps.logger.info({ from: d.subscriptionId, to: sub.id }, 'subscription moved; delivering to its new id');
    const msg: OutboundMessage = {
      subscriptionId: sub.id,
      height: d.height,
      hash: d.hash,
      digest: d.digest,
      events: d.events as unknown as AlertEvent[],
    };
    const ref: MessageRef = { subscriptionId: d.subscriptionId, type: d.digest ? 'digest' : 'block', id: d.hash };
    if (d.digest || deps.freshness === undefined) return sendOnce(deps, at, sub, msg, ref);
    // Freshness is kept under the id the message was queued for (as the notification key).
    return deliverFresh(
      deps.log,
      deps.freshness,
      notificationKey(ref),
      { ...msg, subscriptionId: d.subscriptionId },
      deps.nowSec(),
      (fresh) => sendClassified(deps, at, sub, { ...fresh, subscriptionId: sub.id }),
    );
  };
}
