/**
 * The watcher feeds the charts' history: every committed snapshot (cold start, backfill, live,
 * reorg corrections) is in RedisChartHistory before its evaluate job is sent, and a broken
 * history never holds the chain up. Real Redis (DB 14), the mempool.space stand-in, the real
 * snapshot math on a short window.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { silentLogger, type Logger } from '../../src/observability/logger.ts';
import { createWatcherMetrics } from '../../src/observability/metrics.ts';
import { RedisChartHistory } from '../../src/charts/index.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { EvaluateJob } from '../../src/jobs/queues.ts';
import type { SnapshotHistory } from '../../src/sources/chain-sync.ts';
import { MempoolSource } from '../../src/sources/mempool-space/source.ts';
import { startWatcher, type WatcherHandle } from '../../src/sources/watcher.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { waitFor } from './watcher-harness.ts';
import { testRedis } from '../support/redis.ts';

const HISTORY = 30;

interface Rig {
  fake: FakeMempoolSpace;
  redis: Redis;
  history: RedisChartHistory;
  state: RedisChainState;
  watcher: WatcherHandle;
  /** Stops the watcher and starts a new one on the same chain state and history. */
  restart(): Promise<void>;
  /** Each evaluate job, with whether its chart point was already in the history when it was sent. */
  jobs: Array<{ job: EvaluateJob; chartReady: boolean }>;
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function start(opts: {
  chainLength: number;
  sink?: (h: RedisChartHistory) => SnapshotHistory;
  logger?: Logger;
}): Promise<Rig> {
  const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: opts.chainLength }) });
  const redis = testRedis(14, { maxRetriesPerRequest: 3 });
  const id = randomUUID().slice(0, 8);
  const prefix = `hb-test-app-charts-${id}:`;
  const builder = testBuilderFactory(HISTORY);
  const state = new RedisChainState(redis, { prefix, keepBlocks: HISTORY + 100 });
  const history = new RedisChartHistory(redis, { key: engineKeys(prefix).chartHistory() });
  const logger = opts.logger ?? silentLogger();
  const metrics = createWatcherMetrics(new Registry());
  const source = new MempoolSource({
    baseUrl: fake.url,
    maxRps: 50,
    logger,
    metrics,
    pingAfterMs: 5_000,
    pongTimeoutMs: 2_000,
    wsBackoff: { baseMs: 30, capMs: 200 },
    restBackoff: { baseMs: 20, capMs: 200 },
  });
  const jobs: Rig['jobs'] = [];
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const launch = async (): Promise<WatcherHandle> =>
    startWatcher({
      source,
      priceSource: source,
      state,
      builder,
      logger,
      metrics,
      now: () => nowMs,
      retryBackoff: { baseMs: 20, capMs: 200 },
      coldStartBlocks: opts.chainLength,
      history: opts.sink ? opts.sink(history) : history,
      queue: {
        add: async (_name, job) => {
          jobs.push({ job, chartReady: (await history.pointsUpTo(job.height, job.hash, 1)) !== null });
        },
      },
    });
  const r: Rig = {
    fake,
    redis,
    history,
    state,
    watcher: await launch(),
    jobs,
    async restart() {
      await r.watcher.stop(2_000);
      r.watcher = await launch();
    },
    async caughtUp() {
      await waitFor('watcher at the tip', async () => (await state.getCursor())?.hash === fake.chain.tip.id);
      await r.watcher.idle();
    },
    async close() {
      await r.watcher.stop(2_000).catch(() => undefined);
      await fake.close();
      await state.clear();
      await history.clear();
      redis.disconnect();
    },
  };
  return r;
}

/** Height → hash of every point the history holds. */
async function stored(r: Rig): Promise<Map<number, string>> {
  const points = (await r.history.pointsUpTo(r.fake.chain.tip.height, r.fake.chain.tip.id, 365)) ?? [];
  return new Map(points.map((p) => [p.height, p.hash]));
}

describe('chart history fed by the watcher', () => {
  it('cold start, live blocks and a backfilled gap all reach the history before their jobs', async () => {
    rig = await start({ chainLength: 50 });
    await rig.caughtUp();
    const chain = rig.fake.chain;
    // Cold start: 50 blocks loaded, only the tip got a job, yet every block has its chart point.
    expect(rig.jobs.map((j) => j.job.height)).toEqual([chain.tip.height]);
    let points = await stored(rig);
    expect([...points.entries()]).toEqual(chain.blocks.map((b) => [b.height, b.id]));
    // Live blocks, then a gap the watcher backfills (blocks announced silently).
    rig.fake.mine(2);
    await rig.caughtUp();
    rig.fake.mine(4, { silent: true });
    rig.fake.mine(1);
    await rig.caughtUp();
    points = await stored(rig);
    expect([...points.entries()]).toEqual(chain.blocks.map((b) => [b.height, b.id]));
    expect(rig.jobs.length).toBeGreaterThan(1);
    expect(rig.jobs.filter((j) => !j.chartReady)).toEqual([]);
  });

  it('a reorg replaces the orphaned points with the new branch (corrections included)', async () => {
    rig = await start({ chainLength: 40 });
    await rig.caughtUp();
    rig.fake.mine(2);
    await rig.caughtUp();
    const orphaned = rig.fake.chain.blocks.slice(-3);
    rig.fake.reorg(3, 1);
    await rig.caughtUp();
    const chain = rig.fake.chain;
    const points = await stored(rig);
    expect([...points.entries()]).toEqual(chain.blocks.map((b) => [b.height, b.id]));
    for (const o of orphaned) expect(await rig.history.pointsUpTo(o.height, o.id, 1)).toBeNull();
    const corrections = rig.jobs.filter((j) => j.job.correction);
    expect(corrections.map((j) => j.job.height)).toEqual(orphaned.map((o) => o.height));
    expect(rig.jobs.filter((j) => !j.chartReady)).toEqual([]);
  });

  it('a restart whose history lags the chain state (lost, or first run with charts) refills it', async () => {
    rig = await start({ chainLength: 45 });
    await rig.caughtUp();
    await rig.history.clear();
    await rig.restart();
    rig.fake.mine(1);
    await rig.caughtUp();
    const chain = rig.fake.chain;
    const points = await stored(rig);
    // The rebuild's window (30 blocks below the old tip) plus the new block, in order.
    expect([...points.entries()]).toEqual(chain.blocks.slice(-31).map((b) => [b.height, b.id]));
    expect(rig.jobs.filter((j) => !j.chartReady)).toEqual([]);
  });

  it('a failing history is logged and never holds the chain up', async () => {
    const warnings: string[] = [];
    const base = silentLogger();
    const logger = new Proxy(base, {
      get(t, p, recv) {
        if (p === 'child') return () => logger;
        if (p === 'warn')
          return (_o: object, msg: string) => {
            warnings.push(msg);
          };
        return Reflect.get(t, p, recv) as unknown;
      },
    }) as Logger;
    let calls = 0;
    rig = await start({
      chainLength: 35,
      logger,
      sink: () => ({
        append: async (_s: Snapshot) => {
          calls++;
          throw new Error('history down');
        },
      }),
    });
    await rig.caughtUp();
    rig.fake.mine(3);
    await rig.caughtUp();
    expect(rig.jobs.map((j) => j.job.height)).toEqual(rig.fake.chain.blocks.slice(-4).map((b) => b.height));
    expect(calls).toBe(35 + 3);
    expect(warnings.filter((w) => w.startsWith('chart history append failed')).length).toBeGreaterThanOrEqual(2);
    expect((await rig.state.getCursor())?.hash).toBe(rig.fake.chain.tip.id);
  });
});
