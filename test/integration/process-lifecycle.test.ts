/**
 * Issue 15 §3/§5 (lifecycle, hostile): the real process, started as operators start it, is
 * stopped in the middle of a burst of 3,000 deliveries — SIGTERM to `npm start` (the wrapper),
 * SIGTERM to the whole process group (npm forwards a second one), and SIGTERM then SIGINT to
 * node itself. Each time the process must exit on its own within the shutdown deadline, leave no
 * job active in BullMQ (nothing for another worker to wait on), lose nothing (every job either
 * delivered or still waiting), and a notifier started afterwards delivers the rest.
 */
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DELIVER_JOB_OPTS } from '../../src/jobs/evaluate-processor.ts';
import { deliverJobId, deliverQueueName } from '../../src/jobs/queues.ts';
import { CONSOLE_TARGET } from '../../src/platforms/console/console-notifier.ts';
import { subscriptionId } from '../../src/subscriptions/service.ts';
import { SHUTDOWN_DEADLINE_MS } from '../../src/app/run-process.ts';
import {
  privateRedis,
  spawnHashbell,
  until,
  type HashbellProcess,
  type PrivateRedis,
} from '../support/hashbell-process.ts';

const N = 3_000;
const FIRST_HEIGHT = 800_000;
const BLOCK_LINE = /── hashbell · block (\d+) ──/;

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function world(): Promise<{ redis: PrivateRedis; client: Redis; queue: Queue }> {
  const redis = await privateRedis();
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(deliverQueueName('console'), { connection: client as unknown as ConnectionOptions });
  cleanup.push(async () => {
    await queue.close();
    client.disconnect();
    await redis.stop();
  });
  return { redis, client, queue };
}

function start(entry: 'all' | 'npm' | 'notifier', redisUrl: string): HashbellProcess {
  const p = spawnHashbell({ entry, env: { REDIS_URL: redisUrl, ROLES: 'evaluator,notifier,bot' } });
  cleanup.push(() => p.kill());
  return p;
}

/** N deliver jobs for the console subscription, one per (made-up) block. */
async function burst(queue: Queue): Promise<void> {
  const subId = subscriptionId(CONSOLE_TARGET);
  const jobs = Array.from({ length: N }, (_, i) => {
    const height = FIRST_HEIGHT + i;
    const hash = `burst${i}`;
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
      details: { title: `New block ${height}`, unit: '', source: 'test', dataAgeSec: 1, severity: 'info' },
    };
    return {
      name: 'deliver',
      data: { subscriptionId: subId, height, hash, digest: false, events: [event] },
      opts: { ...DELIVER_JOB_OPTS, removeOnComplete: false, jobId: deliverJobId(subId, hash, false) },
    };
  });
  for (let i = 0; i < N; i += 500) await queue.addBulk(jobs.slice(i, i + 500));
}

const printed = (p: HashbellProcess): number[] =>
  p.stdout
    .map((l) => BLOCK_LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));

/** Exits by itself within the deadline (plus start-up slack), or the test fails. */
async function exitsInTime(p: HashbellProcess): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((r) => {
    timer = setTimeout(() => r('still running'), SHUTDOWN_DEADLINE_MS + 8_000);
  });
  const out = await Promise.race([p.exited, timeout]);
  clearTimeout(timer);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopMidBurst(
  entry: 'all' | 'npm',
  signal: (p: HashbellProcess, nodePid: number) => void,
): Promise<void> {
  const { redis, queue } = await world();
  const p = start(entry, redis.url);
  const started = await p.waitForLog((l) => l.msg === 'hashbell started', 60_000);
  const nodePid = Number(started.pid);
  await burst(queue);
  await until('a part of the burst delivered', () => printed(p).length >= 300, 60_000);
  signal(p, nodePid);

  expect(await exitsInTime(p)).not.toBe('still running');
  expect(alive(nodePid)).toBe(false); // no orphan left sending
  expect(p.logs.some((l) => l.msg === 'stopped')).toBe(true);

  const raw = await queue.getJobCounts('active', 'wait', 'paused', 'prioritized', 'delayed', 'completed', 'failed');
  const counts = { active: 0, wait: 0, paused: 0, prioritized: 0, delayed: 0, completed: 0, failed: 0, ...raw };
  expect(counts.active).toBe(0);
  expect(counts.failed).toBe(0);
  const first = printed(p);
  expect(counts.completed).toBe(first.length); // every completed job was printed once
  expect(counts.completed).toBeLessThan(N); // stopped mid-burst
  expect(counts.completed + counts.wait + counts.paused + counts.prioritized + counts.delayed).toBe(N); // nothing lost

  // The rest goes out with the next notifier.
  const next = start('notifier', redis.url);
  await until('the rest delivered', async () => (await queue.getJobCounts('completed')).completed === N, 60_000);
  const all = [...first, ...printed(next)];
  expect(new Set(all).size).toBe(N);
  expect(all.length).toBe(N); // none twice
  next.child.kill('SIGTERM');
  expect(await exitsInTime(next)).toBe(0);
}

describe('stopping the real process during a burst of deliveries', () => {
  it('SIGTERM to `npm start` (the wrapper) reaches node: bounded exit, nothing active, nothing lost', async () => {
    await stopMidBurst('npm', (p) => p.child.kill('SIGTERM'));
  }, 120_000);

  it('SIGTERM to the whole process group (npm forwards a second one): same', async () => {
    await stopMidBurst('npm', (p) => process.kill(-(p.child.pid as number), 'SIGTERM'));
  }, 120_000);

  it('SIGTERM then SIGINT to node itself: the second signal does not cut the drain short', async () => {
    await stopMidBurst('all', (p) => {
      p.child.kill('SIGTERM');
      setTimeout(() => p.child.kill('SIGINT'), 20);
    });
  }, 120_000);
});
