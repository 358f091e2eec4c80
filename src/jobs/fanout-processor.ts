/**
 * BullMQ glue for one chunk of a notice's fan-out (alerting/fanout.ts) on a platform's deliver
 * queue. The chunk's recipients are routed and sent through the same notifier — its pacer and
 * the shared send timeline — and the same failure classes as every message (`sendClassified`);
 * then the next chunk is a new job at the back of the queue, so the block's personal messages and
 * other chats' replies interleave with a long walk, and the BullMQ limiter holds.
 *
 * Per recipient: a permanent failure deactivates that subscription (as for any message) and the
 * walk goes on; a retryable one retries the chunk (the settled recipients are skipped), and on the
 * job's last attempt that recipient is given up with a warning rather than stalling everyone
 * after it. A chat's own limit or the platform's delays the whole chunk, as it does a message.
 */
import { DelayedError, UnrecoverableError } from 'bullmq';
import { fanOutStep } from '../alerting/fanout.ts';
import { holdBatches } from '../alerting/evaluate-block.ts';
import type { BroadcastStore, OutboundMessage } from '../alerting/ports.ts';
import type { Subscription } from '../alerting/types.ts';
import { sendClassified, type Attempt, type DeliverDeps, type DeliverOutcome } from './deliver-processor.ts';
import { DELIVER_JOB_OPTS, FanOutJobSchema, type FanOutJob } from './queues.ts';

/** What a deliver queue's processor needs to run fan-out chunks. */
export interface FanOutDeps {
  readonly broadcasts: BroadcastStore;
  /** Adds the job of a chunk (deterministic id, so adding it twice is one job). */
  readonly enqueue: (job: FanOutJob, delayMs?: number) => Promise<void>;
  /** False when the block is no longer on the main chain at its height (absent: not checked). */
  readonly onMainChain?: (height: number, hash: string) => Promise<boolean | null>;
  /** Recipients per chunk (about a second of the platform's rate). */
  readonly chunk: number;
}

/** How long a walk that caught up with its evaluation waits before looking again. */
const WAIT_MS = 250;

export async function deliverFanOut(deps: DeliverDeps, fan: FanOutDeps, at: Attempt): Promise<DeliverOutcome> {
  const parsed = FanOutJobSchema.safeParse(at.job.data);
  if (!parsed.success) {
    deps.logger.error({ jobId: at.job.id, issue: parsed.error.issues[0]?.message }, 'poison fan-out job');
    throw new UnrecoverableError(`poison deliver job: ${parsed.error.issues[0]?.message ?? 'invalid payload'}`);
  }
  const j = parsed.data;
  // A block reorged away stops here; its replacement's evaluation takes the walk over in place.
  if (fan.onMainChain && (await fan.onMainChain(j.height, j.hash)) === false) return 'reorged';
  const walk = { series: j.series, height: j.height, hash: j.hash, platform: deps.notifier.platform };
  const lastAttempt = at.job.attemptsMade + 1 >= (at.job.opts.attempts ?? DELIVER_JOB_OPTS.attempts);
  const send = async (sub: Subscription, msg: OutboundMessage): Promise<void> => {
    try {
      await sendClassified(deps, at, sub, msg);
    } catch (e) {
      // Deactivated for good (and its owner told): the walk goes on without it.
      if (e instanceof UnrecoverableError) return;
      if (lastAttempt && !(e instanceof DelayedError) && !(e instanceof Error && e.name === 'RateLimitError')) {
        deps.logger.warn({ subscriptionId: sub.id, err: e, series: j.series }, 'fan-out recipient given up');
        return;
      }
      throw e;
    }
  };
  const r = await fanOutStep(
    {
      store: fan.broadcasts,
      judge: deps.judge,
      subscriptions: (ids) => Promise.all(ids.map((id) => deps.store.get(id))),
      hold: (held) => holdBatches(deps.held, held, (h) => deps.schedule(h.list, h.subscriptionId, h.releaseAtSec)),
      nowSec: deps.nowSec,
    },
    walk,
    j.chunk,
    fan.chunk,
    send,
  );
  if (r.sent > 0) deps.metrics?.deliveries.inc({ platform: deps.notifier.platform, outcome: 'sent' }, r.sent);
  if (r.status === 'wait') {
    if (at.token === undefined) throw new Error('fan-out waits for its evaluation');
    await at.job.moveToDelayed(Date.now() + WAIT_MS, at.token);
    throw new DelayedError('fan-out waits for its evaluation');
  }
  if (r.next !== null && (r.status === 'ok' || r.status === 'stale')) await fan.enqueue({ ...j, chunk: r.next });
  return r.status === 'ok' ? 'fanned-out' : r.status;
}
