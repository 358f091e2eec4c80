/**
 * The BullMQ limiter of each platform's deliver queue: how many jobs may start per window, shared
 * by every notifier process through Redis.
 */
import type { Platform } from '../alerting/types.ts';
import { PAID_BROADCAST_PER_SEC, TELEGRAM_LIMITS } from '../platforms/telegram/pacer.ts';

/** BullMQ's limiter: at most `max` job starts per `durationMs` window. */
export interface DeliveryLimit {
  readonly max: number;
  readonly durationMs: number;
}

/**
 * The BullMQ limiter for `perSec` messages a second, shared by every notifier process: ONE job
 * per window of just over 1000/perSec ms (Telegram 34 ms, Discord 21 ms). BullMQ's windows are
 * fixed, each opened by the job that finds none: `perSec` per 1000 ms would let a window's jobs
 * crowd its end and the next window's its start — up to twice the limit inside one second, and
 * with several notifier processes that is what happened (47 requests in a second against 30,
 * test/integration/scale-out.test.ts). One job per window spaces job starts evenly, so any
 * second holds at most `perSec` (Telegram 29.4/s = 0.98 of 30, Discord 47.6/s = 0.95 of 50).
 * Paid broadcast's 1,000/s uses the same spacing with 20 jobs per 21 ms window (952/s), not one
 * fixed 1000-per-second window.
 */
export function spacedLimit(perSec: number): DeliveryLimit {
  // Up to 50/s one job per window; faster rates (paid broadcast's 1,000/s) take a few jobs per
  // ~20 ms window, so a window is never shorter than the timer can honour.
  const max = Math.ceil(perSec / 50);
  return { max, durationMs: Math.floor((1000 * max) / perSec) + 1 };
}

/**
 * Who paces and who retries delivery — the one place this is decided:
 * - Pacing, layer 1 (this limiter, BullMQ, shared by every notifier process through Redis): at
 *   most the platform's own global limit, Telegram 30 messages/s and Discord 50 requests/s, in
 *   ANY second however many notifier processes run (spacedLimit). It is set at the limit, not
 *   well below: a lower cap here would cap end-to-end throughput below what the platform allows
 *   (25/30 = 0.83 before). Telegram's requests themselves also take their slots on one Redis
 *   timeline shared by the notifier processes (store/redis-send-slot.ts, through the pacer), so
 *   jobs whose own work took different times still leave evenly spaced.
 * - Pacing, layer 2 (the notifier, per process): the finer limits only it knows — Telegram's
 *   1/s per chat and 20/min per group (TelegramPacer), Discord's per-route buckets and global
 *   50/s (discord.js REST). A platform's 429 pauses this queue for its `retry_after`
 *   (worker.rateLimit in deliver-processor.ts), so a burst costs a delay, never a message. One
 *   chat's own limit never pauses it: that chat's message alone goes to the delayed set
 *   (DeliveryError scope 'chat' → job.moveToDelayed) while the worker serves other chats.
 * - Retrying: BullMQ alone (DELIVER_JOB_OPTS attempts + exponential backoff). The notifiers do
 *   not retry (discord.js REST `retries: 0`; telegraf calls are single-shot); deliver-processor
 *   classifies each failure once: retryable → throw, permanent → deactivate, rate-limited → pause.
 */
export const DEFAULT_DELIVERY_LIMITS: Readonly<Record<Platform, DeliveryLimit>> = {
  telegram: spacedLimit(TELEGRAM_LIMITS.globalPerSec),
  // Discord's global 50/s (DISCORD_GLOBAL_PER_SEC in platforms/discord/bot.ts, not imported here
  // so createApp does not load discord.js; a test keeps the two equal).
  discord: spacedLimit(50),
  console: { max: 1000, durationMs: 1000 },
};

/** The limiter of a platform's deliver queue: paid broadcast lifts Telegram's 30/s to 1,000/s. */
export function deliveryLimit(platform: Platform, config: { readonly telegramPaidBroadcast?: boolean }): DeliveryLimit {
  if (platform === 'telegram' && config.telegramPaidBroadcast === true) return spacedLimit(PAID_BROADCAST_PER_SEC);
  return DEFAULT_DELIVERY_LIMITS[platform];
}
