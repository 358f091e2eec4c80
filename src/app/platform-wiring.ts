/**
 * The parts createApp wires from the configuration: the charts (their own Redis connection,
 * history, service and rules lookup) and the chat platforms whose tokens are set (their notifiers
 * for the deliver workers, their bots for the bot role). Only createApp calls these. The charts'
 * connection fails fast: a picture is decoration and must not wait out a Redis restart like the
 * queues do. discord.js and telegraf are loaded only when their platform is configured.
 */
import type { Config } from '../../config/index.ts';
import type { Notifier } from '../alerting/ports.ts';
import type { Platform } from '../alerting/types.ts';
import { ChartService, RedisChartCache, RedisChartHistory } from '../charts/index.ts';
import type { ChartRenderer, ChartRules } from '../platforms/chart-picture.ts';
import type { DiscordGateOptions } from '../platforms/discord/command-gate.ts';
import type { CommandGateOptions } from '../platforms/telegram/command-gate.ts';
import { TELEGRAM_LIMITS, type TelegramLimits } from '../platforms/telegram/pacer.ts';
import { timelineSpec, type TimelineSpec, type TimelineStore } from '../platforms/send-timeline.ts';
import type { RedisClient } from '../store/connection.ts';
import { startCleanly } from '../platforms/start-cleanly.ts';
import { defaultIndexPlan } from '../store/index-plan.ts';
import type { EngineKeys } from '../store/keys.ts';
import { RedisSubscriptionStore } from '../store/redis-subscriptions.ts';
import { RedisPictureRefs } from '../store/redis-picture-refs.ts';
import { RedisAnnouncementChannels } from '../store/redis-announcement-channels.ts';
import type { PictureRefs } from '../platforms/picture-refs.ts';
import type { AnnouncementChannels } from '../platforms/discord/announcement-channels.ts';
import type { SubscriptionService } from '../subscriptions/service.ts';
import type { Logger } from '../observability/logger.ts';
import type { PlatformStarter } from './platform-start.ts';
import { companionConnection } from './redis-connections.ts';
import type { Closeable } from './shutdown.ts';

/** What the charts need, built once per process. */
export interface ChartWiring {
  readonly charts: ChartRenderer;
  readonly chartRules: ChartRules;
  readonly history: RedisChartHistory;
  readonly closeable: Closeable;
  /** Where each platform finds charts uploaded before: one upload per picture across processes. */
  readonly pictures: (platform: 'telegram' | 'discord') => PictureRefs;
  /** Discord announcement channels the bot has seen, for every notifier's crossposts. */
  readonly announcements: AnnouncementChannels;
}

/**
 * The charts' connection (beside `main`, same server and database), history, service and rules
 * lookup (`store.listRules`). `renderer` replaces the ChartService (tests: a stand-in picture).
 */
