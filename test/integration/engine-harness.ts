/**
 * Shared set-up for the engine integration tests: a private Redis DB and key/queue prefixes per
 * test file, createApp with the recording notifier and the threshold judge, and clean-up.
 */
import { loadConfig } from '../../config/index.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis, type ChainableCommander } from 'ioredis';
import { encodeSubscription } from '../../src/store/codec.ts';
import type { EngineKeys } from '../../src/store/keys.ts';
import { Registry } from 'prom-client';
import { createApp, type App, type AppOverrides } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { EvaluateJobSchema, evaluateJobId } from '../../src/jobs/queues.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { ThresholdJudge } from '../fakes/memory-judge.ts';
import { RecordingNotifier } from '../fakes/memory-notifier.ts';
import { MemorySnapshotReader } from '../fakes/memory-snapshots.ts';
import { simplePlan } from '../fakes/memory-plan.ts';
import { TEST_REDIS_PORT } from '../support/redis.ts';

export interface Harness {
  app: App;
  redis: Redis;
  notifier: RecordingNotifier;
  snapshots: MemorySnapshotReader;
  prefix: string;
  /** The engine's metrics registry. */
  registry: Registry;
  /** Stores the snapshot and enqueues its evaluate job as the watcher would. */
  block(s: Snapshot): Promise<void>;
  close(): Promise<void>;
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Waits until the evaluate queue and the Telegram deliver queue have nothing waiting or running
 * (delayed jobs, e.g. digests and snooze releases, stay where they are).
 */
export function settle(h: Pick<Harness, 'app'>): Promise<void> {
  const drained = async (): Promise<boolean> => {
    const counts = await Promise.all([
      h.app.evaluateQueue.getJobCounts('wait', 'active', 'prioritized'),
      h.app.deliverQueues.telegram!.getJobCounts('wait', 'active', 'prioritized'),
    ]);
    return counts.every((c) => Object.values(c).every((n) => n === 0));
  };
  return waitFor(drained, 15_000, 'queues to drain');
}

export async function cleanPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

export async function startHarness(
  name: string,
  db: number,
  over: AppOverrides = {},
  port = TEST_REDIS_PORT,
): Promise<Harness> {
  const prefix = `hb-test-engine-${name}-${process.pid}`;
  const redis = new Redis({ port, db, maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // expected while a restart test has Redis down
  await cleanPrefix(redis, prefix);
  const notifier = new RecordingNotifier('telegram');
  const snapshots = new MemorySnapshotReader();
  const registry = new Registry();
  const app = await createApp(loadConfig({ ROLES: 'evaluator,notifier', LOG_LEVEL: 'silent' }), {
    redis,
    keyPrefix: `${prefix}:`,
    queuePrefix: prefix,
    logger: silentLogger(),
    judge: new ThresholdJudge(),
    plan: simplePlan,
    snapshots,
    notifiers: { telegram: notifier },
    tickEveryMs: 0,
    rateLimits: { telegram: { max: 10_000, durationMs: 1000 } },
    registry,
    ...over,
  });
  return {
    app,
    redis,
    notifier,
    snapshots,
    prefix,
    registry,
    async block(s) {
      snapshots.put(s);
      const data = EvaluateJobSchema.parse({ height: s.height, hash: s.hash, correction: s.correction });
      await app.evaluateQueue.add('evaluate', data, { jobId: evaluateJobId(s.hash), removeOnComplete: true });
    },
    async close() {
      await app.shutdown(5000);
      // a worker closed right after it started may still write its queue's meta keys
      await new Promise((r) => setTimeout(r, 200));
      await cleanPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** A TCP port nobody listens on right now (for a private redis-server). */
export { freePort } from '../../src/app/embedded-redis.ts';

/**
 * Starts a private redis-server (no RDB snapshots; append-only file in `dir` when given) and
 * resolves once it answers PING.
 */
export async function spawnRedisServer(port: number, dir?: string): Promise<ChildProcess> {
  const persistence = dir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--dir', dir];
  const server = spawn('redis-server', ['--port', String(port), '--save', '', ...persistence, '--bind', '127.0.0.1'], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  probe.on('error', () => undefined);
  try {
    await waitFor(async () => (await probe.ping().catch(() => '')) === 'PONG', 10_000, 'redis-server up');
  } finally {
    probe.disconnect();
  }
  return server;
}

/**
 * Starts `engine-crash-child.ts` (a notifier whose chat counts deliveries in Redis) on `db` under
 * `prefix`; resolves once it is ready. The caller SIGKILLs it and tracks it in `children`.
 */
export function startCrashChild(
  db: number,
  prefix: string,
  concurrency: number,
  children: ChildProcess[],
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/integration/engine-crash-child.ts', String(db), prefix, String(concurrency)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
}

/**
 * Seeds `count` active Telegram chat subscriptions `telegram-chat-<s>` (chat id s, UTC) straight
 * into the store's keys on `seed`; `each` adds what else a test needs per subscription.
 */
export function seedTelegramChats(
  seed: ChainableCommander,
  keys: EngineKeys,
  count: number,
  each?: (id: string) => void,
): void {
  for (let s = 0; s < count; s++) {
    const id = `telegram-chat-${s}`;
    seed.hset(
      keys.subscription(id),
      encodeSubscription({
        id,
        platform: 'telegram',
        targetType: 'chat',
        targetId: String(s),
        ownerId: String(s),
        timeZone: 'UTC',
        quiet: null,
        mutedUntilSec: null,
        active: true,
        createdSec: 0,
      }),
    );
    each?.(id);
  }
}
