/**
 * Crash safety of a fan-out (issue 14 item 2): a notifier in a child process walking one stored
 * notice over 2,000 subscribers is SIGKILLed twice mid-walk and restarted. Every subscriber must
 * be told (zero lost) and at most the message in flight at each kill may go out twice (the walk
 * sends one recipient at a time and records it right after). Real Redis (DB 5), real BullMQ and
 * processors (engine-crash-child.ts); only the chat is a counter.
 */
import type { ChildProcess } from 'node:child_process';
import { Queue, type ConnectionOptions } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { noticeOf } from '../../src/alerting/fanout.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisBroadcasts } from '../../src/store/redis-broadcasts.ts';
import { deliverQueueName, enqueueFanOut } from '../../src/jobs/queues.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { cleanPrefix, seedTelegramChats, startCrashChild, waitFor } from './engine-harness.ts';
import { testRedis } from '../support/redis.ts';

const DB = 5;
const SUBS = 2000;
const prefix = `hb-test-fanout-crash-${process.pid}`;
const redis = testRedis(DB, { maxRetriesPerRequest: null });
const children: ChildProcess[] = [];

const startChild = (): Promise<ChildProcess> => startCrashChild(DB, prefix, 8, children);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

const delivered = () => redis.hlen(`${prefix}:delivered`);

async function killAt(child: ChildProcess, count: number): Promise<void> {
  await waitFor(async () => (await delivered()) >= count, 60_000, `${count} told`);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describe('a notifier killed mid fan-out', () => {
  it('resumes where the walk stopped: nobody lost, at most the one in flight told twice per kill', async () => {
    await cleanPrefix(redis, prefix);
    const keys = engineKeys(`${prefix}:`);
    const seed = redis.pipeline();
    seedTelegramChats(seed, keys, SUBS, (id) => seed.zadd(keys.eventIndex('nb'), 0, `${id}/1`));
    await seed.exec();
    const snap = makeSnapshot({ height: 900_200, dropPct: 0 });
    const at = { series: 'nb', height: snap.height, hash: snap.hash, platform: 'telegram' };
    const store = new RedisBroadcasts(redis, keys);
    await store.put(at, JSON.stringify(noticeOf('nb', snap, snap.timeSec)));
    await store.progress(at, null, []);
    const queue = new Queue(deliverQueueName('telegram'), {
      connection: redis as unknown as ConnectionOptions,
      prefix,
    });
    await enqueueFanOut(queue, { series: 'nb', height: snap.height, hash: snap.hash, chunk: 0 });

    await killAt(await startChild(), SUBS / 4);
    await killAt(await startChild(), SUBS / 2);
    expect(await delivered()).toBeLessThan(SUBS);
    await startChild();
    await waitFor(async () => (await delivered()) === SUBS, 90_000, 'all told');
    await waitFor(
      async () => Object.values(await queue.getJobCounts('wait', 'active', 'delayed')).every((n) => n === 0),
      30_000,
      'walk finished',
    );
    const counts = Object.values(await redis.hgetall(`${prefix}:delivered`)).map(Number);
    expect(counts).toHaveLength(SUBS); // zero lost
    expect(counts.reduce((a, c) => a + (c - 1), 0)).toBeLessThanOrEqual(2);
    expect(await queue.getFailedCount()).toBe(0);
    // Nothing per recipient stays behind: the walk's record and no settled set.
    expect(await redis.exists(keys.broadcastSent('nb', `${snap.height}:telegram`))).toBe(0);
    expect(await redis.hget(keys.broadcast('nb', `${snap.height}:telegram`), 'd')).toBe('1');
    await queue.close();
  }, 180_000);
});
