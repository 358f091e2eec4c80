/**
 * Which Discord channels are announcement channels (type 5), so the notifier crossposts there
 * without asking Discord about each channel (that would be a second request per alert). Learned
 * where the type is seen anyway: the `/start` interaction in the channel (it carries the channel
 * with its type) and the start-up lookup of BROADCAST_DISCORD_CHANNEL. Kept in Redis (one set),
 * so every notifier process knows what the bot process saw. A text channel converted to an
 * announcement channel later is learned at the next `/start` there. The Redis implementation is
 * store/redis-announcement-channels.ts (app/ wires it in).
 */

export interface AnnouncementChannels {
  has(channelId: string): Promise<boolean>;
  /** Records the channel's type: 5 adds it, any other type removes it. */
  note(channelId: string, type: number): Promise<void>;
}

/** Discord's announcement channel type: servers can follow it, and crossposted messages reach them. */
export const ANNOUNCEMENT_CHANNEL = 5;

/** Process-local (the default without Redis: what this process saw). */
export class MemoryAnnouncementChannels implements AnnouncementChannels {
  private readonly ids = new Set<string>();
  async has(channelId: string): Promise<boolean> {
    return this.ids.has(channelId);
  }
  async note(channelId: string, type: number): Promise<void> {
    if (type === ANNOUNCEMENT_CHANNEL) this.ids.add(channelId);
    else this.ids.delete(channelId);
  }
}
