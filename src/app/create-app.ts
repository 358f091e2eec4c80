/**
 * The one composition root: `createApp(config, overrides)` wires the roles this process runs
 * (watcher, evaluator, notifier, bot) over one Redis, and `shutdown(deadlineMs)` closes workers,
 * queues and connections within a deadline. Every I/O dependency can be overridden (tests,
 * benches, replay); nothing here reads the environment.
 */
import { Queue, Worker, type ConnectionOptions, type Job, type Processor } from 'bullmq';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/index.ts';
import { alertJudge } from '../alerting/engine.ts';
import type { Notifier } from '../alerting/ports.ts';
import type { Platform } from '../alerting/types.ts';
import { RedisChainState } from '../store/chain-state.ts';
import { defaultIndexPlan, type IndexPlan } from '../store/index-plan.ts';
import { openRedis, type RedisClient } from '../store/connection.ts';
import { engineKeys, keyPrefixFor, queuePrefixFor } from '../store/keys.ts';
import { RedisNotificationLog } from '../store/redis-notification-log.ts';
import { RedisSubscriptionStore } from '../store/redis-subscriptions.ts';
import { chainHistory, chainSnapshotReader } from '../store/snapshot-reader.ts';
import { fixtureHistory, previewWith } from '../subscriptions/preview.ts';
import { SubscriptionUseCases, type UseCaseDeps } from '../subscriptions/use-cases.ts';
import { subscriptionId, type SubscriptionService } from '../subscriptions/service.ts';
import { ConsoleNotifier, CONSOLE_TARGET } from '../platforms/console/console-notifier.ts';
import { TELEGRAM_LIMITS } from '../platforms/telegram/pacer.ts';
import { deliverProcessor, type DeliverDeps } from '../jobs/deliver-processor.ts';
import { withMigrationPointers } from '../jobs/migration-pointer.ts';
import { createEngineMetrics } from '../jobs/engine-metrics.ts';
import type { RuleJudge, SnapshotReader } from '../jobs/engine-ports.ts';
import { DELIVER_JOB_OPTS, evaluateProcessor, type EvaluateProcessorDeps } from '../jobs/evaluate-processor.ts';
import { DIGEST_JOB_NAME, QUEUE_NAMES, TICK_JOB_NAME, deliverQueueName, digestJobId } from '../jobs/queues.ts';
import { createFlowMetrics, observeDeliveries, observeEvaluations } from './flow-metrics.ts';
import type { Health } from './health.ts';
import { createLogger, type Logger } from './logger.ts';
import { closeInStages, releaseInFlight, type Closeable, type InFlight } from './shutdown.ts';

/** The part of Config the composition root reads. */
export type AppConfig = Pick<Config, 'redisUrl' | 'roles' | 'telegramBotToken' | 'discordToken' | 'logLevel'> &
  Partial<Pick<Config, 'redisCluster'>>;

/** A role started by a plug-in (watcher, chat bots) and how to stop it. */
export interface RoleHandle {
  stop(deadlineMs: number): Promise<void>;
}

export interface AppOverrides {
  readonly redis?: RedisClient;
  /** Store key prefix (tests isolate with it; hash-tagged on a cluster). */
  readonly keyPrefix?: string;
  /** BullMQ key prefix (on a cluster each queue gets it as a hash tag with its name). */
  readonly queuePrefix?: string;
  readonly logger?: Logger;
  readonly judge?: RuleJudge;
  readonly plan?: IndexPlan;
  readonly snapshots?: SnapshotReader;
  /** Notifiers by platform; console is always added unless given. */
  readonly notifiers?: Partial<Record<Platform, Notifier>>;
  readonly preview?: UseCaseDeps['preview'];
  readonly nowSec?: () => number;
  readonly deliverConcurrency?: number;
  /** Messages per second per platform (the BullMQ limiter); defaults: DEFAULT_DELIVERY_LIMITS. */
  readonly rateLimits?: Partial<Record<Platform, { max: number; durationMs: number }>>;
  /** Lock/stall timing of every worker (tests shorten it so a killed worker's jobs return fast). */
  readonly workerTiming?: { lockDurationMs: number; stalledIntervalMs: number };
  /** Registry for the engine's metrics (production shares the watcher's /metrics registry). */
  readonly registry?: Registry;
  /** Slow-blocks tick period; 0 disables. */
  readonly tickEveryMs?: number;
  /** Starts the watcher role (chain source → chain state → evaluate jobs). */
  readonly startWatcher?: (app: App) => Promise<RoleHandle>;
  /** Starts chat bots (Telegram/Discord) for the bot role. */
  readonly startBots?: (app: App) => Promise<RoleHandle[]>;
  /** More connections the overrides opened (e.g. the charts' Redis), closed last on shutdown. */
  readonly closeables?: readonly Closeable[];
  /** Readiness checks of this process: createApp adds one per worker it runs. */
  readonly health?: Health;
}

