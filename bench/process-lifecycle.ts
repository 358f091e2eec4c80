/**
 * The process lifecycle as an operator sees it, timed: a real all-in-one process (`node --import
 * tsx workers/all.ts`, console mode) on a private redis-server and the mempool.space stand-in
 * with 17,200 blocks — spawn → /livez answering, spawn → /readyz 200 (cold start synced), then a
 * burst of 3,000 deliveries and SIGTERM after 300: SIGTERM → exit, and the jobs left active
 * (must be 0). Usage: `npx tsx bench/process-lifecycle.ts`. Prints JSON lines.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { DELIVER_JOB_OPTS } from '../src/jobs/evaluate-processor.ts';
import { deliverJobId, deliverQueueName } from '../src/jobs/queues.ts';
import { CONSOLE_TARGET } from '../src/platforms/console/console-notifier.ts';
import { subscriptionId } from '../src/subscriptions/service.ts';
import { FakeChain } from '../test/fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../test/fakes/mempool-space.ts';
import { getJson, privateRedis, spawnHashbell, until } from '../test/support/hashbell-process.ts';

const out = (metric: string, value: number, unit: string): void => {
  process.stdout.write(`${JSON.stringify({ bench: 'process-lifecycle', metric, value, unit })}\n`);
};

const mempool = await FakeMempoolSpace.start({ chain: new FakeChain({ startHeight: 870_912, length: 17_200 }) });
const redis = await privateRedis();
const client = new Redis(redis.url, { maxRetriesPerRequest: null });
const queue = new Queue(deliverQueueName('console'), { connection: client as unknown as ConnectionOptions });
try {
  const t0 = Date.now();
  const p = spawnHashbell({
    entry: 'all',
    env: { REDIS_URL: redis.url, MEMPOOL_URL: mempool.url, MEMPOOL_MAX_RPS: '1000' },
  });
  const url = await p.httpUrl();
  await until('livez', async () => (await getJson(`${url}/livez`)).status === 200, 60_000);
  out('spawn_to_livez', Date.now() - t0, 'ms');
  await until('readyz', async () => (await getJson(`${url}/readyz`)).status === 200, 300_000);
  out('spawn_to_ready_14200_blocks', Date.now() - t0, 'ms');

  const subId = subscriptionId(CONSOLE_TARGET);
  const jobs = Array.from({ length: 3_000 }, (_, i) => {
    const height = 800_000 + i;
    const hash = `bench${i}`;
    const event = {
      rule: '1',
      kind: 'new-block',
      state: 'notice',
      height,
      time: 1_760_000_000 + i * 600,
      value: height,
      threshold: 0,
      text: `New block ${height}`,
      subscriptionId: subId,
      hash,
      details: { title: `New block ${height}`, unit: '', source: 'bench', dataAgeSec: 1, severity: 'info' },
    };
    return {
      name: 'deliver',
      data: { subscriptionId: subId, height, hash, digest: false, events: [event] },
      opts: { ...DELIVER_JOB_OPTS, removeOnComplete: false, jobId: deliverJobId(subId, hash, false) },
    };
  });
  for (let i = 0; i < jobs.length; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
  await until('300 delivered', () => p.stdout.filter((l) => l.startsWith('── hashbell · block')).length >= 300, 60_000);
  const t1 = Date.now();
  p.child.kill('SIGTERM');
  await p.exited;
  out('sigterm_to_exit_mid_burst', Date.now() - t1, 'ms');
  const counts = await queue.getJobCounts('active', 'completed');
  out('jobs_left_active', counts['active'] ?? -1, 'jobs');
  out('jobs_completed_before_exit', counts['completed'] ?? -1, 'jobs');
} finally {
  await queue.close();
  client.disconnect();
  await redis.stop();
  await mempool.close();
}
