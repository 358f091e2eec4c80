/**
 * The operator's Discord channel for the default rules (BROADCAST_DISCORD_CHANNEL): at start the
 * bot looks it up (GET /channels/{id}), tells the notifier its type, and subscribes it with the
 * default rules. An announcement channel (type 5) is what servers can follow: each alert posted
 * there is crossposted to them (notifier.ts). A plain text channel still gets the alerts, but
 * nobody can follow it, and the log says so. Missing access is logged with what to do; missing
 * permissions show at the first delivery (50013: permanent, paused, logged by tellOwner).
 */
import { Routes, type REST } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import { ensureBroadcast, type BroadcastChannel } from '../../subscriptions/broadcast.ts';
import type { SubscriptionService } from '../../subscriptions/service.ts';
import { ANNOUNCEMENT_CHANNEL } from './announcement-channels.ts';
import { classifyDiscordError, type DiscordNotifier } from './notifier.ts';

const HOW = 'give the bot View Channel, Send Messages and Embed Links in it';

/** Resolves and subscribes the channel; null (logged) when it cannot be used. Never throws. */
export async function startDiscordBroadcast(deps: {
  readonly channelId: string;
  readonly rest: REST;
  readonly notifier: Pick<DiscordNotifier, 'noteChannelType'>;
  readonly service: SubscriptionService;
  readonly logger: Logger;
  readonly nowSec: () => number;
}): Promise<BroadcastChannel | null> {
  const { channelId, logger } = deps;
  let c: { type?: number; name?: string; guild_id?: string };
  try {
    c = (await deps.rest.get(Routes.channel(channelId))) as typeof c;
  } catch (e) {
    const err = classifyDiscordError(e, `look up BROADCAST_DISCORD_CHANNEL ${channelId}`);
    logger.error(
      { channelId, code: err.context.code },
      `BROADCAST_DISCORD_CHANNEL ${channelId} cannot be used (${err.message}): invite the bot to that server, ${HOW}, and restart`,
    );
    return null;
  }
  const type = c.type ?? 0;
  await deps.notifier.noteChannelType(channelId, type);
  if (type !== ANNOUNCEMENT_CHANNEL)
    logger.warn(
      { channelId, type },
      'BROADCAST_DISCORD_CHANNEL is not an announcement channel: alerts post there, but other servers cannot follow it',
    );
  const channel: BroadcastChannel = {
    platform: 'discord',
    targetId: channelId,
    url: c.guild_id !== undefined ? `https://discord.com/channels/${c.guild_id}/${channelId}` : null,
    name: c.name !== undefined ? `#${c.name}` : channelId,
  };
  const { created } = await ensureBroadcast(deps.service, channel, deps.nowSec());
  logger.info({ channel: channel.name, created }, 'broadcast channel ready: the default rules post there');
  return channel;
}
