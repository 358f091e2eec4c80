/**
 * FreshnessStore's contract (test/contract/freshness-contract.ts) on the test Redis (DB 4, own key
 * prefix); test/integration/redis-cluster.test.ts runs it on a Redis Cluster.
 */
import { afterAll } from 'vitest';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisFreshness } from '../../src/store/redis-freshness.ts';
import { testRedis } from '../support/redis.ts';
import { freshnessContract } from '../contract/freshness-contract.ts';
import { cleanKeys } from '../contract/store-contract.ts';

const redis = testRedis(4, { lazyConnect: true });
const keys = engineKeys(`hb-test-freshness-${process.pid}:`);

afterAll(async () => {
  await cleanKeys(redis, keys);
  redis.disconnect();
});

freshnessContract([
  [
    'redis',
    async () => {
      await cleanKeys(redis, keys);
      return { store: new RedisFreshness(redis, keys), redis, keys };
    },
  ],
]);