export interface App {
  readonly redis: RedisClient;
  /** The engine's and the chain's key prefix on this connection (hash-tagged on a cluster). */
  readonly keyPrefix: string;
  readonly logger: Logger;
  readonly service: SubscriptionService;
  readonly evaluateQueue: Queue;
  readonly deliverQueues: Partial<Record<Platform, Queue>>;
  readonly workers: Worker[];
  readonly notifiers: Partial<Record<Platform, Notifier>>;
  shutdown(deadlineMs?: number): Promise<void>;
}

/**
 * The BullMQ limiter for `perSec` messages a second, shared by every notifier process: ONE job
 * per window of just over 1000/perSec ms (Telegram 34 ms, Discord 21 ms). BullMQ's windows are
 * fixed, each opened by the job that finds none: `perSec` per 1000 ms would let a window's jobs
 * crowd its end and the next window's its start — up to twice the limit inside one second, and
 * with several notifier processes that is what happened (47 requests in a second against 30,
 * test/integration/scale-out.test.ts). One job per window spaces job starts evenly, so any
 * second holds at most `perSec`; the ms rounded up is the margin for processing jitter
 * (Telegram 29.4/s = 0.98 of 30, Discord 47.6/s = 0.95 of 50).
 */
export function spacedLimit(perSec: number): { max: number; durationMs: number } {
  return { max: 1, durationMs: Math.floor(1000 / perSec) + 1 };
}

/**
 * Who paces and who retries delivery — the one place this is decided:
 * - Pacing, layer 1 (this limiter, BullMQ, shared by every notifier process through Redis): at
 *   most the platform's own global limit, Telegram 30 messages/s and Discord 50 requests/s, in
 *   ANY second however many notifier processes run (spacedLimit). It is set at the limit, not
 *   well below: a lower cap here would cap end-to-end throughput below what the platform allows
 *   (25/30 = 0.83 before).
 * - Pacing, layer 2 (the notifier, per process): the finer limits only it knows — Telegram's
 *   1/s per chat and 20/min per group (TelegramPacer), Discord's per-route buckets and global
 *   50/s (discord.js REST). A platform's 429 pauses this queue for its `retry_after`
 *   (worker.rateLimit in deliver-processor.ts), so a burst costs a delay, never a message. One
 *   chat's own limit never pauses it: that chat's message alone goes to the delayed set
 *   (DeliveryError scope 'chat' → job.moveToDelayed) while the worker serves other chats.
 * - Retrying: BullMQ alone (DELIVER_JOB_OPTS attempts + exponential backoff). The notifiers do
 *   not retry (discord.js REST `retries: 0`; telegraf calls are single-shot); deliver-processor
 *   classifies each failure once: retryable → throw, permanent → deactivate, rate-limited → pause.
 */
export const DEFAULT_DELIVERY_LIMITS: Readonly<Record<Platform, { max: number; durationMs: number }>> = {
  telegram: spacedLimit(TELEGRAM_LIMITS.globalPerSec),
  // Discord's global 50/s (DISCORD_GLOBAL_PER_SEC in platforms/discord/bot.ts, not imported here
  // so createApp does not load discord.js; a test keeps the two equal).
  discord: spacedLimit(50),
  console: { max: 1000, durationMs: 1000 },
};

function connectionFor(redis: RedisClient): ConnectionOptions {
  return redis as unknown as ConnectionOptions;
}

