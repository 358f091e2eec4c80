/**
 * The watcher is SIGKILLed (a child process) at random moments while blocks arrive, blocks keep
 * coming while it is dead, and it is restarted against a private redis-server with AOF: it must
 * resume from its cursor with no gap, no duplicate job and the same snapshots as an unbroken run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/observability/logger.ts';
import { createWatcherMetrics } from '../../src/observability/metrics.ts';
import { MempoolSource } from '../../src/sources/mempool-space/source.ts';
import { startWatcher } from '../../src/sources/watcher.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import type { EvaluateJob } from '../../src/jobs/queues.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { comparable, toBlock, waitFor } from './watcher-harness.ts';
import { freePort } from '../../src/app/embedded-redis.ts';

const HISTORY = 40;
let redisProc: ChildProcess;
let port = 0;
let dir = '';
let redis: Redis;

async function startRedis(): Promise<void> {
  redisProc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'yes', '--dir', dir], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  await waitFor('redis-server', async () =>
    probe.connect().then(
      () => true,
      () => false,
    ),
  );
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  const exited = new Promise((r) => redisProc.once('exit', r));
  redisProc.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'hb-watch-redis-'));
  await startRedis();
  redis = new Redis({ port, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
});

afterAll(async () => {
  redis?.disconnect();
  redisProc?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function startChild(cfg: object): { proc: ChildProcess; lines: string[] } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'watcher-child.ts'), JSON.stringify(cfg)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  return { proc, lines };
}

async function kill(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;
}

describe('watcher killed and restarted', () => {
  it('resumes from the cursor: no gaps, no duplicates, same snapshots', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 80 }) });
    const cfg = {
      redisPort: port,
      mempoolUrl: fake.url,
      prefix: 'hb-test-watch-restart:',
      queueName: 'hb-test-watch-restart',
      history: HISTORY,
      nowSec: Math.floor(Date.now() / 1000),
    };
    const state = new RedisChainState(redis, { prefix: cfg.prefix, keepBlocks: HISTORY + 120 });
    const queue = new Queue(cfg.queueName, { connection: { port } });
    const tip0 = fake.chain.tip.height;
    try {
      for (let round = 0; round < 4; round++) {
        const child = startChild(cfg);
        await waitFor('child caught up', async () => (await state.getCursor())?.hash === fake.chain.tip.id, 20_000);
        await waitFor('child connected', () => fake.connectedClients > 0);
        for (let i = 0; i < 6; i++) {
          fake.mine(1);
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 25));
        }
        if (round === 2) fake.reorg(2, 1); // a reorg racing the kill
        await new Promise((r) => setTimeout(r, Math.random() * 10));
        await kill(child.proc);
        fake.mine(3, { silent: true }); // blocks while we are dead
      }
      const last = startChild(cfg);
      await waitFor('final catch-up', async () => (await state.getCursor())?.hash === fake.chain.tip.id, 20_000);
      await new Promise((r) => setTimeout(r, 200));
      await kill(last.proc);

      const jobs = (await queue.getJobs(['waiting'])).map((j) => j.data as EvaluateJob);
      const mainJobs = jobs.filter((j) => fake.chain.at(j.height)?.id === j.hash);
      const heights = mainJobs.map((j) => j.height).sort((a, b) => a - b);
      const tip = fake.chain.tip.height;
      expect(heights).toEqual(Array.from({ length: tip - tip0 + 1 }, (_, i) => tip0 + i));
      expect(new Set(jobs.map((j) => j.hash)).size).toBe(jobs.length);
      expect(await state.pendingJobs()).toEqual([]);
      const builder = testBuilderFactory(HISTORY);
      const ref = builder.create();
      const price = fake.pricePoint;
      for (let x = tip0 - HISTORY + 1; x <= tip; x++) {
        const b = fake.chain.at(x)!;
        const expected = ref.push(toBlock(b), { nowSec: cfg.nowSec, price, source: 'mempool', correction: false });
        if (x < tip0) continue;
        const stored = await state.getSnapshot(b.id);
        expect(stored, `snapshot at ${x}`).not.toBeNull();
        expect({ ...comparable(stored!), correction: false }).toEqual(comparable(expected));
      }
    } finally {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await state.clear();
      await fake.close();
    }
  }, 90_000);

  it('Redis killed and restarted under a running watcher: retries, then no gap and no duplicate', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 80 }) });
    const prefix = 'hb-test-watch-redis-outage:';
    const wredis = new Redis({ port, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    wredis.on('error', () => undefined);
    const state = new RedisChainState(wredis, { prefix, keepBlocks: HISTORY + 120 });
    const queue = new Queue('hb-test-watch-redis-outage', {
      connection: { port, maxRetriesPerRequest: 1, retryStrategy: () => 50 },
    });
    queue.on('error', () => undefined);
    const logger = silentLogger();
    const metrics = createWatcherMetrics(new Registry());
    const source = new MempoolSource({
      baseUrl: fake.url,
      maxRps: 100,
      logger,
      metrics,
      wsBackoff: { baseMs: 20, capMs: 100 },
      restBackoff: { baseMs: 20, capMs: 100 },
    });
    const watcher = await startWatcher({
      source,
      priceSource: source,
      state,
      queue,
      builder: testBuilderFactory(HISTORY),
      logger,
      metrics,
      retryBackoff: { baseMs: 50, capMs: 200 },
    });
    const tip0 = fake.chain.tip.height;
    try {
      await waitFor('caught up', async () => (await state.getCursor())?.hash === fake.chain.tip.id, 20_000);
      fake.mine(2);
      await waitFor('two more', async () => (await state.getCursor())?.hash === fake.chain.tip.id);
      await stopRedis();
      fake.mine(3);
      await waitFor('failing', () => watcher.notLiveReason()?.startsWith('sync failing') === true);
      await startRedis();
      fake.mine(1);
      await waitFor(
        'recovered',
        async () => (await state.getCursor().catch(() => null))?.hash === fake.chain.tip.id,
        20_000,
      );
      await watcher.idle();
      const jobs = (await queue.getJobs(['waiting'])).map((j) => j.data as EvaluateJob);
      expect(jobs.map((j) => j.height).sort((a, b) => a - b)).toEqual(
        Array.from({ length: fake.chain.tip.height - tip0 + 1 }, (_, i) => tip0 + i),
      );
      expect(new Set(jobs.map((j) => j.hash)).size).toBe(jobs.length);
      await waitFor('live again', () => watcher.isLive());
    } finally {
      await watcher.stop();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await state.clear();
      wredis.disconnect();
      await fake.close();
    }
  }, 60_000);
});
