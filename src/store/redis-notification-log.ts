/**
 * The durable "already notified" fact (DESIGN.md style 9) as SET NX with a TTL: the TTL only has
 * to outlive any redelivery of the same block (days), not the subscription.
 */
import type { RedisClient } from './connection.ts';
import type { NotificationLog } from '../alerting/ports.ts';
import { engineKeys, type EngineKeys } from './keys.ts';

export class RedisNotificationLog implements NotificationLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys = engineKeys(),
  ) {}

  async claim(key: string, ttlSec: number, what: 'sent' | 'superseded' = 'sent'): Promise<boolean> {
    // '1' (sent) is byte for byte what earlier versions stored; 's' marks a superseded message.
    const res = await this.redis.set(
      this.keys.notification(key),
      what === 'sent' ? '1' : 's',
      'EX',
      Math.max(1, Math.ceil(ttlSec)),
      'NX',
    );
    return res === 'OK';
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.notification(key))) === 1;
  }

  async release(key: string): Promise<void> {
    await this.redis.del(this.keys.notification(key));
  }
}
