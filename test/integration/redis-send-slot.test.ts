/**
 * The shared send timeline in Redis (src/store/redis-send-slot.ts, the Lua twin of
 * platforms/send-timeline.ts): gates on different connections (as in different notifier
 * processes) hold ONE limit together — at most perWindow requests arrive in any window, however
 * long each takes to be answered — and a slot never confirmed stops holding the window after
 * pendingMaxMs. While the connection is down it gives way (null) at once instead of queueing.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { sendGate, timelineSpec, type TimelineSpec } from '../../src/platforms/send-timeline.ts';
import { redisSendSlot } from '../../src/store/redis-send-slot.ts';
import { testRedis } from '../support/redis.ts';

const a = testRedis(5);
const b = testRedis(5);
const key = (name: string): string => `hb-test-send-slot-${process.pid}-${name}`;

afterAll(async () => {
  const keys = await a.keys(`hb-test-send-slot-${process.pid}-*`);
  if (keys.length > 0) await a.del(...keys);
  a.disconnect();
  b.disconnect();
});

/** The most times inside any half-open window of `windowMs`. */
function densest(times: number[], windowMs: number): number {
  const t = [...times].sort((x, y) => x - y);
  let best = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('shared send timeline (Redis)', () => {
  it('two connections racing, requests answered after varying delays: at most perWindow arrive in any window', async () => {
    // 20 per 250 ms: the same rule as 20/s, four times shorter, so the test takes about a second.
    const spec: TimelineSpec = { ...timelineSpec(80), perWindow: 20, windowMs: 250 };
    const k = key('race');
    const gates = [sendGate(spec, redisSendSlot(a, k, spec)), sendGate(spec, redisSendSlot(b, k, spec))];
    const arrived: number[] = [];
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        gates[i % 2]!.run(async () => {
          // The request reaches the platform somewhere in its round trip (up to 30 ms here).
          await sleep((i * 7) % 15);
          arrived.push(Date.now());
          await sleep((i * 11) % 15);
        }),
      ),
    );
    expect(arrived).toHaveLength(90);
    // Redis and this process read the same host clock.
    expect(densest(arrived, spec.windowMs)).toBeLessThanOrEqual(spec.perWindow);
    expect(Number(await a.pttl(k))).toBeGreaterThan(0); // the timeline expires when idle
  });

  it('a slot booked and never confirmed (its process died) holds the window until pendingMaxMs after it', async () => {
    const spec: TimelineSpec = { ...timelineSpec(10), perWindow: 1, windowMs: 50, pendingMaxMs: 400 };
    const k = key('pending');
    const store = redisSendSlot(a, k, spec);
    const bookedAt = Date.now(); // no later than Redis booked it
    const dead = await store.take();
    expect(dead).toMatchObject({ waitMs: expect.any(Number) });
    let sentAt = 0;
    await sendGate(spec, redisSendSlot(b, k, spec)).run(async () => void (sentAt = Date.now()));
    expect(sentAt - bookedAt).toBeGreaterThanOrEqual(spec.pendingMaxMs + spec.windowMs - 5);
  });

  it('a confirmed slot frees the window for the next one', async () => {
    const spec: TimelineSpec = { ...timelineSpec(10), perWindow: 1, windowMs: 50, pendingMaxMs: 60_000 };
    const k = key('confirm');
    const gate = sendGate(spec, redisSendSlot(a, k, spec));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) await gate.run(async () => void times.push(Date.now()));
    expect(times).toHaveLength(3);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(2 * spec.windowMs - 2);
  });

  it('gives way at once while the connection is down (the caller paces alone)', async () => {
    // Nothing listens on port 1: the client keeps reconnecting, as during an outage.
    const c = new Redis({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: null, retryStrategy: () => 200 });
    c.on('error', () => undefined);
    while (c.status !== 'reconnecting') await sleep(10);
    const store = redisSendSlot(c, key('down'), timelineSpec(30));
    expect(await store.take()).toBeNull();
    await store.confirm('0:0'); // does not wait for the reconnect either
    c.disconnect();
  });
});
