/**
 * Crash safety of delivery: a deliver worker in a child process is SIGKILLed in the middle of a
 * burst of 10,000 messages and restarted. Every message must arrive (zero lost) and at most the
 * worker's concurrency may arrive twice (those in flight when it died). Real Redis (DB 5), real
 * BullMQ, the real processors; only the chat is a counter.
 */
import type { ChildProcess } from 'node:child_process';
import { Queue, type ConnectionOptions } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { engineKeys } from '../../src/store/keys.ts';
import { DELIVER_JOB_OPTS } from '../../src/jobs/evaluate-processor.ts';
import { deliverJobId, deliverQueueName } from '../../src/jobs/queues.ts';
import { cleanPrefix, seedTelegramChats, startCrashChild, waitFor } from './engine-harness.ts';
import { testRedis } from '../support/redis.ts';

const DB = 5;
const N = 10_000;
const SUBS = 500;
const CONCURRENCY = 16;
const prefix = `hb-test-engine-crash-${process.pid}`;
const redis = testRedis(DB, { maxRetriesPerRequest: null });
const children: ChildProcess[] = [];

const startChild = (): Promise<ChildProcess> => startCrashChild(DB, prefix, CONCURRENCY, children);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('deliver worker killed mid-burst', () => {
  it('loses nothing and duplicates at most its concurrency', async () => {
    await cleanPrefix(redis, prefix);
    const keys = engineKeys(`${prefix}:`);
    const seed = redis.pipeline();
    seedTelegramChats(seed, keys, SUBS);
    await seed.exec();
    const queue = new Queue(deliverQueueName('telegram'), {
      connection: redis as unknown as ConnectionOptions,
      prefix,
    });
    const jobs = Array.from({ length: N }, (_, i) => {
      const data = {
        subscriptionId: `telegram-chat-${i % SUBS}`,
        height: 1000 + Math.floor(i / SUBS),
        hash: `h${Math.floor(i / SUBS)}`,
        digest: false,
        events: [{ rule: '1', kind: 'new-block' }],
      };
      return {
        name: 'deliver',
        data,
        opts: { ...DELIVER_JOB_OPTS, jobId: deliverJobId(data.subscriptionId, data.hash, false) },
      };
    });
    for (let i = 0; i < N; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));

    const first = await startChild();
    await waitFor(async () => (await redis.hlen(`${prefix}:delivered`)) >= N / 3, 60_000, 'a third delivered');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await redis.hlen(`${prefix}:delivered`);
    expect(atKill).toBeLessThan(N);

    await startChild();
    await waitFor(
      async () =>
        (await redis.hlen(`${prefix}:delivered`)) === N &&
        (await queue.getJobCounts('wait', 'active', 'delayed')).wait === 0,
      90_000,
      'all delivered',
    );
    await waitFor(
      async () => Object.values(await queue.getJobCounts('wait', 'active', 'delayed')).every((n) => n === 0),
      30_000,
      'queue drained',
    );
    const counts = Object.values(await redis.hgetall(`${prefix}:delivered`)).map(Number);
    const duplicates = counts.reduce((a, c) => a + (c - 1), 0);
    expect(counts).toHaveLength(N); // zero lost
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    expect(await queue.getFailedCount()).toBe(0);
    await queue.close();
  }, 150_000);
});
