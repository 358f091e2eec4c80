/**
 * The one composition root: `createApp(config, overrides)` builds everything a process runs for
 * its roles over one Redis — the store and subscription service, the charts, the chat platforms'
 * notifiers and bots, the evaluate and deliver workers, the chain watcher, their metrics and
 * readiness checks — and `shutdown(deadlineMs)` closes it all within a deadline. Production
 * (run-process.ts), the e2e harnesses and the benches all come through here; overrides only swap
 * an I/O dependency (a stand-in notifier, a short-history snapshot builder) or a tuning knob.
 * Nothing here reads the environment.
 */
import { Queue, Worker, type ConnectionOptions, type Job, type Processor } from 'bullmq';
import { Registry } from 'prom-client';
import type { Config } from '../../config/index.ts';
import { alertJudge } from '../alerting/engine.ts';
import type { Notifier } from '../alerting/ports.ts';
import type { Platform } from '../alerting/types.ts';
import { RedisChainState } from '../store/chain-state.ts';
import { defaultIndexPlan, type IndexPlan } from '../store/index-plan.ts';
import type { RedisClient } from '../store/connection.ts';
import { engineKeys, keyPrefixFor, queuePrefixFor } from '../store/keys.ts';
import { RedisFreshness } from '../store/redis-freshness.ts';
import { redisSendSlot } from '../store/redis-send-slot.ts';
import { RedisHeldEvents } from '../store/redis-held-events.ts';
import { RedisMigrationPointers } from '../store/migration-pointers.ts';
import { RedisNotificationLog } from '../store/redis-notification-log.ts';
import { RedisSubscriptionStore } from '../store/redis-subscriptions.ts';
import { chainHistory, chainSnapshotReader } from '../store/snapshot-reader.ts';
import { fixtureHistory, previewWith } from '../subscriptions/preview.ts';
import { SubscriptionUseCases, type UseCaseDeps } from '../subscriptions/use-cases.ts';
import { subscriptionId, type SubscriptionService } from '../subscriptions/service.ts';
import { ConsoleNotifier, CONSOLE_TARGET } from '../platforms/console/console-notifier.ts';
import type { ChartRenderer } from '../platforms/chart-picture.ts';
import { deliveryLimit } from './delivery-limits.ts';
import { deliverProcessor, type DeliverDeps } from '../jobs/deliver-processor.ts';
import { createEngineMetrics } from '../jobs/engine-metrics.ts';
import type { RuleJudge, SnapshotReader } from '../alerting/ports.ts';
import { evaluateProcessor, type EvaluateProcessorDeps } from '../jobs/evaluate-processor.ts';
import {
  FANOUT_CHUNK,
  FANOUT_MIN_RULES,
  QUEUE_NAMES,
  TICK_JOB_NAME,
  deliverQueueName,
  enqueueFanOut,
  enqueueRelease,
} from '../jobs/queues.ts';
import { RedisBroadcasts } from '../store/redis-broadcasts.ts';
import type { SnapshotBuilderFactory } from '../sources/snapshot-port.ts';
import type { HoldLimits } from '../sources/block-gate.ts';
import { registerQueueDepths } from '../observability/metrics.ts';
import {
  createFlowMetrics,
  observeDeliveries,
  observeEvaluations,
  registerChainGauges,
  registerStoreGauges,
} from './flow-metrics.ts';
import { Health } from './health.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { chartWiring, chatPlatforms, type ChatConfig, type ChatTuning } from './platform-wiring.ts';
import { startWithRetry } from './platform-start.ts';
import { connectRedis, logTransitions } from './redis-connections.ts';
import { closeInStages, releaseInFlight, type Closeable, type InFlight } from './shutdown.ts';
import { appWatcher } from './watcher-role.ts';

/** The part of Config the composition root reads. */
export type AppConfig = ChatConfig &
  Pick<Config, 'redisUrl' | 'roles' | 'logLevel' | 'mempoolUrl' | 'mempoolMaxRps' | 'bitcoinRpcUrl' | 'chainSource'> &
  Partial<Pick<Config, 'redisCluster'>>;

/** A part createApp started (the watcher, a chat bot) and how to stop it. */
export interface RoleHandle {
  stop(deadlineMs: number): Promise<void>;
}

