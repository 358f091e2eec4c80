/**
 * BullMQ queue names, job payload schemas, job options and the enqueue helpers: the wire contract
 * between watcher, evaluator and notifier processes (which may run on different machines sharing
 * one Redis), in one module. Payloads are validated with zod on the consuming side; a payload that
 * fails is poison: failed, logged, never retried (DESIGN.md style 8). Job ids never contain ':'
 * (BullMQ reserves it).
 */
import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { OutboundMessage } from '../alerting/ports.ts';
import { groupBy } from '../domain/collections.ts';
import type { Platform } from '../alerting/types.ts';

export const QUEUE_NAMES = {
  /** One job per new tip (or correction): evaluate every rule against the block's snapshot. */
  evaluate: 'hashbell-evaluate',
  /** One job per subscription per block: deliver everything that fired together. */
  deliver: 'hashbell-deliver',
} as const;

/** Evaluate job: the snapshot is stored in chain state; the job names it by height and hash. */
export const EvaluateJobSchema = z.object({
  height: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  correction: z.boolean(),
});
export type EvaluateJob = z.infer<typeof EvaluateJobSchema>;

/** Deterministic job id from the block hash: the same block enters once. */
export function evaluateJobId(hash: string): string {
  return `eval-${hash}`;
}

export const DeliverJobSchema = z.object({
  subscriptionId: z
    .string()
    .min(1)
    .regex(/^[^:]+$/),
  height: z.number().int().nonnegative(),
  hash: z.string().min(1),
  digest: z.boolean(),
  /** AlertEvent objects (validated loosely here; they were produced by our own evaluator). */
  events: z.array(z.record(z.string(), z.unknown())).min(1),
  /** A broadcast channel's message (subscriptions/broadcast.ts): queued ahead of personal ones. */
  broadcast: z.literal(true).optional(),
});
export type DeliverJob = z.infer<typeof DeliverJobSchema>;

export function deliverJobId(subscriptionId: string, hash: string, digest: boolean): string {
  return `dlv-${digest ? 'digest-' : ''}${subscriptionId}-${hash}`.replaceAll(':', '_');
}

/**
 * Deliver jobs go to one queue per platform so each platform has its own rate limiter and a
 * Telegram 429 never slows Discord. QUEUE_NAMES.deliver is the common stem.
 */
export function deliverQueueName(platform: 'telegram' | 'discord' | 'console'): string {
  return `${QUEUE_NAMES.deliver}-${platform}`;
}

/** Job name of one block's message on a deliver queue. */
export const DELIVER_JOB_NAME = 'deliver';

/** Job name of a quiet-hours/mute digest on a deliver queue (the held events live in Redis). */
export const DIGEST_JOB_NAME = 'digest';

/** Job name of a snooze release on a deliver queue (the snoozed rules' held events live in Redis). */
export const SNOOZE_JOB_NAME = 'snooze-release';

export const DigestJobSchema = z.object({
  subscriptionId: z
    .string()
    .min(1)
    .regex(/^[^:]+$/),
  /** Unix seconds the digest was scheduled for (part of its idempotency key). */
  releaseAtSec: z.number().int().nonnegative(),
});
export type DigestJob = z.infer<typeof DigestJobSchema>;

/** One digest per subscription per release time, however many events were held. */
export function digestJobId(subscriptionId: string, releaseAtSec: number): string {
  return `dgst-${subscriptionId}-${releaseAtSec}`.replaceAll(':', '_');
}

/** One snooze release per subscription per release time (payload: DigestJobSchema). */
export function snoozeJobId(subscriptionId: string, releaseAtSec: number): string {
  return `snz-${subscriptionId}-${releaseAtSec}`.replaceAll(':', '_');
}

/**
 * An event series with at least this many rules fans out (one stored notice, walked in chunks)
 * instead of one deliver job per subscriber; below it, a notice is grouped into each
 * subscriber's one message of the block as before. 1,000 jobs cost about 2 MB of Redis.
 */
export const FANOUT_MIN_RULES = 1000;

/** Recipients per fan-out job: about one second of each platform's rate, so deliveries interleave. */
export const FANOUT_CHUNK: Readonly<Record<Platform, number>> = { telegram: 30, discord: 50, console: 200 };

/** Job name of one chunk of a notice's fan-out on a deliver queue (alerting/fanout.ts). */
export const FANOUT_JOB_NAME = 'fan-out';

