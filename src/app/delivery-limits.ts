/**
 * The BullMQ limiter of each platform's deliver queue: how many jobs may start per window, shared
 * by every notifier process through Redis — a feed a little faster than the platform's send gate.
 */
import type { Platform } from '../alerting/types.ts';
import { PAID_BROADCAST_PER_SEC, TELEGRAM_LIMITS } from '../platforms/telegram/pacer.ts';

/** BullMQ's limiter: at most `max` job starts per `durationMs` window. */
export interface DeliveryLimit {
  readonly max: number;
  readonly durationMs: number;
}

/**
 * The BullMQ limiter feeding `perSec` job starts a second: one fixed window a second. Its bunching
 * at window edges no longer reaches the platform (the send gate spaces the requests), and a coarse
 * window costs one limiter check a second where one job per ~28 ms window cost a fetch round trip
 * per job: on a loaded machine those round trips, not the gate, set the pace (0.81 of 30/s).
 */
export function feedLimit(perSec: number): DeliveryLimit {
  return { max: Math.ceil(perSec * FEED_SHARE), durationMs: 1000 };
}

/**
 * How far the limiter's job starts run ahead of the platform's rate: enough that the send gate
 * always has the next request waiting (it is the authority; a feed at the same rate would add
 * its own gaps to the gate's), little enough that jobs do not sit long holding their locks.
 */
export const FEED_SHARE = 1.2;

/**
 * Who paces and who retries delivery — the one place this is decided:
 * - The global rate, ONE authority: the platform's send gate (platforms/send-timeline.ts),
 *   Telegram 30 messages/s, Discord 50 requests/s, paid broadcast 1,000/s. Every request takes
 *   its slot there as it leaves, on one Redis timeline shared by every notifier process of the
 *   token (store/redis-send-slot.ts), so at most that many arrive at the platform in ANY second.
 * - Feeding (this limiter, BullMQ, shared through Redis): job starts at FEED_SHARE × the rate
 *   (feedLimit), so the gate is never starved and a backlog stays bounded by the workers'
 *   concurrency. It does not hold the platform's limit; stacked at the same rate as
 *   the gate it subtracted from it (0.86 of 30/s measured with three layers at the rate).
 * - Per chat (the notifier, per process): the finer limits only it knows — Telegram's
 *   1/s per chat and 20/min per group (TelegramPacer), Discord's per-route buckets
 *   (discord.js REST). A platform's 429 pauses this queue for its `retry_after`
 *   (worker.rateLimit in deliver-processor.ts), so a burst costs a delay, never a message. One
 *   chat's own limit never pauses it: that chat's message alone goes to the delayed set
 *   (DeliveryError scope 'chat' → job.moveToDelayed) while the worker serves other chats.
 * - Retrying: BullMQ alone (DELIVER_JOB_OPTS attempts + exponential backoff). The notifiers do
 *   not retry (discord.js REST `retries: 0`; telegraf calls are single-shot); deliver-processor
 *   classifies each failure once: retryable → throw, permanent → deactivate, rate-limited → pause.
 */
export const DEFAULT_DELIVERY_LIMITS: Readonly<Record<Platform, DeliveryLimit>> = {
  telegram: feedLimit(TELEGRAM_LIMITS.globalPerSec),
  // Discord's global 50/s (DISCORD_GLOBAL_PER_SEC in platforms/discord/bot.ts, not imported here
  // so createApp does not load discord.js; a test keeps the two equal).
  discord: feedLimit(50),
  console: { max: 1000, durationMs: 1000 },
};

/** The limiter of a platform's deliver queue: paid broadcast lifts Telegram's 30/s to 1,000/s. */
export function deliveryLimit(platform: Platform, config: { readonly telegramPaidBroadcast?: boolean }): DeliveryLimit {
  if (platform === 'telegram' && config.telegramPaidBroadcast === true) return feedLimit(PAID_BROADCAST_PER_SEC);
  return DEFAULT_DELIVERY_LIMITS[platform];
}
