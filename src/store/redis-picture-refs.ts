/**
 * PictureRefs (src/platforms/picture-refs.ts) on Redis: where each uploaded chart can be found
 * again on one platform (Telegram file_id, Discord attachment URL), shared by every notifier
 * process, with a TTL; and the short lock that says an upload is under way. Single-key commands
 * only (no MULTI): the two keys of a picture may live in different cluster slots.
 */
import type { RedisClient } from './connection.ts';
import type { EngineKeys } from './keys.ts';

/** One per platform (its references are that platform's). */
export class RedisPictureRefs {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<EngineKeys, 'pictureRef' | 'pictureLock'>,
    private readonly platform: string,
  ) {}

  get(k: string): Promise<string | null> {
    return this.redis.get(this.keys.pictureRef(this.platform, k));
  }

  async claim(k: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.pictureLock(this.platform, k), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async put(k: string, ref: string, ttlSec: number): Promise<void> {
    // Two single-key commands (no MULTI): the keys may live in different cluster slots.
    await this.redis.set(this.keys.pictureRef(this.platform, k), ref, 'EX', Math.max(1, Math.floor(ttlSec)));
    await this.redis.del(this.keys.pictureLock(this.platform, k));
  }

  async drop(k: string): Promise<void> {
    await this.redis.del(this.keys.pictureRef(this.platform, k));
    await this.redis.del(this.keys.pictureLock(this.platform, k));
  }
}
