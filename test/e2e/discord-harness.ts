/**
 * The Discord end-to-end world: the Discord stand-in, real Redis (DB 9, prefix hb-test-dc-*),
 * the real engine (createApp with its defaults: alertJudge, the real index plan, snapshots read
 * from the Redis chain state that `block`/`tip` write as the watcher does; evaluate + deliver
 * through BullMQ) and the real discord.js bot built
 * with createDiscordNotifier/createDiscordBot exactly as production wires them, with the slash
 * commands registered by the real register function.
 */
import { Redis } from 'ioredis';
import { createApp, type App } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/app/logger.ts';
import { createDiscordBot, createDiscordNotifier, type DiscordBot } from '../../src/platforms/discord/bot.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { registerCommands } from '../../src/platforms/discord/register-commands.ts';
import { RedisPictureRefs } from '../../src/platforms/picture-refs.ts';
import { RedisAnnouncementChannels } from '../../src/platforms/discord/announcement-channels.ts';
import { defaultIndexPlan } from '../../src/store/index-plan.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { subscriptionId } from '../../src/subscriptions/service.ts';
import { DiscordStandIn, type DiscordStandInOptions } from '../fakes/discord/index.ts';
import type { DiscordGateOptions } from '../../src/platforms/discord/command-gate.ts';
import { cleanPrefix, waitFor } from '../integration/engine-harness.ts';
import { chainFeed, type EngineWorld } from './chain-feed.ts';
import { testRedis, testRedisUrl } from '../support/redis.ts';

export const DC_DB = 9;

export interface DiscordWorld extends EngineWorld {
  standIn: DiscordStandIn;
  bot: DiscordBot;
  dmSubId(userId: string): string;
  channelSubId(channelId: string): string;
}

export { cleanPrefix, waitFor };
export { drained } from './chain-feed.ts';

export interface DiscordWorldOptions {
  /** Charts for alerts and replies (absent: none); an alert's rules come from the store. */
  readonly charts?: ChartRenderer;
  /** Redis DB (default DC_DB). */
  readonly db?: number;
  /** Interaction entry (default: a budget no commands test meets; storage = the app's Redis). */
  readonly gate?: DiscordGateOptions;
  /** Use this Redis instead of the test Redis (a test that stops its own redis-server). */
  readonly redisUrl?: string;
  /** Prepares BROADCAST_DISCORD_CHANNEL before the bot connects: adds the channel, returns its id. */
  readonly broadcast?: (standIn: DiscordStandIn) => string;
  /** Changes the stand-in's guild before the bot connects (its GUILD_CREATE then has them). */
  readonly prepare?: (standIn: DiscordStandIn) => void;
}

/** Commands tests send many commands in a row; the budget has tests of its own. */
const NO_BUDGET = { burst: 10_000, perMinute: 10_000 };

export async function startDiscordWorld(
  name: string,
  standInOpts: DiscordStandInOptions = {},
  opts: DiscordWorldOptions = {},
): Promise<DiscordWorld> {
  const standIn = await DiscordStandIn.start(standInOpts);
  await registerCommands({
    token: standIn.token,
    applicationId: standIn.applicationId,
    apiBase: standIn.apiBase,
    guildId: standIn.guildId,
  });
  const prefix = `hb-test-dc-${name}-${process.pid}`;
  const redis =
    opts.redisUrl !== undefined
      ? new Redis(opts.redisUrl, { maxRetriesPerRequest: null })
      : testRedis(opts.db ?? DC_DB, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // a test may stop its own redis-server
  await cleanPrefix(redis, prefix);
  const logger = silentLogger();
  const keys = engineKeys(`${prefix}:`);
  const store = new RedisSubscriptionStore(redis, { keys, plan: defaultIndexPlan });
  const charts = opts.charts === undefined ? {} : { charts: opts.charts };
  const chartRules = opts.charts === undefined ? {} : { chartRules: (sub: { id: string }) => store.listRules(sub.id) };
  const notifier = createDiscordNotifier({
    token: standIn.token,
    apiBase: standIn.apiBase,
    logger,
    restOffsetMs: 20,
    ...charts,
    ...chartRules,
    // Uploaded charts are found again through Redis, as production shares them between processes.
    pictures: new RedisPictureRefs(redis, keys, 'discord'),
    announcements: new RedisAnnouncementChannels(redis, keys),
  });
  opts.prepare?.(standIn);
  const broadcastChannel = opts.broadcast?.(standIn);
  let bot: DiscordBot | undefined;
  const app = await createApp(
    {
      redisUrl: opts.redisUrl ?? testRedisUrl(),
      roles: ['evaluator', 'notifier', 'bot'],
      telegramBotToken: undefined,
      discordToken: standIn.token,
      logLevel: 'silent',
    },
    {
      redis,
      keyPrefix: `${prefix}:`,
      queuePrefix: prefix,
      logger, // the real judge, index plan and chain-state reader: createApp's defaults
      notifiers: { discord: notifier },
      tickEveryMs: 0,
      startBots: async (a) => {
        bot = createDiscordBot({
          token: standIn.token,
          applicationId: standIn.applicationId,
          apiBase: standIn.apiBase,
          service: a.service,
          logger,
          notifier,
          ...charts,
          gate: { budget: NO_BUDGET, available: () => a.redis.status === 'ready', ...opts.gate },
          ...(broadcastChannel !== undefined ? { broadcastChannel } : {}),
        });
        await bot.start();
        return [{ stop: () => bot!.stop() }];
      },
    },
  );
  return {
    standIn,
    app,
    bot: bot!,
    redis,
    store,
    ...chainFeed(redis, `${prefix}:`, app.evaluateQueue),
    dmSubId: (userId) => subscriptionId({ platform: 'discord', targetType: 'user', targetId: userId }),
    channelSubId: (channelId) => subscriptionId({ platform: 'discord', targetType: 'channel', targetId: channelId }),
    async close() {
      await app.shutdown(5000);
      await cleanPrefix(redis, prefix);
      redis.disconnect();
      await standIn.close();
    },
  };
}

export const ANN = '400000000000000101';
export const BOB = '400000000000000102';