export function chartWiring(
  main: RedisClient,
  keys: EngineKeys,
  logger: Logger,
  renderer?: ChartRenderer,
): ChartWiring {
  const redis = companionConnection(main, 'charts');
  redis.on('error', (e) => logger.debug({ err: e }, 'charts redis connection error (charts skipped meanwhile)'));
  const history = new RedisChartHistory(redis, { key: keys.chartHistory() });
  const charts =
    renderer ??
    new ChartService({
      history,
      sharedCache: new RedisChartCache(redis, { prefix: keys.chartCachePrefix() }),
      logger: logger.child({ component: 'charts' }),
    });
  const store = new RedisSubscriptionStore(redis, { keys, plan: defaultIndexPlan });
  return {
    charts,
    history,
    chartRules: (sub) => store.listRules(sub.id),
    // Same fail-fast connection: a reference or a crosspost is an optimisation, never a wait.
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

/** The part of Config the chat platforms read. */
export type ChatConfig = Pick<
  Config,
  | 'telegramBotToken'
  | 'telegramApiRoot'
  | 'telegramWebhookUrl'
  | 'telegramWebhookPort'
  | 'discordToken'
  | 'discordApplicationId'
  | 'discordApiBase'
> &
  Partial<Pick<Config, 'telegramPaidBroadcast' | 'broadcastTelegramChat' | 'broadcastDiscordChannel'>>;

/** Knobs production leaves at their defaults (tests: fast pacing, no command budget). */
export interface ChatTuning {
  readonly telegram?: { readonly limits?: TelegramLimits; readonly gate?: CommandGateOptions };
  readonly discord?: { readonly restOffsetMs?: number; readonly gate?: DiscordGateOptions };
}

export interface ChatPlatforms {
  /** One notifier per configured platform, for the deliver queues and workers. */
  readonly notifiers: Partial<Record<Platform, Notifier>>;
  /** One bot per configured platform, started (with retries) by the bot role. */
  readonly bots: readonly PlatformStarter[];
}

export interface ChatDeps extends ChatTuning {
  readonly logger: Logger;
  readonly service: SubscriptionService;
  /** False while the app's Redis is unreachable: commands then get "temporarily unavailable". */
  readonly available: () => boolean;
  readonly charts?: { readonly charts: ChartRenderer; readonly chartRules: ChartRules };
  /** Shared upload references and announcement channels (ChartWiring); default: per process. */
  readonly shared?: Pick<ChartWiring, 'pictures' | 'announcements'>;
  /**
   * A platform's global send timeline shared by every notifier process (store/redis-send-slot.ts),
   * by name (`telegram`, `telegram-paid`, `discord`): the one authority for the global rate.
   */
  readonly sharedTimeline?: (name: string, spec: TimelineSpec) => TimelineStore;
}

/** Notifiers and bots of the platforms whose tokens are set; the bots share their notifier's pacing. */
export async function chatPlatforms(config: ChatConfig, d: ChatDeps): Promise<ChatPlatforms> {
  const notifiers: Partial<Record<Platform, Notifier>> = {};
  const bots: PlatformStarter[] = [];
  const { logger } = d;
  const charts = d.charts ?? {};
  const token = config.telegramBotToken;
  if (token !== undefined) {
    const tg = await import('../platforms/telegram/bot.ts');
    const apiRoot = config.telegramApiRoot;
    const limits = d.telegram?.limits;
    const paid = config.telegramPaidBroadcast === true;
    const perSec = tg.telegramPerSec(limits ?? TELEGRAM_LIMITS, paid);
    const sharedTimeline = d.sharedTimeline?.(paid ? 'telegram-paid' : 'telegram', timelineSpec(perSec));
    const notifier = tg.createTelegramNotifier({
      token,
      apiRoot,
      logger,
      ...charts,
      ...(limits ? { limits } : {}),
      ...(d.shared ? { pictures: d.shared.pictures('telegram') } : {}),
      paidBroadcast: config.telegramPaidBroadcast === true,
      ...(sharedTimeline ? { sharedTimeline } : {}),
    });
    const broadcastChat = config.broadcastTelegramChat;
    const webhookUrl = config.telegramWebhookUrl;
    notifiers.telegram = notifier;
    bots.push({
      name: 'telegram',
      tokenVariable: 'TELEGRAM_BOT_TOKEN',
      start: () =>
        startCleanly(
          tg.createTelegramBot({
            token,
            apiRoot,
            logger,
            service: d.service,
            notifier,
            ...charts,
            gate: { available: d.available, ...d.telegram?.gate },
            ...(broadcastChat !== undefined ? { broadcastChat } : {}),
            ...(webhookUrl !== undefined
              ? {
                  webhook: {
                    url: webhookUrl,
                    secretToken: tg.webhookSecretFor(token),
                    port: config.telegramWebhookPort,
                    host: '0.0.0.0',
                  },
                }
              : {}),
          }),
        ),
    });
  }
  const { discordToken, discordApplicationId, discordApiBase: apiBase } = config;
  if (discordToken !== undefined && discordApplicationId !== undefined) {
    const dc = await import('../platforms/discord/bot.ts');
    const restOffsetMs = d.discord?.restOffsetMs;
    const sharedTimeline = d.sharedTimeline?.('discord', timelineSpec(dc.DISCORD_GLOBAL_PER_SEC));
    const notifier = dc.createDiscordNotifier({
      token: discordToken,
      apiBase,
      logger,
      ...(sharedTimeline ? { sharedTimeline } : {}),
      ...charts,
      ...(restOffsetMs !== undefined ? { restOffsetMs } : {}),
      ...(d.shared ? { pictures: d.shared.pictures('discord'), announcements: d.shared.announcements } : {}),
    });
    const broadcastChannel = config.broadcastDiscordChannel;
    notifiers.discord = notifier;
    bots.push({
      name: 'discord',
      tokenVariable: 'DISCORD_TOKEN',
      start: () =>
        startCleanly(
          dc.createDiscordBot({
            token: discordToken,
            applicationId: discordApplicationId,
            apiBase,
            service: d.service,
            logger,
            notifier,
            ...charts,
            gate: { available: d.available, ...d.discord?.gate },
            ...(broadcastChannel !== undefined ? { broadcastChannel } : {}),
          }),
        ),
    });
  }
  return { notifiers, bots };
}
