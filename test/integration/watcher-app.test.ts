/**
 * The watcher role inside createApp (ROLES=watcher,evaluator on one Redis): blocks from the
 * mempool.space stand-in become evaluate jobs that the real evaluator completes, reading the
 * snapshots the watcher stored under the app's key prefix; shutdown stops everything in time.
 */
import { loadConfig } from '../../config/index.ts';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { createApp } from '../../src/app/create-app.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { waitFor } from './watcher-harness.ts';
import { testRedis } from '../support/redis.ts';

describe('watcher role in createApp', () => {
  it('every block is evaluated once by the real evaluator, from the stored snapshot', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 60 }) });
    const redis = testRedis(7, { maxRetriesPerRequest: null });
    const id = randomUUID().slice(0, 8);
    const keyPrefix = `hb-test-watch-app-${id}:`;
    const app = await createApp(
      loadConfig({ ROLES: 'watcher,evaluator', LOG_LEVEL: 'error', MEMPOOL_URL: fake.url, MEMPOOL_MAX_RPS: '50' }),
      {
        redis,
        keyPrefix,
        queuePrefix: `hb-test-watch-app-${id}`,
        logger: silentLogger(),
        tickEveryMs: 0,
        watcher: { builder: testBuilderFactory(40) },
      },
    );
    try {
      const counts = async (): Promise<Record<string, number>> =>
        app.evaluateQueue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
      await waitFor('first evaluation', async () => (await counts())['completed'] === 1, 15_000);
      fake.mine(3);
      await waitFor('four evaluations', async () => (await counts())['completed'] === 4, 15_000);
      const c = await counts();
      expect(c['failed']).toBe(0);
      const done = await app.evaluateQueue.getJobs(['completed']);
      const ids = done.map((j) => j.id).sort();
      expect(ids).toEqual(
        fake.chain.blocks
          .slice(-4)
          .map((b) => `eval-${b.id}`)
          .sort(),
      );
    } finally {
      const t0 = Date.now();
      await app.shutdown(5_000);
      expect(Date.now() - t0).toBeLessThan(6_000);
      const keys = await redis.keys(`*${id}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await fake.close();
    }
  });
});
