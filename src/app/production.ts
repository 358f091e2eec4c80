/**
 * Production defaults for createApp: one logger, the chat platforms whose tokens are set (their
 * notifiers for the deliver workers, their bots for the bot role) with charts, and the chain
 * watcher (mempool.space or Bitcoin Core, CHAIN_SOURCE), each adding its readiness check to the
 * process's /readyz. With no chat token, createApp's console subscription takes over.
 *
 * Charts: the watcher appends every committed snapshot to RedisChartHistory (one sorted set all
 * processes share), and the notifiers and bots draw from it through one ChartService per process
 * with a shared Redis cache, so a thousand subscribers alerted on one block cost one rendering.
 * Charts get their own Redis connection with few retries: a picture is decoration and must fail
 * fast rather than wait out a Redis restart like the queues do.
 */
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { Config } from '../../config/index.ts';
import type { Notifier } from '../alerting/ports.ts';
import type { Platform } from '../alerting/types.ts';
import { ChartService, RedisChartCache, RedisChartHistory } from '../charts/index.ts';
import type { ChartRules } from '../platforms/chart-picture.ts';
import { createDiscordBot, createDiscordNotifier } from '../platforms/discord/bot.ts';
import { PAID_BROADCAST_PER_SEC, telegramPlatform } from '../platforms/telegram/bot.ts';
import { RedisPictureRefs, type PictureRefs } from '../platforms/picture-refs.ts';
import { RedisAnnouncementChannels, type AnnouncementChannels } from '../platforms/discord/announcement-channels.ts';
import { domainBuilderFactory } from '../sources/domain-builder.ts';
import { startWatcherRole } from '../sources/watcher-role.ts';
import { defaultIndexPlan } from '../store/index-plan.ts';
import { engineKeys } from '../store/keys.ts';
import { RedisSubscriptionStore } from '../store/redis-subscriptions.ts';
import type { App, AppOverrides, RoleHandle } from './create-app.ts';
import { Health } from './health.ts';
import { redisCheck } from './http.ts';
import { createLogger, type Logger } from './logger.ts';
import { startWithRetry, type PlatformStarter } from './platform-start.ts';
import type { Closeable } from './shutdown.ts';
import { startCleanly } from '../platforms/start-cleanly.ts';

/** Key prefix production uses for the engine's and the chain's keys (createApp's default). */
const KEY_PREFIX = 'hb:';

/** What the charts need, built once per process. */
export interface ChartWiring {
  readonly charts: ChartService;
  readonly chartRules: ChartRules;
  /** Where each platform finds charts uploaded before (one upload per picture across processes). */
  readonly pictures: (platform: 'telegram' | 'discord') => PictureRefs;
  /** Discord announcement channels seen by the bot, for every notifier (crossposts; same fail-fast Redis). */
  readonly announcements: AnnouncementChannels;
  readonly history: RedisChartHistory;
  readonly closeable: Closeable;
}

/** The charts' Redis connection, history, service and rules lookup (`store.listRules`). */
export function chartWiring(redisUrl: string, logger: Logger, keyPrefix = KEY_PREFIX): ChartWiring {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', (e) => logger.debug({ err: e }, 'charts redis connection error (charts skipped meanwhile)'));
  const keys = engineKeys(keyPrefix);
  const history = new RedisChartHistory(redis, { key: keys.chartHistory() });
  const charts = new ChartService({
    history,
    sharedCache: new RedisChartCache(redis, { prefix: keys.chartCachePrefix() }),
    logger: logger.child({ component: 'charts' }),
  });
  const store = new RedisSubscriptionStore(redis, { keys, plan: defaultIndexPlan });
  return {
    charts,
    history,
    chartRules: (sub) => store.listRules(sub.id),
    pictures: (platform) => new RedisPictureRefs(redis, keys, platform),
    announcements: new RedisAnnouncementChannels(redis, keys),
    closeable: {
      name: 'charts-redis',
      close: async (force) => {
        if (force || redis.status === 'wait' || redis.status === 'end') redis.disconnect();
        else await redis.quit();
      },
    },
  };
}

/** What the process entry point already built and every part shares. */
export interface ProcessContext {
  readonly logger: Logger;
  /** One registry per process: /metrics shows the watcher's, the engine's and process figures. */
  readonly registry: Registry;
  /** Readiness checks; each role adds its own. */
  readonly health: Health;
}

/**
 * The watcher role for createApp: the source, chain state and evaluate jobs of startWatcherRole
 * (its own HTTP server off: the process serves /readyz and /metrics), and a readiness check that
 * says plainly when the chain source, not Redis, is what cannot be reached.
 */
