/**
 * The Telegram end-to-end world: the Bot API stand-in, real Redis (DB 8, prefix hb-test-tg-*),
 * and the app exactly as production builds it — createApp, the one composition root, given the
 * stand-in's token and API root as configuration: the real judge, index plan and chain-state
 * snapshots (which `block`/`tip` write as the watcher does), evaluate + deliver through BullMQ,
 * the Telegram notifier and the real telegraf bot on the app's service (so a blocked bot
 * deactivates through the service, as in production). Only tuning differs: fast pacing, no
 * command budget, text-only unless a test brings a chart renderer.
 */
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.ts';
import { createApp } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { TelegramLimits } from '../../src/platforms/telegram/pacer.ts';
import type { CommandGateOptions } from '../../src/platforms/telegram/command-gate.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { defaultIndexPlan } from '../../src/store/index-plan.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { subscriptionId } from '../../src/subscriptions/service.ts';
import { cleanPrefix, waitFor } from '../integration/engine-harness.ts';
import { appReady, chainFeed, type EngineWorld } from './chain-feed.ts';
import { FakeTelegramBotApi, type FakeChat, type FakeUser } from '../fakes/telegram-bot-api.ts';
import type { FakeLimits } from '../fakes/telegram-limits.ts';
import { testRedis } from '../support/redis.ts';

export const TG_DB = 8;
export { cleanPrefix, waitFor };
export { drained } from './chain-feed.ts';

export interface TelegramWorld extends EngineWorld {
  fake: FakeTelegramBotApi;
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
  /** BROADCAST_TELEGRAM_CHAT (a channel `prepare` added to the stand-in before the bot starts). */
  broadcastChat?: string;
  /** TELEGRAM_PAID_BROADCAST. */
  paidBroadcast?: boolean;
  /** Changes the stand-in before the bot starts (e.g. adds the broadcast channel). */
  prepare?: (fake: FakeTelegramBotApi) => void;
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
  opts.prepare?.(fake);
  const store = new RedisSubscriptionStore(redis, { keys: engineKeys(`${prefix}:`), plan: defaultIndexPlan });
  const app = await createApp(
    loadConfig({
      ROLES: 'evaluator,notifier,bot',
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ...(opts.broadcastChat !== undefined ? { BROADCAST_TELEGRAM_CHAT: opts.broadcastChat } : {}),
      ...(opts.paidBroadcast === true ? { TELEGRAM_PAID_BROADCAST: 'true' } : {}),
    }),
    {
      redis,
      keyPrefix: `${prefix}:`,
      queuePrefix: prefix,
      logger: silentLogger(),
      tickEveryMs: 0,
      rateLimits: { telegram: { max: 30, durationMs: 1000 } },
      charts: opts.charts ?? null,
      telegram: { limits: opts.botLimits ?? FAST, gate: { budget: NO_BUDGET, ...opts.gate } },
    },
  );
  await appReady(app);
  return {
    fake,
    app,
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
