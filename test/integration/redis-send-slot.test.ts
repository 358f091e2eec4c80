/**
 * The shared send timeline (src/store/redis-send-slot.ts): takers on different connections (as
 * in different notifier processes) get slots at least one interval apart on Redis' clock, so
 * however they race, N sends span at least (N − 1) intervals; and nobody is starved.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { redisSendSlot, sendSlotIntervalMs } from '../../src/store/redis-send-slot.ts';
import { testRedis } from '../support/redis.ts';

const a = testRedis(5);
const b = testRedis(5);
const key = `hb-test-send-slot-${process.pid}`;

afterAll(async () => {
  await a.del(key);
  a.disconnect();
  b.disconnect();
});

describe('shared send timeline', () => {
  it('spaces 40 racing sends from two connections at least one interval apart', async () => {
    const perSec = 100;
    const slots = [redisSendSlot(a, key, perSec), redisSendSlot(b, key, perSec)];
    const granted: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const wait = await slots[i % 2]!.take();
        expect(wait).toBeGreaterThanOrEqual(0);
        granted.push(Date.now() + wait);
      }),
    );
    expect(granted).toHaveLength(40);
    // Redis and this process share the host clock: 40 slots cannot fit in less than 39 intervals.
    expect(Math.max(...granted) - t0).toBeGreaterThanOrEqual(39 * sendSlotIntervalMs(perSec) - 2);
    expect(Number(await a.pttl(key))).toBeGreaterThan(0); // the timeline expires when idle
  });
});
