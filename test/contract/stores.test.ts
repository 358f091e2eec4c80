/**
 * One contract suite per port (test/contract/store-contract.ts), run on the in-memory fake AND on
 * Redis (DB 3, own key prefix).
 */
import { afterAll } from 'vitest';
import { engineKeys } from '../../src/store/keys.ts';
import { MemoryNotificationLog, MemoryRuleStateStore, MemorySubscriptionStore } from '../fakes/memory-stores.ts';
import { testRedis } from '../support/redis.ts';
import { cleanKeys, redisPorts, storeContract } from './store-contract.ts';

const redis = testRedis(3, { lazyConnect: true });
const keys = engineKeys(`hb-test-engine-contract-${process.pid}:`);

afterAll(async () => {
  await cleanKeys(redis, keys);
  redis.disconnect();
});

storeContract([
  [
    'memory',
    async () => {
      const states = new MemoryRuleStateStore();
      return { subs: new MemorySubscriptionStore(states), states, log: new MemoryNotificationLog() };
    },
  ],
  ['redis', redisPorts(redis, keys)],
]);