export interface AppOverrides extends ChatTuning {
  /** The engine's connection (tests: a private database); default one to config.redisUrl. */
  readonly redis?: RedisClient;
  /** Store key prefix (tests isolate with it; hash-tagged on a Redis Cluster, see store/keys.ts). */
  readonly keyPrefix?: string;
  /** BullMQ key prefix (on a Redis Cluster each queue gets it as a hash tag with its name). */
  readonly queuePrefix?: string;
  readonly logger?: Logger;
  readonly judge?: RuleJudge;
  readonly plan?: IndexPlan;
  readonly snapshots?: SnapshotReader;
  /**
   * Notifiers by platform, replacing the one built from the configuration; console is always
   * added unless given.
   */
  readonly notifiers?: Partial<Record<Platform, Notifier>>;
  readonly preview?: UseCaseDeps['preview'];
  readonly nowSec?: () => number;
  readonly deliverConcurrency?: number;
  /** Messages per second per platform (the BullMQ limiter); defaults: DEFAULT_DELIVERY_LIMITS. */
  readonly rateLimits?: Partial<Record<Platform, { max: number; durationMs: number }>>;
  /** Lock/stall timing of every worker (tests shorten it so a killed worker's jobs return fast). */
  readonly workerTiming?: { lockDurationMs: number; stalledIntervalMs: number };
  /** The process's metrics registry, served on /metrics (default: a private one, app.registry). */
  readonly registry?: Registry;
  /** Slow-blocks tick period; 0 disables. */
  readonly tickEveryMs?: number;
  /**
   * Event series (retarget, new-block) with at least this many rules fan out lazily instead of one
   * deliver job per subscriber (alerting/fanout.ts); default FANOUT_MIN_RULES. Tests set 0.
   */
  readonly fanOutMin?: number;
  /** Recipients per fan-out job, per platform (default: about a second of its rate). */
  readonly fanOutChunk?: Partial<Record<Platform, number>>;
  /** Readiness checks of this process, served on /readyz: createApp adds one per part it runs. */
  readonly health?: Health;
  /** Chart pictures: default the ChartService over the chart history in Redis; null = text only. */
  readonly charts?: ChartRenderer | null;
  /** The watcher role's snapshot builder (default the domain's) and how long held blocks wait. */
  readonly watcher?: { readonly builder?: SnapshotBuilderFactory; readonly holdLimits?: Partial<HoldLimits> };
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
  /** Every metric of the process (engine, flow, watcher, queue depths, chain and store gauges). */
  readonly registry: Registry;
  /** The readiness checks of every part this app started. */
  readonly health: Health;
  shutdown(deadlineMs?: number): Promise<void>;
}

function connectionFor(redis: RedisClient): ConnectionOptions {
  return redis as unknown as ConnectionOptions;
}

