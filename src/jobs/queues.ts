/**
 * BullMQ queue names and job payload schemas: the wire contract between watcher, evaluator and
 * notifier processes (which may run on different machines sharing one Redis). Payloads are
 * validated with zod on the consuming side; a payload that fails is poison: failed, logged, never
 * retried (DESIGN.md style 8). Job ids never contain ':' (BullMQ reserves it).
 */
import { z } from 'zod';

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

/** Job name of a quiet-hours/mute digest on a deliver queue (the held events live in Redis). */
export const DIGEST_JOB_NAME = 'digest';

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

/**
 * The slow-blocks tick (a repeatable job) rides on the evaluate queue under this name, so it is
 * serialised with block evaluations and can never judge a rule at the same time as a block.
 */
export const TICK_JOB_NAME = 'slow-blocks-tick';
