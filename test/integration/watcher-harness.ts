/**
 * Shared set-up for the watcher integration tests: a mempool.space stand-in, real Redis (DB 6,
 * unique key prefix and queue name per test), a counting evaluate queue, fresh metrics, and a
 * reference builder to check stored snapshots against.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { silentLogger, type Logger } from '../../src/observability/logger.ts';
import { createWatcherMetrics, type WatcherMetrics } from '../../src/observability/metrics.ts';
import type { Block } from '../../src/domain/types.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { MempoolSource, type MempoolSourceOptions } from '../../src/sources/mempool-space/source.ts';
import { startWatcher, type WatcherDeps, type WatcherHandle } from '../../src/sources/watcher.ts';
import type { SnapshotBuilderFactory } from '../../src/sources/snapshot-port.ts';
import type { EvaluateJob } from '../../src/jobs/queues.ts';
import { FakeChain, type FakeChainOptions, type FixtureBlock } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { testRedis, testRedisOptions } from '../support/redis.ts';

export const REDIS_DB = 6;
export const HISTORY = 60;

export function toBlock(b: FixtureBlock): Block {
  return {
    id: b.id,
    height: b.height,
    timestamp: b.timestamp,
    bits: b.bits,
    previousHash: b.previousblockhash,
    feesSats: b.extras.totalFees,
    feesKnown: true,
  };
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Harness {
  fake: FakeMempoolSpace;
  redis: Redis;
  state: RedisChainState;
  queue: Queue;
  metrics: WatcherMetrics;
  builder: SnapshotBuilderFactory;
  /** Every add() call, in order (BullMQ would hide duplicates; this does not). */
  adds: EvaluateJob[];
  snapshots: Snapshot[];
  watcher: WatcherHandle | null;
  /** The watcher's fixed clock. */
  nowSec: number;
  source: MempoolSource | null;
  start(opts?: Partial<MempoolSourceOptions>, deps?: Partial<WatcherDeps>): Promise<WatcherHandle>;
  stopWatcher(): Promise<void>;
  /** Waits until our cursor is the fake's tip and every event was handled. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** The reference snapshot at `height` of the fake's main chain, built from scratch. */
  reference(height: number, correction: boolean, price: { timeSec: number; usd: number } | null): Snapshot;
  close(): Promise<void>;
}

export async function createHarness(
  opts: {
    chainLength?: number;
    logger?: Logger;
    history?: number;
    builder?: SnapshotBuilderFactory;
    chain?: FakeChainOptions;
  } = {},
): Promise<Harness> {
  const fake = await FakeMempoolSpace.start({
    chain: new FakeChain({ length: opts.chainLength ?? 100, ...opts.chain }),
  });
  const redis = testRedis(REDIS_DB, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const id = randomUUID().slice(0, 8);
  const builder = opts.builder ?? testBuilderFactory(opts.history ?? HISTORY);
  const state = new RedisChainState(redis, {
    prefix: `hb-test-watch-${id}:`,
    keepBlocks: builder.requiredHistoryBlocks + 120,
  });
  const queue = new Queue(`hb-test-watch-eval-${id}`, { connection: testRedisOptions(REDIS_DB) });
  const metrics = createWatcherMetrics(new Registry());
  const logger = opts.logger ?? silentLogger();
  // Snapshots depend on the wall clock (retarget, price age): the watcher gets a fixed one.
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const h: Harness = {
    fake,
    redis,
    state,
    queue,
    metrics,
    builder,
    adds: [],
    snapshots: [],
    watcher: null,
    source: null,
    nowSec: nowMs / 1000,
    async start(srcOpts = {}, deps = {}) {
      h.source = new MempoolSource({
        baseUrl: fake.url,
        maxRps: 50,
        logger,
        metrics,
        pingAfterMs: 5_000,
        pongTimeoutMs: 2_000,
        wsBackoff: { baseMs: 30, capMs: 200 },
        restBackoff: { baseMs: 20, capMs: 200 },
        ...srcOpts,
      });
      h.watcher = await startWatcher({
        source: h.source,
        priceSource: h.source,
        state,
        builder,
        logger,
        metrics,
        queue: {
          add: async (name, data, o) => {
            h.adds.push(data);
            return queue.add(name, data, o);
          },
        },
        retryBackoff: { baseMs: 20, capMs: 200 },
        now: () => nowMs,
        onSnapshot: (s) => h.snapshots.push(s),
        ...deps,
      });
      return h.watcher;
    },
    async stopWatcher() {
      await h.watcher?.stop();
      h.watcher = null;
    },
    async caughtUp(timeoutMs = 10_000) {
      await waitFor(
        'watcher to reach the tip',
        async () => {
          const c = await state.getCursor();
          return c?.hash === fake.chain.tip.id;
        },
        timeoutMs,
      );
      await h.watcher?.idle();
    },
    reference(height, correction, price) {
      const b = builder.create();
      let snap: Snapshot | null = null;
      const from = Math.max(fake.chain.startHeight, height - builder.requiredHistoryBlocks + 1);
      for (let x = from; x <= height; x++) {
        const fb = fake.chain.at(x);
        if (!fb) throw new Error(`no block ${x}`);
        snap = b.push(toBlock(fb), { nowSec: h.nowSec, price, source: 'mempool', correction });
      }
      if (!snap) throw new Error('no snapshot');
      return snap;
    },
    async close() {
      await h.watcher?.stop().catch(() => undefined);
      await fake.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await state.clear();
      redis.disconnect();
    },
  };
  return h;
}

/** Heights of the add() calls, and hashes added more than once. */
export function addStats(adds: readonly EvaluateJob[]): { heights: number[]; duplicateHashes: string[] } {
  const seen = new Set<string>();
  const dup: string[] = [];
  for (const a of adds) {
    if (seen.has(a.hash)) dup.push(a.hash);
    seen.add(a.hash);
  }
  return { heights: adds.map((a) => a.height), duplicateHashes: dup };
}

/** Strips the wall-clock field so a stored snapshot can equal a reference one. */
export function comparable(s: Snapshot): Omit<Snapshot, 'computedAtSec'> {
  const { computedAtSec: _ignored, ...rest } = s;
  return rest;
}