export async function createApp(config: AppConfig, o: AppOverrides = {}): Promise<App> {
  const logger = o.logger ?? createLogger({ level: config.logLevel });
  const redis = o.redis ?? logTransitions(connectRedis(config, 'engine'), logger);
  const ownsRedis = o.redis === undefined;
  const keyPrefix = keyPrefixFor(o.keyPrefix ?? 'hb:', redis);
  const keys = engineKeys(keyPrefix);
  const registry = o.registry ?? new Registry();
  const health = o.health ?? new Health();
  const plan = o.plan ?? defaultIndexPlan;
  const judge = o.judge ?? alertJudge;
  const nowSec = o.nowSec ?? (() => Math.floor(Date.now() / 1000));
  // Renames leave a forward pointer, so deliver jobs queued under a moved id still arrive.
  const store = new RedisSubscriptionStore(redis, { keys, plan });
  const pointers = new RedisMigrationPointers(redis, keys, store);
  const nlog = new RedisNotificationLog(redis, keys);
  const held = new RedisHeldEvents(redis, keys);
  const freshness = new RedisFreshness(redis, keys);
  const chain = new RedisChainState(redis, { prefix: keys.prefix, keepBlocks: 0 });
  const broadcasts = new RedisBroadcasts(redis, keys);
  const snapshots = o.snapshots ?? chainSnapshotReader(chain);
  const service = new SubscriptionUseCases({
    store,
    latestSnapshot: () => snapshots.latest(),
    preview: o.preview ?? previewWith([chainHistory(redis, chain), fixtureHistory()]),
    // A rule woken early or a mute ended early: its held alerts are released then (deliver queue).
    release: async (sub, type, atSec) => {
      const queue = deliverQueues[sub.platform];
      if (queue !== undefined) await enqueueRelease(queue, type, sub.id, atSec ?? nowSec(), nowSec());
    },
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
  const charts = o.charts === null ? null : chartWiring(redis, keys, logger, o.charts);
  const chat = await chatPlatforms(config, {
    logger,
    service,
    // Commands answer "temporarily unavailable" at once while the app's Redis is not reachable.
    available: () => redis.status === 'ready',
    // Every notifier process of a bot token takes its global slots on one Redis timeline.
    sharedTimeline: (name, spec) => redisSendSlot(redis, keys.sendSlot(name), spec),
    ...(charts ? { charts: { charts: charts.charts, chartRules: charts.chartRules } } : {}),
    ...(charts ? { shared: charts } : {}),
    ...(o.telegram ? { telegram: o.telegram } : {}),
    ...(o.discord ? { discord: o.discord } : {}),
  });
  const notifiers: Partial<Record<Platform, Notifier>> = {
    console: new ConsoleNotifier(),
    ...chat.notifiers,
    ...o.notifiers,
  };
  const deliverQueues: Partial<Record<Platform, Queue>> = {};
  for (const p of Object.keys(notifiers) as Platform[])
    deliverQueues[p] = new Queue(deliverQueueName(p), queueOpts(deliverQueueName(p)));
  const evaluateQueue = new Queue(QUEUE_NAMES.evaluate, queueOpts(QUEUE_NAMES.evaluate));
  const workers: Worker[] = [];
  const handles: RoleHandle[] = [];
  const roles = new Set(config.roles);

  const metrics = createEngineMetrics(registry);
  const flow = createFlowMetrics(registry);
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
    held,
    freshness,
    log: logger.child({ role: 'evaluator' }),
    metrics,
    fanOutMin: o.fanOutMin ?? FANOUT_MIN_RULES,
  };
  const app: App = {
    redis,
    keyPrefix,
    logger,
    service,
    evaluateQueue,
    deliverQueues,
    workers,
    notifiers,
    registry,
    health,
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
            ...(charts ? [charts.closeable] : []),
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
    observeEvaluations(w, flow);
    health.set('evaluator', () => (w.isRunning() ? null : 'evaluate worker not running'));
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
        store,
        log: nlog,
        notifier,
        judge,
        held,
        pointers,
        freshness,
        nowSec,
        logger: logger.child({ role: 'notifier', platform }),
        ...(metrics ? { metrics } : {}),
        schedule: (type, subId, releaseAtSec) => enqueueRelease(queue, type, subId, releaseAtSec, nowSec()),
        fanOut: {
          broadcasts,
          enqueue: (job, delayMs) => enqueueFanOut(queue, job, delayMs),
          onMainChain: async (height, hash) => {
            const on = await chain.hashAt(height);
            return on === null ? null : on === hash;
          },
          chunk: o.fanOutChunk?.[platform] ?? FANOUT_CHUNK[platform],
        },
        migrate: async (sub, newTargetId) => {
          await service.migrate(
            { platform: sub.platform, targetType: sub.targetType, targetId: sub.targetId, userId: sub.ownerId },
            newTargetId,
          );
          return store.get(subscriptionId({ ...sub, targetId: newTargetId }));
        },
      };
      const limit = o.rateLimits?.[platform] ?? deliveryLimit(platform, config);
      const worker: Worker = addWorker(
        queue.name,
        deliverProcessor(deps, () => worker),
        {
          ...workerOpts(queue.name),
          concurrency: o.deliverConcurrency ?? 8,
          limiter: { max: limit.max, duration: limit.durationMs },
        },
      );
      observeDeliveries(worker, platform, flow);
      health.set(`notifier-${platform}`, () => (worker.isRunning() ? null : `${platform} deliver worker not running`));
    }
  }
  for (const w of workers) w.on('error', (e) => logger.error({ err: e, worker: w.name }, 'worker error'));

  if (roles.has('watcher')) {
    handles.push(
      await appWatcher(config, {
        redis,
        keyPrefix,
        evaluateQueue,
        logger: logger.child({ role: 'watcher' }),
        registry,
        health,
        ...(charts ? { history: charts.history } : {}),
        ...o.watcher,
      }),
    );
  }
  if (roles.has('bot')) {
    if (config.telegramBotToken === undefined && config.discordToken === undefined) {
      const { created } = await service.start(CONSOLE_TARGET, nowSec());
      if (created) logger.info('no chat token set: alerts go to the console for one default subscription');
    }
    // Each platform connects in the background and retries: one failing never holds up or ends
    // the others (/readyz says which is not connected, and why).
    for (const bot of chat.bots) handles.push(startWithRetry(bot, { health, logger }));
  }
  // The roles with checks per part (per platform) replace their start-up placeholders.
  health.delete('notifier');
  health.delete('bot');
  registerQueueDepths(registry, [evaluateQueue, ...Object.values(deliverQueues).filter((q) => q !== undefined)]);
  registerChainGauges(registry, redis, keyPrefix);
  if (roles.has('evaluator')) registerStoreGauges(registry, redis, keyPrefix);
  return app;
}
