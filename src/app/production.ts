/**
 * Production defaults for createApp: one logger, the chat platforms whose tokens are set (their
 * notifiers for the deliver workers, their bots for the bot role) with charts, and the chain
 * watcher (mempool.space or Bitcoin Core, CHAIN_SOURCE) with /healthz and /metrics. With no chat
 * token, createApp's console subscription takes over.
 *
 * Charts: the watcher appends every committed snapshot to RedisChartHistory (one sorted set all
 * processes share), and the notifiers and bots draw from it through one ChartService per process
 * with a shared Redis cache, so a thousand subscribers alerted on one block cost one rendering.
 * Charts get their own Redis connection with few retries: a picture is decoration and must fail
 * fast rather than wait out a Redis restart like the queues do.
 */
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Config } from '../../config/index.ts';
import type { Notifier } from '../alerting/ports.ts';
import type { Platform } from '../alerting/types.ts';
import { ChartService, RedisChartCache, RedisChartHistory } from '../charts/index.ts';
import type { ChartRules } from '../platforms/chart-picture.ts';
import { createDiscordBot, createDiscordNotifier } from '../platforms/discord/bot.ts';
import { telegramPlatform } from '../platforms/telegram/bot.ts';
import { appWatcherRole } from '../sources/watcher-role.ts';
import { defaultIndexPlan } from '../store/index-plan.ts';
import { engineKeys } from '../store/keys.ts';
import { RedisSubscriptionStore } from '../store/redis-subscriptions.ts';
import type { App, AppOverrides, RoleHandle } from './create-app.ts';
import { createLogger, type Logger } from './logger.ts';
import type { Closeable } from './shutdown.ts';

/** Key prefix production uses for the engine's and the chain's keys (createApp's default). */
const KEY_PREFIX = 'hb:';

/** What the charts need, built once per process. */
export interface ChartWiring {
  readonly charts: ChartService;
  readonly chartRules: ChartRules;
  readonly history: RedisChartHistory;
  readonly closeable: Closeable;
}

/** The charts' Redis connection, history, service and rules lookup (`store.listRules`). */
export function chartWiring(redisUrl: string, logger: Logger, keyPrefix = KEY_PREFIX): ChartWiring {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', (e) => logger.debug({ err: e }, 'charts redis connection error (charts skipped meanwhile)'));
  const keys = engineKeys(keyPrefix);
  const history = new RedisChartHistory(redis, { key: keys.chartHistory() });
  const charts = new ChartService({ history, sharedCache: new RedisChartCache(redis, { prefix: keys.chartCachePrefix() }), logger: logger.child({ component: 'charts' }) });
  const store = new RedisSubscriptionStore(redis, { keys, plan: defaultIndexPlan });
  return {
    charts, history,
    chartRules: (sub) => store.listRules(sub.id),
    closeable: {
      name: 'charts-redis',
      close: async (force) => {
        if (force || redis.status === 'wait' || redis.status === 'end') redis.disconnect();
        else await redis.quit();
      },
    },
  };
}

export async function productionOverrides(config: Config): Promise<AppOverrides> {
  const logger = createLogger({ level: config.logLevel });
  // One registry: the watcher's /metrics shows the engine's figures too.
  const registry = new Registry();
  const { charts, chartRules, history, closeable } = chartWiring(config.redisUrl, logger);
  const notifiers: Partial<Record<Platform, Notifier>> = {};
  const bots: Array<(app: App) => Promise<RoleHandle>> = [];
  if (config.telegramBotToken !== undefined) {
    const tg = telegramPlatform({
      token: config.telegramBotToken, apiRoot: config.telegramApiRoot, logger, charts, chartRules,
      ...(config.telegramWebhookUrl !== undefined ? { webhookUrl: config.telegramWebhookUrl } : {}),
    });
    notifiers.telegram = tg.notifier;
    // Commands answer "temporarily unavailable" at once while the app's Redis is not reachable.
    bots.push((app) => tg.startBot(app.service, { available: () => app.redis.status === 'ready' }));
  }
  const { discordToken, discordApplicationId } = config;
  if (discordToken !== undefined && discordApplicationId !== undefined) {
    const notifier = createDiscordNotifier({ token: discordToken, apiBase: config.discordApiBase, logger, charts, chartRules });
    notifiers.discord = notifier;
    bots.push(async (app) => {
      const bot = createDiscordBot({
        token: discordToken, applicationId: discordApplicationId, apiBase: config.discordApiBase, service: app.service, logger, notifier, charts, chartRules,
        gate: { available: () => app.redis.status === 'ready' },
      });
      await bot.start();
      return { stop: () => bot.stop() };
    });
  }
  return {
    logger,
    notifiers,
    registry,
    startWatcher: appWatcherRole(config, { registry, history }),
    startBots: async (app) => Promise.all(bots.map((start) => start(app))),
    closeables: [closeable],
  };
}
