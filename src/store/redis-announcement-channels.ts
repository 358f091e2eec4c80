/**
 * The Discord announcement channels the bot has seen (src/platforms/discord/announcement-channels.ts),
 * as one Redis set every notifier process reads, so crossposting needs no request to Discord.
 */
import type { RedisClient } from './connection.ts';
import type { EngineKeys } from './keys.ts';

/** Discord's announcement channel type. */
const ANNOUNCEMENT_CHANNEL = 5;

export class RedisAnnouncementChannels {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<EngineKeys, 'announcementChannels'>,
  ) {}

  async has(channelId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.announcementChannels(), channelId)) === 1;
  }

  async note(channelId: string, type: number): Promise<void> {
    if (type === ANNOUNCEMENT_CHANNEL) await this.redis.sadd(this.keys.announcementChannels(), channelId);
    else await this.redis.srem(this.keys.announcementChannels(), channelId);
  }
}