function watcherRole(
  config: Config,
  ctx: ProcessContext,
  history: RedisChartHistory,
): (app: App) => Promise<RoleHandle> {
  return async (app) => {
    const log = app.logger.child({ role: 'watcher' });
    const role = await startWatcherRole({
      mempoolUrl: config.mempoolUrl,
      mempoolMaxRps: config.mempoolMaxRps,
      bitcoinRpcUrl: config.bitcoinRpcUrl,
      primary: config.chainSource,
      redis: app.redis,
      keyPrefix: KEY_PREFIX,
      evaluateQueue: app.evaluateQueue,
      otherQueues: Object.values(app.deliverQueues).filter((q): q is Queue => q !== undefined),
      builder: domainBuilderFactory(),
      logger: log,
      httpPort: null,
      registry: ctx.registry,
      history,
    });
    const sourceUrl = config.chainSource === 'bitcoind' ? 'the Bitcoin Core node (BITCOIN_RPC_URL)' : config.mempoolUrl;
    const redisUp = redisCheck(app.redis);
    let hinted = false;
    const check = async (): Promise<string | null> => {
      const why = role.watcher.notLiveReason();
      if (why === null || why === 'initial sync in progress') return why;
      if ((await redisUp()) !== null) return why;
      const line = `chain source ${sourceUrl} unreachable (${why})`;
      if (!hinted && why.startsWith('sync failing')) {
        hinted = true;
        log.warn(`${line}; hashbell keeps retrying. No network? \`npm run demo\` shows what hashbell does, offline`);
      }
      return line;
    };
    ctx.health.set('watcher', check);
    // Say it in the log too, not only on /readyz: a first run offline must be told what is wrong.
    const nudge = setInterval(() => void check().catch(() => undefined), 15_000);
    nudge.unref();
    return {
      stop: async (deadlineMs) => {
        clearInterval(nudge);
        await role.stop(deadlineMs);
      },
    };
  };
}

export async function productionOverrides(config: Config, given?: ProcessContext): Promise<AppOverrides> {
  const ctx: ProcessContext = given ?? {
    logger: createLogger({ level: config.logLevel }),
    registry: new Registry(),
    health: new Health(),
  };
  const { logger, registry, health } = ctx;
  const { charts, chartRules, history, closeable, pictures, announcements } = chartWiring(config.redisUrl, logger);
  const notifiers: Partial<Record<Platform, Notifier>> = {};
  const bots: PlatformStarter[] = [];
  if (config.telegramBotToken !== undefined) {
    const tg = telegramPlatform({
      token: config.telegramBotToken,
      apiRoot: config.telegramApiRoot,
      logger,
      charts,
      chartRules,
      pictures: pictures('telegram'),
      paidBroadcast: config.telegramPaidBroadcast,
      ...(config.broadcastTelegramChat !== undefined ? { broadcastChat: config.broadcastTelegramChat } : {}),
      ...(config.telegramWebhookUrl !== undefined
        ? { webhookUrl: config.telegramWebhookUrl, webhookPort: config.telegramWebhookPort }
        : {}),
    });
    notifiers.telegram = tg.notifier;
    // Commands answer "temporarily unavailable" at once while the app's Redis is not reachable.
    bots.push({
      name: 'telegram',
      tokenVariable: 'TELEGRAM_BOT_TOKEN',
      start: () => tg.startBot(appOf().service, { available: () => appOf().redis.status === 'ready' }),
    });
  }
  const { discordToken, discordApplicationId } = config;
  if (discordToken !== undefined && discordApplicationId !== undefined) {
    const notifier = createDiscordNotifier({
      token: discordToken,
      apiBase: config.discordApiBase,
      logger,
      charts,
      chartRules,
      pictures: pictures('discord'),
      announcements,
    });
    notifiers.discord = notifier;
    bots.push({
      name: 'discord',
      tokenVariable: 'DISCORD_TOKEN',
      start: () =>
        startCleanly(
          createDiscordBot({
            token: discordToken,
            applicationId: discordApplicationId,
            apiBase: config.discordApiBase,
            service: appOf().service,
            logger,
            notifier,
            charts,
            chartRules,
            gate: { available: () => appOf().redis.status === 'ready' },
            ...(config.broadcastDiscordChannel !== undefined
              ? { broadcastChannel: config.broadcastDiscordChannel }
              : {}),
          }),
        ),
    });
  }
  let started: App | null = null;
  const appOf = (): App => {
    if (started === null) throw new Error('bot started before the app');
    return started;
  };
  return {
    logger,
    notifiers,
    registry,
    health,
    startWatcher: watcherRole(config, ctx, history),
    // Each platform connects in the background and retries: one failing never holds up or ends
    // the others (/readyz says which is not connected, and why).
    startBots: async (app) => {
      started = app;
      return bots.map((b) => startWithRetry(b, { health, logger }));
    },
    closeables: [closeable],
    // Paid broadcast lifts Telegram's global 30/s to 1,000/s: the shared limiter follows.
    ...(config.telegramPaidBroadcast
      ? { rateLimits: { telegram: { max: PAID_BROADCAST_PER_SEC, durationMs: 1000 } } }
      : {}),
  };
}
