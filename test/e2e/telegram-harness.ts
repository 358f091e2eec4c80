/**
 * The Telegram end-to-end world: the Bot API stand-in, real Redis (DB 8, prefix hb-test-tg-*),
 * the real engine (createApp with its defaults: alertJudge, the real index plan, snapshots read
 * from the Redis chain state that `block`/`tip` write as the watcher does; evaluate + deliver
 * through BullMQ) and the real telegraf bot built
 * with createTelegramBot exactly as production wires it — notifier first, bot on app.service.
 */
import { Redis } from 'ioredis';
import { createApp, type App } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createTelegramBot, createTelegramNotifier, type TelegramBot } from '../../src/platforms/telegram/bot.ts';
import type { TelegramLimits } from '../../src/platforms/telegram/pacer.ts';
import type { CommandGateOptions } from '../../src/platforms/telegram/command-gate.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { RedisPictureRefs } from '../../src/platforms/picture-refs.ts';
import { defaultIndexPlan } from '../../src/store/index-plan.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { subscriptionId } from '../../src/subscriptions/service.ts';
import { cleanPrefix, waitFor } from '../integration/engine-harness.ts';
import { chainFeed, type EngineWorld } from './chain-feed.ts';
import { FakeTelegramBotApi, type FakeChat, type FakeUser } from '../fakes/telegram-bot-api.ts';
import type { FakeLimits } from '../fakes/telegram-limits.ts';
import { testRedis, testRedisUrl } from '../support/redis.ts';

export const TG_DB = 8;
export { cleanPrefix, waitFor };
export { drained } from './chain-feed.ts';

export interface TelegramWorld extends EngineWorld {
  fake: FakeTelegramBotApi;
  bot: TelegramBot;
  subIdOf(chat: FakeChat): string;
}

export interface WorldOptions {
  /** The stand-in's flood control (default: relaxed, only injected 429s). */
  fakeLimits?: FakeLimits;
  /** The bot's pacer (default: fast, so conversations don't wait a second a reply). */
  botLimits?: TelegramLimits;
  /** Charts for alerts and replies (absent: text only); rules come from the store. */
  charts?: ChartRenderer;
  /** Redis DB (default TG_DB). */
  db?: number;
  /** Command entry (default: a budget no conversation test meets; storage = the app's Redis). */
  gate?: CommandGateOptions;
  /** Use this Redis instead of the test Redis (a test that stops its own redis-server). */
  redisUrl?: string;
  /** BROADCAST_TELEGRAM_CHAT for the bot (a channel added to the stand-in first). */
  broadcastChat?: string;
  /** TELEGRAM_PAID_BROADCAST. */
  paidBroadcast?: boolean;
}

/** Conversation tests send dozens of commands in a row; the budget has tests of its own. */
const NO_BUDGET = { burst: 10_000, perMinute: 10_000 };

const FAST: TelegramLimits = { globalPerSec: 1000, chatIntervalMs: 0, groupPerMin: 10_000, maxInlineWaitMs: 3000 };

export async function startTelegramWorld(name: string, opts: WorldOptions = {}): Promise<TelegramWorld> {
  const fake = await FakeTelegramBotApi.start(opts.fakeLimits ? { limits: opts.fakeLimits } : {});
  const prefix = `hb-test-tg-${name}-${process.pid}`;
  const redis =
    opts.redisUrl !== undefined
      ? new Redis(opts.redisUrl, { maxRetriesPerRequest: null })
      : testRedis(opts.db ?? TG_DB, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // a test may stop its own redis-server
  await cleanPrefix(redis, prefix);
  const logger = silentLogger();
  const keys = engineKeys(`${prefix}:`);
  const store = new RedisSubscriptionStore(redis, { keys, plan: defaultIndexPlan });
  const charts =
    opts.charts === undefined
      ? {}
      : { charts: opts.charts, chartRules: (sub: { id: string }) => store.listRules(sub.id) };
  const notifier = createTelegramNotifier({
    token: fake.token,
    apiRoot: fake.apiRoot,
    logger,
    limits: opts.botLimits ?? FAST,
    ...charts,
    // Uploaded charts are found again through Redis, as production shares them between processes.
    pictures: new RedisPictureRefs(redis, keys, 'telegram'),
    ...(opts.paidBroadcast === true ? { paidBroadcast: true } : {}),
  });
  let bot: TelegramBot | undefined;
  const app = await createApp(
    {
      redisUrl: opts.redisUrl ?? testRedisUrl(),
      roles: ['evaluator', 'notifier', 'bot'],
      telegramBotToken: fake.token,
      discordToken: undefined,
      logLevel: 'silent',
    },
    {
      redis,
      keyPrefix: `${prefix}:`,
      queuePrefix: prefix,
      logger, // the real judge, index plan and chain-state reader: createApp's defaults
      notifiers: { telegram: notifier },
      tickEveryMs: 0,
      rateLimits: { telegram: { max: 30, durationMs: 1000 } },
      startBots: async (a) => {
        bot = createTelegramBot({
          token: fake.token,
          apiRoot: fake.apiRoot,
          service: a.service,
          logger,
          notifier,
          ...charts,
          deactivate: (t) => store.setActive(subscriptionId(t), false),
          ...(opts.broadcastChat !== undefined ? { broadcastChat: opts.broadcastChat } : {}),
          gate: { budget: NO_BUDGET, available: () => a.redis.status === 'ready', ...opts.gate },
        });
        await bot.start();
        return [{ stop: () => bot!.stop() }];
      },
    },
  );
  return {
    fake,
    app,
    bot: bot!,
    redis,
    store,
    ...chainFeed(redis, `${prefix}:`, app.evaluateQueue),
    subIdOf: (chat) => subscriptionId({ platform: 'telegram', targetType: 'chat', targetId: String(chat.id) }),
    async close() {
      await app.shutdown(5000);
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await fake.close();
    },
  };
}

export const ann: FakeUser = { id: 1001, first_name: 'Ann', username: 'ann' };
export const bob: FakeUser = { id: 1002, first_name: 'Bob' };
export const annDm: FakeChat = { id: ann.id, type: 'private' };
