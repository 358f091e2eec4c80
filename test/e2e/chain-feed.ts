/**
 * Feeds blocks to the engine the way the watcher does (src/sources/chain-sync.ts): commit block
 * and snapshot to the Redis chain state the engine reads (createApp's chainSnapshotReader over
 * RedisChainState with the app's key prefix), then enqueue the evaluate job and mark it sent.
 * No in-memory snapshot reader: evaluation and /status read exactly what a watcher stored.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { App } from '../../src/app/create-app.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { EvaluateJobSchema, evaluateJobId } from '../../src/jobs/queues.ts';
import { EVALUATE_JOB_OPTS } from '../../src/sources/chain-sync.ts';
import { RedisChainState, type StoredBlock } from '../../src/store/chain-state.ts';
import type { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import type { ReplayedBlock } from './replayed-chain.ts';

export interface ChainFeed {
  /** The Redis chain state the engine and the bots read (createApp's default SnapshotReader). */
  readonly chain: RedisChainState;
  /** Commits the block and its snapshot, enqueues its evaluate job: a new block arrived. */
  block(b: ReplayedBlock): Promise<void>;
  /** Commits a snapshot as the tip without an evaluate job (chat commands read it). */
  tip(s: Snapshot): Promise<void>;
}

/** What both chat worlds share: the app, its Redis and store, and the chain feed. */
export interface EngineWorld extends ChainFeed {
  app: App;
  redis: Redis;
  store: RedisSubscriptionStore;
  close(): Promise<void>;
}

/** A stored block made up for a hand-made snapshot (commands tests only need the snapshot). */
function storedFor(s: Snapshot): StoredBlock {
  return {
    block: { id: s.hash, height: s.height, timestamp: s.timeSec, bits: s.bits, feesSats: 0, feesKnown: false },
    price: null,
    nowSec: s.computedAtSec,
  };
}

/** `keyPrefix` must be the one given to createApp (its chain state lives under it). */
export function chainFeed(redis: Redis, keyPrefix: string, evaluateQueue: Queue): ChainFeed {
  const chain = new RedisChainState(redis, { prefix: keyPrefix, keepBlocks: 2016 });
  return {
    chain,
    async block({ stored, snapshot }) {
      const job = EvaluateJobSchema.parse({
        height: snapshot.height,
        hash: snapshot.hash,
        correction: snapshot.correction,
      });
      await chain.commit([{ stored, snapshot, job }]);
      await evaluateQueue.add('evaluate', job, { ...EVALUATE_JOB_OPTS, jobId: evaluateJobId(job.hash) });
      await chain.markSent([job]);
    },
    async tip(s) {
      await chain.commit([{ stored: storedFor(s), snapshot: s, job: null }]);
    },
  };
}

/**
 * Resolves once every evaluate job has run and no delivery is waiting or running (twice in a row,
 * 100 ms apart, since an evaluation enqueues deliveries). Delayed deliveries (held digests, 429
 * waits) do not count: a test that needs them waits for their effect instead.
 */
export async function drained(
  { app }: { app: Pick<App, 'evaluateQueue' | 'deliverQueues'> },
  timeoutMs = 15_000,
): Promise<void> {
  const idle = async (): Promise<boolean> => {
    const ev = await app.evaluateQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(ev).some((n) => n > 0)) return false;
    for (const q of Object.values(app.deliverQueues)) {
      const d = await q.getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(d).some((n) => n > 0)) return false;
    }
    return true;
  };
  const end = Date.now() + timeoutMs;
  let calm = 0;
  while (calm < 2) {
    if (Date.now() > end) throw new Error('timed out waiting for the engine to drain');
    calm = (await idle()) ? calm + 1 : 0;
    await new Promise((r) => setTimeout(r, calm === 0 ? 20 : 100));
  }
}

/**
 * Resolves once every part the app started says it is ready on its Health (the workers run, the
 * chat bots connected — createApp starts bots in the background, with retries, as in production).
 */
export async function appReady(app: Pick<App, 'health'>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const failing = await app.health.failing();
    if (failing === null) return;
    if (Date.now() > end) throw new Error(`the app is not ready: ${JSON.stringify(failing)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
