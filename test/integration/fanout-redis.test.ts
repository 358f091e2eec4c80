/**
 * Issue 14 item 2, the fan-out core on Redis (DB 4): a broadcast is stored once per block and
 * series, its recipients are walked chunk by chunk through a persisted cursor over the event
 * index, each is told exactly once (the notification log), and a crash mid-chunk resumes where
 * the walk stopped without telling anyone twice. Redis holds no per-subscriber copy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { broadcastKey, fanOutStep } from '../../src/alerting/fanout.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisBroadcasts } from '../../src/store/redis-broadcasts.ts';
import { RedisNotificationLog } from '../../src/store/redis-notification-log.ts';
import { testRedis } from '../support/redis.ts';
import { cleanPrefix } from './engine-harness.ts';

const prefix = `hb-test-fanout-${process.pid}:`;
const keys = engineKeys(prefix);
const HASH = 'a'.repeat(64);
const SUBS = Array.from({ length: 1000 }, (_, i) => `telegram-chat-${5000 + i}`);

let redis: Redis;
beforeEach(async () => {
  redis = testRedis(4);
  await cleanPrefix(redis, prefix);
  // every subscriber's default retarget rule sits in the event index (one has two such rules)
  await redis.sadd(keys.eventIndex('rt'), ...SUBS.map((s) => `${s}/1`), `${SUBS[0]}/7`);
});
afterEach(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('lazy fan-out over the subscriber index', () => {
  it('tells every subscriber once, resumes after a crash mid-chunk, and stores the payload once', async () => {
    const store = new RedisBroadcasts(redis, keys);
    const log = new RedisNotificationLog(redis, keys);
    await store.put('rt', HASH, JSON.stringify({ text: 'Retarget: difficulty +3.1 %' }));
    await store.put('rt', HASH, 'a second put keeps the first');
    const told: string[] = [];
    let crashAfter = 250;
    const send = async (sub: string, payload: string): Promise<void> => {
      if (crashAfter-- === 0) throw new Error('notifier crashed');
      expect(JSON.parse(payload)).toEqual({ text: 'Retarget: difficulty +3.1 %' });
      told.push(sub);
    };
    const at = { series: 'rt', blockHash: HASH, count: 100 };
    let crashes = 0;
    let steps = 0;
    for (;;) {
      steps++;
      const r = await fanOutStep(store, log, at, send).catch(() => {
        crashes++;
        return 'crashed' as const;
      });
      if (r === 'crashed') continue;
      expect(r).not.toBeNull();
      if (r!.done) break;
      expect(steps).toBeLessThan(200);
    }
    expect(crashes).toBe(1);
    expect(told).toHaveLength(SUBS.length);
    expect(new Set(told)).toEqual(new Set(SUBS));
    expect(await redis.exists(keys.notification(broadcastKey(SUBS[3]!, 'rt', HASH)))).toBe(1);
    // A finished walk stays finished: another step sends nothing.
    expect(await fanOutStep(store, log, at, send)).toEqual({ sent: 0, duplicates: 0, done: true });
    expect(told).toHaveLength(SUBS.length);
    // Redis: the broadcast hash, the index and the log; no per-subscriber payload anywhere.
    expect(await redis.hget(keys.broadcast('rt', HASH), 'p')).toContain('difficulty');
    const payloadCopies = (await redis.keys(`${prefix}*`)).filter((k) => k !== keys.broadcast('rt', HASH));
    for (const k of payloadCopies.filter((k) => k.startsWith(`${prefix}n:`)).slice(0, 20))
      expect(await redis.get(k)).toBe('1');
  });

  it('a block without a stored broadcast has nothing to fan out', async () => {
    const r = await fanOutStep(
      new RedisBroadcasts(redis, keys),
      new RedisNotificationLog(redis, keys),
      { series: 'rt', blockHash: 'b'.repeat(64), count: 100 },
      async () => {
        throw new Error('nobody should be told');
      },
    );
    expect(r).toBeNull();
  });
});
