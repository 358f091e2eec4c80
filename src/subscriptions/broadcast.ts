/**
 * Broadcast targets (issue 14.1): the operator's public channels (a Telegram channel where the bot
 * posts as an administrator, a Discord announcement channel servers can follow) carry the DEFAULT
 * rules for everyone at once — one delivery reaches every reader, however many there are.
 * Personal thresholds stay in personal chats. Such a subscription is an ordinary one (same rules,
 * same exactly-once log) whose owner is the operator: nobody on the platform to tell when the bot
 * loses its rights there, so the notifiers say it in the log instead (see isBroadcast).
 */
import { BROADCAST_OWNER } from '../alerting/broadcast.ts';
import type { Platform } from '../alerting/types.ts';
import type { SubscriptionService, Target } from './service.ts';

/** A configured public channel, once resolved on its platform. */
export interface BroadcastChannel {
  readonly platform: Platform;
  /** Numeric chat id (Telegram, `-100…`) or channel id (Discord). */
  readonly targetId: string;
  /** How people find it: `https://t.me/<name>`, or the Discord channel's URL. */
  readonly url: string | null;
  /** For messages and logs, e.g. `@hashbell_alerts` or `#hashbell-news`. */
  readonly name: string;
}

/** The subscription target of a broadcast channel. */
export function broadcastTarget(c: Pick<BroadcastChannel, 'platform' | 'targetId'>): Target {
  return {
    platform: c.platform,
    targetType: c.platform === 'telegram' ? 'chat' : 'channel',
    targetId: c.targetId,
    userId: BROADCAST_OWNER,
  };
}

/**
 * Subscribes the channel with the default rules, or resumes it after a permission loss. Called at
 * start-up once the bot may post there, and when the platform says it may again.
 */
export async function ensureBroadcast(
  service: SubscriptionService,
  c: BroadcastChannel,
  nowSec: number,
): Promise<{ created: boolean }> {
  const { created } = await service.start(broadcastTarget(c), nowSec);
  return { created };
}
