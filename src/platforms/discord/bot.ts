/**
 * The Discord side of hashbell in one object: the gateway client that answers slash commands and
 * the REST notifier that delivers alerts. Both share ONE REST client, so the global 50 requests/s
 * and the per-route buckets are counted once for everything the bot sends.
 */
import { Client, DefaultRestOptions, Events, GatewayIntentBits, REST } from 'discord.js';
import { once } from 'node:events';
import type { Logger } from '../../observability/logger.ts';
import type { SubscriptionService } from '../../subscriptions/service.ts';
import type { ChartRenderer, ChartRules } from '../chart-picture.ts';
import { handleInteraction } from './handlers.ts';
import { discordGate, type DiscordGateOptions } from './command-gate.ts';
import { DiscordNotifier } from './notifier.ts';
import { sendGate, timelineSpec, type TimelineStore } from '../send-timeline.ts';
import { startDiscordBroadcast } from './broadcast-channel.ts';
import type { BroadcastChannel } from '../../subscriptions/broadcast.ts';
import type { PictureOutcome, PictureRefs } from '../picture-refs.ts';
import type { AnnouncementChannels } from './announcement-channels.ts';

/** Discord's global REST limit per bot token. */
export const DISCORD_GLOBAL_PER_SEC = 50;

export interface DiscordBotOptions {
  readonly token: string;
  readonly applicationId: string;
  /** REST base, `https://discord.com/api` in production (config DISCORD_API_BASE); the gateway URL follows from it. */
  readonly apiBase: string;
  readonly service: SubscriptionService;
  readonly logger: Logger;
  /** Unix seconds; defaults to the wall clock. */
  readonly nowSec?: () => number;
  /**
   * Extra milliseconds added to every rate-limit wait (discord.js default 50), a margin against
   * clock and network jitter between us and Discord.
   */
  readonly restOffsetMs?: number;
  /** How long start() waits for READY + GUILD_CREATE before giving up (default 30 s). */
  readonly readyTimeoutMs?: number;
  /**
   * The notifier createApp made with createDiscordNotifier for the deliver workers; the bot then
   * shares its REST client. Without it the bot makes its own.
   */
  readonly notifier?: DiscordNotifier;
  /** Optional: charts in /status, /retarget, /hashprice replies (absent = embeds without a picture). */
  readonly charts?: ChartRenderer;
  /** For the notifier the bot builds when none is given (see DiscordNotifierOptions). */
  readonly chartRules?: ChartRules;
  /** Command budget and storage availability at interaction entry (see command-gate.ts). */
  readonly gate?: DiscordGateOptions;
  /** BROADCAST_DISCORD_CHANNEL: the public (announcement) channel for the default rules. */
  readonly broadcastChannel?: string;
}

export interface DiscordNotifierOptions {
  readonly token: string;
  readonly apiBase: string;
  readonly logger: Logger;
  readonly restOffsetMs?: number;
  /** Requests per second for the whole bot token; Discord's global limit is 50. */
  readonly requestsPerSec?: number;
  /**
   * The global limit's timeline shared with the other notifier processes of the token
   * (src/store/redis-send-slot.ts); absent or unreachable, this process keeps it alone.
   */
  readonly sharedTimeline?: TimelineStore;
  /**
   * Longest wait for a channel's own message bucket served inline (default 3 s); beyond it the
   * request is refused at once (RateLimitError) and that one delivery is delayed by BullMQ while
   * the worker serves other channels.
   */
  readonly maxInlineWaitMs?: number;
  /** Optional: alerts carry a chart in their embed (absent = exactly the text-only embeds). */
  readonly charts?: ChartRenderer;
  /** The subscriber's rules for the chart's threshold lines (e.g. `(sub) => store.listRules(sub.id)`). */
  readonly chartRules?: ChartRules;
  /** Where uploaded charts are found again, shared by notifier processes (default: this process). */
  readonly pictures?: PictureRefs;
  /** Counts each alert picture's upload or reuse. */
  readonly onPicture?: (outcome: PictureOutcome) => void;
  /** Which channels are announcement channels, shared by processes (default: this process). */
  readonly announcements?: AnnouncementChannels;
}

/**
 * @discordjs/rest's own requests-per-fixed-second count, far above the 50 the send gate holds
 * (see createRest); 0 < it, so a real global 429 still stops every request for its Retry-After.
 */
const REST_OWN_GLOBAL_PER_SEC = 100 * DISCORD_GLOBAL_PER_SEC;

/** Channel message routes: the per-channel buckets alerts go through (interactions use webhooks). */
const CHANNEL_MESSAGES = '/channels/:id/messages';

/** Interaction callbacks and their webhooks (follow-ups, edits) are exempt from the global limit. */
export function exemptFromGlobal(url: string): boolean {
  return /\/(interactions|webhooks)\//.test(new URL(url).pathname);
}

/**
 * The one REST client: `retries: 0` because the one retry layer is BullMQ (see notifier.ts). A
 * channel's own bucket that would hold a request longer than `maxInlineWaitMs` rejects it
 * instead (the notifier turns that into a chat-scoped wait).
 *
 * The global 50/s: @discordjs/rest keeps the per-route buckets and reacts to a real global 429
 * (Retry-After blocks every request); its own count of requests per fixed second is set out of the
 * way, because it counts a request when it is queued for the network and there, with several
 * notifier processes and a backlog, it would only hold back what the send gate lets through.
 * The gate (`makeRequest`, platforms/send-timeline.ts) takes each request's slot when it leaves:
 * one timeline for every process of the token.
 */