/** One chunk of one platform's walk of a broadcast (the notice itself is stored once in Redis). */
export const FanOutJobSchema = z.object({
  series: z.string().regex(/^[a-z0-9-]+$/),
  height: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  chunk: z.number().int().nonnegative(),
});
export type FanOutJob = z.infer<typeof FanOutJobSchema>;

/** One job per chunk of a block's walk: re-adding a chunk's job (a retried evaluation) is a no-op. */
export function fanOutJobId(j: FanOutJob): string {
  return `fan-${j.series}-${j.hash}-${j.chunk}`;
}

/**
 * Adds the job of one chunk of a fan-out (`delayMs`: come back later, e.g. while the evaluation
 * has not reached the next recipients).
 */
export async function enqueueFanOut(queue: Queue, job: FanOutJob, delayMs = 0): Promise<void> {
  await queue.add(FANOUT_JOB_NAME, job, {
    ...DELIVER_JOB_OPTS,
    jobId: fanOutJobId(job),
    ...(delayMs > 0 ? { delay: delayMs } : {}),
  });
}

/** Days a deliver job's result is kept for inspection; the notification log is the real dedupe. */
const KEEP_FAILED_SEC = 7 * 86_400;

/** Options of every job on a deliver queue (messages, digests, snooze releases). */
export const DELIVER_JOB_OPTS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { age: KEEP_FAILED_SEC },
} as const;

/**
 * Evaluate job options: retried (a Redis blip must not lose a block's evaluation), and removed
 * after a while — "sent once" is remembered by chain state's enqueued set, not by BullMQ ids.
 */
export const EVALUATE_JOB_OPTS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 2_000 },
  removeOnFail: { age: 7 * 86_400 },
} as const;

/** Deliver queue per platform (a platform without one has no notifier in this deployment). */
export type DeliverQueues = Partial<Record<Platform, Queue>>;

/** The platform a subscription id belongs to (`telegram-chat-42` → telegram). */
export function platformOf(subscriptionId: string): Platform | null {
  const p = subscriptionId.slice(0, subscriptionId.indexOf('-'));
  return p === 'telegram' || p === 'discord' || p === 'console' ? p : null;
}

/**
 * Enqueues one deliver job per message on its platform's queue (deterministic ids: a message
 * enqueued twice is one job). Returns the messages no queue takes (the caller logs them).
 */
export async function enqueueMessages(
  queues: DeliverQueues,
  messages: readonly OutboundMessage[],
): Promise<OutboundMessage[]> {
  // undefined: no queue for the platform (an orphan, handed back).
  const byQueue = groupBy(messages, (m) => {
    const p = platformOf(m.subscriptionId);
    return p === null ? undefined : queues[p];
  });
  for (const [q, list] of byQueue) {
    if (q === undefined) continue;
    await q.addBulk(
      list.map((m) => {
        const data: DeliverJob = {
          subscriptionId: m.subscriptionId,
          height: m.height,
          hash: m.hash,
          digest: m.digest,
          events: m.events.map((e) => ({ ...e })),
          ...(m.broadcast === true ? { broadcast: true as const } : {}),
        };
        return {
          name: DELIVER_JOB_NAME,
          data,
          opts: {
            ...DELIVER_JOB_OPTS,
            jobId: deliverJobId(m.subscriptionId, m.hash, m.digest),
            // A broadcast channel's post goes to the head of the queue: the next one sent.
            ...(m.broadcast === true ? { lifo: true } : {}),
          },
        };
      }),
    );
  }
  return byQueue.get(undefined) ?? [];
}

/**
 * Schedules the digest (mute / quiet hours) or the snooze release of one subscription at
 * `releaseAtSec`: one delayed job per subscription and release time, however often it is asked.
 */
export async function enqueueRelease(
  queue: Queue,
  type: 'digest' | 'snooze',
  subscriptionId: string,
  releaseAtSec: number,
  nowSec: number,
): Promise<void> {
  const data: DigestJob = { subscriptionId, releaseAtSec };
  await queue.add(type === 'digest' ? DIGEST_JOB_NAME : SNOOZE_JOB_NAME, data, {
    ...DELIVER_JOB_OPTS,
    jobId: type === 'digest' ? digestJobId(subscriptionId, releaseAtSec) : snoozeJobId(subscriptionId, releaseAtSec),
    delay: Math.max(0, releaseAtSec - nowSec) * 1000,
  });
}

/**
 * The slow-blocks tick (a repeatable job) rides on the evaluate queue under this name, so it is
 * serialised with block evaluations and can never judge a rule at the same time as a block.
 */
export const TICK_JOB_NAME = 'slow-blocks-tick';
