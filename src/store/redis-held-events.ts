/**
 * HeldEventStore on Redis: one list per subscription and held list (mute/quiet digest, snooze),
 * JSON AlertEvents in arrival order. A digest takes everything it read (LTRIM); a snooze release
 * takes some rules' events (LREM of exactly the entries it read).
 */
import type { RedisClient } from './connection.ts';
import type { HeldEventStore, HeldList } from '../alerting/ports.ts';
import type { AlertEvent } from '../alerting/types.ts';
import type { EngineKeys } from './keys.ts';

export class RedisHeldEvents implements HeldEventStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
  ) {}

  private key(list: HeldList, subscriptionId: string): string {
    return list === 'digest' ? this.keys.held(subscriptionId) : this.keys.snoozeHeld(subscriptionId);
  }

  async push(
    list: HeldList,
    held: ReadonlyArray<{ subscriptionId: string; events: readonly AlertEvent[] }>,
  ): Promise<void> {
    const tx = this.redis.multi();
    for (const h of held) tx.rpush(this.key(list, h.subscriptionId), ...h.events.map((e) => JSON.stringify(e)));
    await tx.exec();
  }

  async read(list: HeldList, subscriptionId: string): Promise<Array<{ event: AlertEvent; token: string }>> {
    const raw = await this.redis.lrange(this.key(list, subscriptionId), 0, -1);
    return raw.map((token) => ({ event: JSON.parse(token) as AlertEvent, token }));
  }

  async trim(list: HeldList, subscriptionId: string, count: number): Promise<void> {
    await this.redis.ltrim(this.key(list, subscriptionId), count, -1);
  }

  async remove(list: HeldList, subscriptionId: string, tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    const tx = this.redis.multi();
    for (const t of tokens) tx.lrem(this.key(list, subscriptionId), 1, t);
    await tx.exec();
  }
}