function createRest(o: DiscordNotifierOptions): REST {
  const maxInline = o.maxInlineWaitMs ?? 3000;
  const gate = sendGate(timelineSpec(o.requestsPerSec ?? DISCORD_GLOBAL_PER_SEC), o.sharedTimeline);
  const transport = DefaultRestOptions.makeRequest;
  const rest = new REST({
    api: o.apiBase,
    retries: 0,
    offset: o.restOffsetMs ?? 50,
    globalRequestsPerSecond: REST_OWN_GLOBAL_PER_SEC,
    rejectOnRateLimit: (d) => !d.global && d.route.startsWith(CHANNEL_MESSAGES) && d.timeToReset > maxInline,
    makeRequest: (url, init) => (exemptFromGlobal(url) ? transport(url, init) : gate.run(() => transport(url, init))),
  }).setToken(o.token);
  rest.on('rateLimited', (info) =>
    o.logger.debug({ route: info.route, global: info.global, waitMs: info.timeToReset }, 'discord rate limit: waiting'),
  );
  return rest;
}

/** Alert delivery over REST alone, for createApp's notifiers (and notifier-only processes). */
export function createDiscordNotifier(o: DiscordNotifierOptions): DiscordNotifier {
  const logger = o.logger.child({ platform: 'discord' });
  return new DiscordNotifier({
    rest: createRest({ ...o, logger }),
    logger,
    ...(o.charts !== undefined ? { charts: o.charts } : {}),
    ...(o.chartRules !== undefined ? { chartRules: o.chartRules } : {}),
    ...(o.pictures !== undefined ? { pictures: o.pictures } : {}),
    ...(o.onPicture !== undefined ? { onPicture: o.onPicture } : {}),
    ...(o.announcements !== undefined ? { announcements: o.announcements } : {}),
  });
}

export interface DiscordBot {
  /** Connects the gateway and resolves once the bot is ready to answer commands. */
  start(): Promise<void>;
  /** Closes the gateway and the REST client's sockets; idempotent. */
  stop(): Promise<void>;
  /** Alert delivery over REST; usable without start() (a notifier-only process). */
  readonly notifier: DiscordNotifier;
}

/**
 * Builds the bot. `createApp` wires `notifier` into the deliver queue and calls start() only when
 * this process has the `bot` role.
 */
export function createDiscordBot(opts: DiscordBotOptions): DiscordBot {
  const logger = opts.logger.child({ platform: 'discord' });
  const notifier = opts.notifier ?? createDiscordNotifier(opts);
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: opts.apiBase, retries: 0 } });
  // One REST client for replies and alerts: one global 50/s budget, one set of route buckets.
  client.rest.clearHashSweeper();
  client.rest.clearHandlerSweeper();
  (client as { rest: REST }).rest = notifier.rest;
  let broadcast: BroadcastChannel | null = null;
  const nowSec = opts.nowSec ?? (() => Math.floor(Date.now() / 1000));
  const deps = {
    service: opts.service,
    logger,
    nowSec,
    sendDm: (userId: string, content: string) => notifier.sendDm(userId, content),
    ...(opts.charts !== undefined ? { charts: opts.charts } : {}),
    broadcast: () => broadcast,
    noteChannel: (id: string, type: number) => notifier.noteChannelType(id, type),
  };
  const gate = discordGate(opts.gate ?? {}, logger);
  client.on(Events.InteractionCreate, (i) => {
    void gate(i)
      .then((answered) => (answered ? undefined : handleInteraction(i, deps)))
      .catch((e: unknown) => logger.warn({ err: e }, 'could not answer at interaction entry'));
  });
  client.on(Events.Error, (e) => logger.error({ err: e }, 'discord client error'));
  client.on(Events.ShardResume, (id, replayed) => logger.info({ shard: id, replayed }, 'gateway resumed'));
  client.on(Events.ShardDisconnect, (ev, id) => logger.warn({ shard: id, code: ev.code }, 'gateway disconnected'));
  let started = false;

  return {
    notifier,
    async start() {
      if (started) return;
      started = true;
      // Registered before login: clientReady can fire before login() resolves.
      const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(opts.readyTimeoutMs ?? 30_000) });
      await client.login(opts.token);
      await ready;
      if (client.application?.id !== undefined && client.application.id !== opts.applicationId) {
        logger.warn(
          { configured: opts.applicationId, actual: client.application.id },
          'DISCORD_APPLICATION_ID does not match the token’s application',
        );
      }
      logger.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord bot ready');
      if (opts.broadcastChannel !== undefined)
        broadcast = await startDiscordBroadcast({
          channelId: opts.broadcastChannel,
          rest: notifier.rest,
          notifier,
          service: opts.service,
          logger,
          nowSec,
        });
    },
    async stop() {
      if (!started) return;
      started = false;
      await client.destroy();
      // destroy() clears the token of the shared REST client; deliveries may still need it.
      notifier.rest.setToken(opts.token);
    },
  };
}
