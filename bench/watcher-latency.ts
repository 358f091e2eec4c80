/**
 * Watcher latency: time from a block frame leaving the mempool.space stand-in (so it includes the
 * loopback hop, parse, validation, snapshot, the chain-state MULTI) to its evaluate job being in
 * Redis, p50/p99 over N blocks, against the floor of a bare BullMQ `add` measured in the same run.
 * Goal: p99 ≤ 3× the floor's p99. Prints JSON lines {bench, metric, value, unit}.
 *
 *   npx tsx bench/watcher-latency.ts [blocks=1000]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { silentLogger } from '../src/observability/logger.ts';
import { createWatcherMetrics } from '../src/observability/metrics.ts';
import { RedisChainState } from '../src/store/chain-state.ts';
import { MempoolSource } from '../src/sources/mempool-space/source.ts';
import { startWatcher } from '../src/sources/watcher.ts';
import { evaluateJobId, type EvaluateJob } from '../src/jobs/queues.ts';
import { FakeChain } from '../test/fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../test/fakes/mempool-space.ts';
import { domainBuilderFactory } from '../src/sources/domain-builder.ts';

const N = Number(process.argv[2] ?? 1000);
const DB = 7;
const BENCH = 'watcher-latency';

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function emit(metric: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, metric, value: Number(value.toFixed(4)), unit })}\n`);
}

const id = randomUUID().slice(0, 8);
const redis = new Redis({ db: DB });
const conn = { host: '127.0.0.1', port: 6379, db: DB };

// Floor: a bare add of the same payload shape, sequential, fresh ids.
const floorQueue = new Queue(`hb-bench-floor-${id}`, { connection: conn });
const floor: number[] = [];
for (let i = 0; i < N + 50; i++) {
  const hash = randomUUID().replaceAll('-', '').padEnd(64, '0');
  const t0 = performance.now();
  await floorQueue.add('evaluate', { height: i, hash, correction: false }, { jobId: evaluateJobId(hash) });
  if (i >= 50) floor.push(performance.now() - t0); // first 50 warm up
}

// Watcher: one block frame at a time; the clock starts just before the frame is sent.
// The tip sits far enough in the past that the N + 50 mined blocks stay within the 2-hour future
// limit the consensus gate enforces (src/domain/consensus.ts).
const LENGTH = 17_200;
const startTimeSec = Math.floor(Date.now() / 1000) - (LENGTH + N + 200) * 600;
const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: LENGTH, startTimeSec }) });
const builder = domainBuilderFactory();
const state = new RedisChainState(redis, {
  prefix: `hb-bench-watch-${id}:`,
  keepBlocks: builder.requiredHistoryBlocks + 200,
});
const queue = new Queue(`hb-bench-watch-${id}`, { connection: conn });
const logger = silentLogger();
const metrics = createWatcherMetrics(new Registry());
const source = new MempoolSource({ baseUrl: fake.url, maxRps: 2000, logger, metrics });
let waiting: { hash: string; t0: number; resolve: (ms: number) => void } | null = null;
const watcher = await startWatcher({
  source,
  state,
  builder,
  logger,
  metrics,
  queue: {
    add: async (name: string, data: EvaluateJob, opts: { jobId: string }) => {
      const r = await queue.add(name, data, opts);
      if (waiting && waiting.hash === data.hash) waiting.resolve(performance.now() - waiting.t0);
      return r;
    },
  },
});
const tCold = performance.now();
while ((await state.getCursor())?.hash !== fake.chain.tip.id || fake.connectedClients === 0)
  await new Promise((r) => setTimeout(r, 20));
await watcher.idle();
const coldStartMs = performance.now() - tCold;

const lat: number[] = [];
for (let i = 0; i < N + 50; i++) {
  await watcher.idle(); // blocks are minutes apart: the previous one is fully done
  const ms = await new Promise<number>((resolve) => {
    // mine first (not timed), then start the clock and send the frame
    const [b] = fake.mine(1, { silent: true });
    waiting = { hash: b!.id, t0: performance.now(), resolve };
    fake.broadcastBlock(b!);
  });
  if (i >= 50) lat.push(ms);
}
await watcher.idle();

floor.sort((a, b) => a - b);
lat.sort((a, b) => a - b);
emit('blocks', N, 'count');
emit('floor_add_p50', pct(floor, 50), 'ms');
emit('floor_add_p99', pct(floor, 99), 'ms');
emit('frame_to_job_p50', pct(lat, 50), 'ms');
emit('frame_to_job_p99', pct(lat, 99), 'ms');
emit('ratio_p50', pct(lat, 50) / pct(floor, 50), 'x');
emit('ratio_p99', pct(lat, 99) / pct(floor, 99), 'x');
emit('builder_required_history', builder.requiredHistoryBlocks, 'blocks');
emit('cold_start', coldStartMs, 'ms');

await watcher.stop();
await fake.close();
for (const q of [floorQueue, queue]) {
  await q.obliterate({ force: true });
  await q.close();
}
await state.clear();
redis.disconnect();
