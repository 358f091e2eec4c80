/**
 * A watcher process for the kill-and-restart test: started with `node --import tsx`, config as one
 * JSON argument, one JSON line per snapshot on stdout. The test SIGKILLs it mid-stream.
 */
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { silentLogger } from '../../src/observability/logger.ts';
import { createWatcherMetrics } from '../../src/observability/metrics.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { MempoolSource } from '../../src/sources/mempool-space/source.ts';
import { startWatcher } from '../../src/sources/watcher.ts';
import { testBuilderFactory } from './watcher-builder.ts';

interface ChildConfig {
  redisPort: number;
  mempoolUrl: string;
  prefix: string;
  queueName: string;
  history: number;
  nowSec: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const redis = new Redis({ port: cfg.redisPort, maxRetriesPerRequest: 3 });
const builder = testBuilderFactory(cfg.history);
const state = new RedisChainState(redis, { prefix: cfg.prefix, keepBlocks: builder.requiredHistoryBlocks + 120 });
const queue = new Queue(cfg.queueName, { connection: { port: cfg.redisPort } });
const logger = silentLogger();
const metrics = createWatcherMetrics(new Registry());
const source = new MempoolSource({
  baseUrl: cfg.mempoolUrl,
  maxRps: 100,
  logger,
  metrics,
  wsBackoff: { baseMs: 20, capMs: 100 },
  restBackoff: { baseMs: 20, capMs: 100 },
});
await startWatcher({
  source,
  priceSource: source,
  state,
  builder,
  logger,
  metrics,
  queue,
  retryBackoff: { baseMs: 20, capMs: 100 },
  now: () => cfg.nowSec * 1000,
  onSnapshot: (s) =>
    process.stdout.write(`${JSON.stringify({ height: s.height, hash: s.hash, correction: s.correction })}\n`),
});
