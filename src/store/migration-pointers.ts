/**
 * Forward pointers for moved subscriptions (a Telegram group upgraded to a supergroup). The bot
 * role may move a subscription while deliver jobs for its old id still wait in the queue; without
 * a pointer those jobs find no subscription and their alerts are dropped. RedisSubscriptionStore's
 * rename writes the pointer in the same MULTI as the move; it lives a day: far longer than any job
 * waits, short enough never to pile up.
 */
import type { RedisClient } from './connection.ts';
import type { MigrationPointers, SubscriptionStore } from '../alerting/ports.ts';
import type { Subscription } from '../alerting/types.ts';
import type { EngineKeys } from './keys.ts';

/** How long a moved subscription's old id still forwards (seconds). */
export const MIGRATION_POINTER_TTL_SEC = 86_400;

/** Hops followed at most (a group → supergroup → … chain is one hop in practice). */
const MAX_HOPS = 3;

export class RedisMigrationPointers implements MigrationPointers {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
    private readonly store: Pick<SubscriptionStore, 'get'>,
  ) {}

  /** `id`'s own subscription when it exists, else the one its forward pointers lead to, else null. */
  async resolve(id: string): Promise<Subscription | null> {
    let current = id;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const sub = await this.store.get(current);
      if (sub) return sub;
      const next = await this.redis.get(this.keys.migrationPointer(current));
      if (next === null || next === current) return null;
      current = next;
    }
    return null;
  }
}
