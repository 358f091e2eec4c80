/**
 * The watcher is SIGKILLed (a child process) at random moments while blocks arrive, blocks keep
 * coming while it is dead, and it is restarted against a private redis-server with AOF: it must
 * resume from its cursor with no gap, no duplicate job and the same snapshots as an unbroken run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { RedisChainState } from '../../src/store/chain-state.ts';
import type { EvaluateJob } from '../../src/jobs/queues.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { comparable, toBlock, waitFor } from './watcher-harness.ts';

const HISTORY = 40;
let redisProc: ChildProcess;
let port = 0;
let dir = '';
let redis: Redis;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return p;
}

beforeAll(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'hb-watch-redis-'));
  redisProc = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: 'ignore' });
  redis = new Redis({ port, lazyConnect: true, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  await waitFor('redis-server', async () => redis.connect().then(() => true, () => false));
});

afterAll(async () => {
  redis?.disconnect();
  redisProc?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function startChild(cfg: object): { proc: ChildProcess; lines: string[] } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'watcher-child.ts'), JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    const cfg = { redisPort: port, mempoolUrl: fake.url, prefix: 'hb-test-watch-restart:', queueName: 'hb-test-watch-restart', history: HISTORY };
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
        const expected = ref.push(toBlock(b), { nowSec: 0, price, source: 'mempool', correction: false });
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
});