export async function createApp(config: AppConfig, o: AppOverrides = {}): Promise<App> {
  const logger = o.logger ?? createLogger({ level: config.logLevel });
  // Workers block on Redis; maxRetriesPerRequest null lets commands wait out a Redis restart.
  const redis = o.redis ?? openRedis(config, { maxRetriesPerRequest: null });
  const ownsRedis = o.redis === undefined;
  if (ownsRedis) {
    // Log the transitions, not every reconnect attempt (ioredis retries every few hundred ms).
    let down = false;
    redis.on('error', (e) => {
      if (down) return;
      down = true;
      logger.warn({ error: e.message }, 'redis connection lost; retrying (/readyz reports it)');
    });
    redis.on('ready', () => {
      if (!down) return;
      down = false;
      logger.info('redis connection back');
    });
  }
  const keys = engineKeys(keyPrefixFor(o.keyPrefix ?? 'hb:', redis));
  const plan = o.plan ?? defaultIndexPlan;
  const judge = o.judge ?? alertJudge;
  const nowSec = o.nowSec ?? (() => Math.floor(Date.now() / 1000));
  // Renames leave a forward pointer, so deliver jobs queued under a moved id still arrive.
  const store = withMigrationPointers(new RedisSubscriptionStore(redis, { keys, plan }), redis, keys);
  const nlog = new RedisNotificationLog(redis, keys);
  const chain = new RedisChainState(redis, { prefix: keys.prefix, keepBlocks: 0 });
  const snapshots = o.snapshots ?? chainSnapshotReader(chain);
  const service = new SubscriptionUseCases({
    store,
    latestSnapshot: () => snapshots.latest(),
    preview: o.preview ?? previewWith([chainHistory(redis, chain), fixtureHistory()]),
  });
  const queueOpts = (name: string) => {
    const prefix = queuePrefixFor(name, o.queuePrefix, redis);
    return { connection: connectionFor(redis), ...(prefix ? { prefix } : {}) };
  };
  const workerOpts = (name: string) => ({
    ...queueOpts(name),
    ...(o.workerTiming
      ? { lockDuration: o.workerTiming.lockDurationMs, stalledInterval: o.workerTiming.stalledIntervalMs }
      : {}),
  });
  const notifiers: Partial<Record<Platform, Notifier>> = { console: new ConsoleNotifier(), ...o.notifiers };
  const deliverQueues: Partial<Record<Platform, Queue>> = {};
  for (const p of Object.keys(notifiers) as Platform[])
    deliverQueues[p] = new Queue(deliverQueueName(p), queueOpts(deliverQueueName(p)));
  const evaluateQueue = new Queue(QUEUE_NAMES.evaluate, queueOpts(QUEUE_NAMES.evaluate));
  const workers: Worker[] = [];
  const handles: RoleHandle[] = [];
  const roles = new Set(config.roles);

  const metrics = o.registry ? createEngineMetrics(o.registry) : undefined;
  const flow = o.registry ? createFlowMetrics(o.registry) : undefined;
  /** Jobs each worker is processing, so a shutdown past its deadline can hand them back. */
  const inFlight = new Map<Worker, InFlight>();
  const tracked =
    (p: Processor, jobs: InFlight): Processor =>
    async (job: Job, token?: string) => {
      if (token !== undefined && job.id !== undefined) jobs.set(job.id, { job, token });
      try {
        return await p(job, token);
      } finally {
        if (job.id !== undefined) jobs.delete(job.id);
      }
    };
  const addWorker = (name: string, p: Processor, opts: ConstructorParameters<typeof Worker>[2]): Worker => {
    const jobs: InFlight = new Map();
    const w = new Worker(name, tracked(p, jobs), opts);
    inFlight.set(w, jobs);
    workers.push(w);
    return w;
  };
  const evalDeps: EvaluateProcessorDeps = {
    redis,
    keys,
    plan,
    judge,
    snapshots,
    deliverQueues,
    nowSec,
    log: logger.child({ role: 'evaluator' }),
    ...(metrics ? { metrics } : {}),
  };
  const app: App = {
    redis,
    keyPrefix: keys.prefix,
    logger,
    service,
    evaluateQueue,
    deliverQueues,
    workers,
    notifiers,
    async shutdown(deadlineMs = 10_000) {
      const asCloseable = (name: string, close: (force: boolean) => Promise<void>): Closeable => ({ name, close });
      const late = await closeInStages(
        [
          handles.map((h, i) => asCloseable(`role-${i}`, () => h.stop(deadlineMs))),
          // Past the deadline, jobs still running go back to wait at once (lock released), so no
          // other worker has to wait out a stalled lock for them.
          workers.map((w) =>
            asCloseable(`worker-${w.name}`, async (force) => {
              if (!force) return w.close();
              const released = await releaseInFlight(inFlight.get(w) ?? new Map());
              if (released > 0)
                logger.warn(
                  { worker: w.name, released },
                  'jobs still running at the deadline were handed back to the queue',
                );
              await w.close(true);
            }),
          ),
          [evaluateQueue, ...Object.values(deliverQueues)].map((q) => asCloseable(`queue-${q.name}`, () => q.close())),
          [
            ...(ownsRedis
              ? [
                  asCloseable('redis', async (force) => {
                    if (force) redis.disconnect();
                    else await redis.quit();
                  }),
                ]
              : []),
            ...(o.closeables ?? []),
          ],
        ],
        deadlineMs,
        logger,
      );
      if (late.length > 0) logger.warn({ late }, 'shutdown finished with forced closes');
    },
  };

  if (roles.has('evaluator')) {
    // One evaluation at a time across every evaluator process: two blocks (or a block and a
    // tick) judging the same rule concurrently could both fire it.
    await evaluateQueue.setGlobalConcurrency(1);
    const w = addWorker(QUEUE_NAMES.evaluate, evaluateProcessor(evalDeps), {
      ...workerOpts(QUEUE_NAMES.evaluate),
      concurrency: 1,
    });
    if (flow) observeEvaluations(w, flow);
    o.health?.set('evaluator', () => (w.isRunning() ? null : 'evaluate worker not running'));
    const tickEvery = o.tickEveryMs ?? 60_000;
    if (tickEvery > 0) {
      await evaluateQueue.upsertJobScheduler(
        'slow-blocks',
        { every: tickEvery },
        { name: TICK_JOB_NAME, opts: { removeOnComplete: true, removeOnFail: 100 } },
      );
    }
  }

  if (roles.has('notifier')) {
    for (const [platform, notifier] of Object.entries(notifiers) as Array<[Platform, Notifier]>) {
      const queue = deliverQueues[platform] as Queue;
      const deps: DeliverDeps = {
        redis,
        keys,
        store,
        log: nlog,
        notifier,
        judge,
        nowSec,
        logger: logger.child({ role: 'notifier', platform }),
        ...(metrics ? { metrics } : {}),
        scheduleDigest: async (subId, releaseAtSec) => {
          await queue.add(
            DIGEST_JOB_NAME,
            { subscriptionId: subId, releaseAtSec },
            {
              ...DELIVER_JOB_OPTS,
              jobId: digestJobId(subId, releaseAtSec),
              delay: Math.max(0, releaseAtSec - nowSec()) * 1000,
            },
          );
        },
        migrate: async (sub, newTargetId) => {
          await service.migrate(
            { platform: sub.platform, targetType: sub.targetType, targetId: sub.targetId, userId: sub.ownerId },
            newTargetId,
          );
          return store.get(subscriptionId({ ...sub, targetId: newTargetId }));
        },
      };
      const limit = o.rateLimits?.[platform] ?? DEFAULT_DELIVERY_LIMITS[platform];
      let worker: Worker | undefined;
      worker = addWorker(
        queue.name,
        deliverProcessor(deps, () => worker),
        {
          ...workerOpts(queue.name),
          concurrency: o.deliverConcurrency ?? 8,
          limiter: { max: limit.max, duration: limit.durationMs },
        },
      );
      if (flow) observeDeliveries(worker, platform, flow);
      const w = worker;
      o.health?.set(`notifier-${platform}`, () => (w.isRunning() ? null : `${platform} deliver worker not running`));
    }
  }
  for (const w of workers) w.on('error', (e) => logger.error({ err: e, worker: w.name }, 'worker error'));

  if (roles.has('watcher') && o.startWatcher) handles.push(await o.startWatcher(app));
  if (roles.has('bot')) {
    if (config.telegramBotToken === undefined && config.discordToken === undefined) {
      const { created } = await service.start(CONSOLE_TARGET, nowSec());
      if (created) logger.info('no chat token set: alerts go to the console for one default subscription');
    }
    if (o.startBots) handles.push(...(await o.startBots(app)));
  }
  return app;
}
