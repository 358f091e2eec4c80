/**
 * The Discord end-to-end world: the Discord stand-in, real Redis (DB 9, prefix hb-test-dc-*),
 * and the app exactly as production builds it — createApp, the one composition root, given the
 * stand-in's token, application id and API base as configuration: the real judge, index plan and
 * chain-state snapshots (which `block`/`tip` write as the watcher does), evaluate + deliver
 * through BullMQ, the Discord notifier and the real discord.js bot sharing its REST client — with
 * the slash commands registered by the real register function. Only tuning differs: a short
 * rate-limit margin, no command budget, no charts unless a test brings a renderer.
 */
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.ts';
import { createApp } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { DiscordNotifier } from '../../src/platforms/discord/notifier.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { registerCommands } from '../../src/platforms/discord/register-commands.ts';
import { defaultIndexPlan } from '../../src/store/index-plan.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { subscriptionId } from '../../src/subscriptions/service.ts';
import { DiscordStandIn, type DiscordStandInOptions } from '../fakes/discord/index.ts';
import type { DiscordGateOptions } from '../../src/platforms/discord/command-gate.ts';
import { cleanPrefix, waitFor } from '../integration/engine-harness.ts';
import { appReady, chainFeed, type EngineWorld } from './chain-feed.ts';
import { testRedis } from '../support/redis.ts';

export const DC_DB = 9;

export interface DiscordWorld extends EngineWorld {
  standIn: DiscordStandIn;
  /** The app's Discord notifier (its REST client is the bot's too). */
  notifier: DiscordNotifier;
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
  const store = new RedisSubscriptionStore(redis, { keys: engineKeys(`${prefix}:`), plan: defaultIndexPlan });
  opts.prepare?.(standIn);
  const broadcastChannel = opts.broadcast?.(standIn);
  const app = await createApp(
    loadConfig({
      ...(broadcastChannel !== undefined ? { BROADCAST_DISCORD_CHANNEL: broadcastChannel } : {}),
      ROLES: 'evaluator,notifier,bot',
      LOG_LEVEL: 'silent',
      DISCORD_TOKEN: standIn.token,
      DISCORD_APPLICATION_ID: standIn.applicationId,
      DISCORD_API_BASE: standIn.apiBase,
    }),
    {
      redis,
      keyPrefix: `${prefix}:`,
      queuePrefix: prefix,
      logger: silentLogger(),
      tickEveryMs: 0,
      charts: opts.charts ?? null,
      discord: { restOffsetMs: 20, gate: { budget: NO_BUDGET, ...opts.gate } },
    },
  );
  await appReady(app);
  return {
    standIn,
    app,
    notifier: app.notifiers.discord as DiscordNotifier,
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
