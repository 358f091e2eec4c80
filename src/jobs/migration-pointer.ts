/**
 * Forward pointers for moved subscriptions (a Telegram group upgraded to a supergroup). The bot
 * role may move a subscription while deliver jobs for its old id still wait in the queue; without
 * a pointer those jobs find no subscription and their alerts are dropped. The pointer lives a day:
 * far longer than any job waits, short enough never to pile up.
 */
import type { RedisClient } from '../store/connection.ts';
import type { SubscriptionStore } from '../alerting/ports.ts';
import type { Subscription } from '../alerting/types.ts';
import type { EngineKeys } from '../store/keys.ts';

/** How long a moved subscription's old id still forwards (seconds). */
export const MIGRATION_POINTER_TTL_SEC = 86_400;

/** Hops followed at most (a group → supergroup → … chain is one hop in practice). */
const MAX_HOPS = 3;

/** The pointer's key, under the engine's prefix so tests and deployments stay isolated. */
export function migrationPointerKey(keys: EngineKeys, fromId: string): string {
  return `${keys.prefix}mv:${fromId}`;
}

/** Records `fromId → toId` for a day. */
export async function rememberMigration(
  redis: RedisClient,
  keys: EngineKeys,
  fromId: string,
  toId: string,
): Promise<void> {
  await redis.set(migrationPointerKey(keys, fromId), toId, 'EX', MIGRATION_POINTER_TTL_SEC);
}

/**
 * The subscription a job addressed to `id` should reach now: `id`'s own when it exists, else the
 * one its forward pointers lead to, else null.
 */
export async function resolveSubscription(
  redis: RedisClient,
  keys: EngineKeys,
  store: Pick<SubscriptionStore, 'get'>,
  id: string,
): Promise<Subscription | null> {
  let current = id;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const sub = await store.get(current);
    if (sub) return sub;
    const next = await redis.get(migrationPointerKey(keys, current));
    if (next === null || next === current) return null;
    current = next;
  }
  return null;
}

/**
 * A SubscriptionStore whose rename first leaves a forward pointer at the old id. The pointer is
 * written before the move: a crash in between leaves the old subscription in place (the pointer
 * is only read when the old one is gone), never a moved subscription without its pointer.
 */
export function withMigrationPointers<S extends SubscriptionStore>(store: S, redis: RedisClient, keys: EngineKeys): S {
  const rename = store.rename?.bind(store);
  if (rename === undefined) return store;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'rename') {
        return async (fromId: string, toId: string, patch: Pick<Subscription, 'targetId'>): Promise<boolean> => {
          if ((await target.get(fromId)) !== null) await rememberMigration(redis, keys, fromId, toId);
          return rename(fromId, toId, patch);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
