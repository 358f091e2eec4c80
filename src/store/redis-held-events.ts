/**
 * HeldEventStore on Redis: one list per subscription and held list (mute/quiet digest, snooze),
 * JSON AlertEvents in arrival order, and one pending release per subscription. A release takes
 * exactly the entries it decided on and records its message in one script (TAKE), so two
 * releases of one subscription can neither both send an event nor drop one (issue 11).
 */
import type { RedisClient } from './connection.ts';
import type { HeldEventStore, HeldList, PendingRelease } from '../alerting/ports.ts';
import type { MessageRef } from '../alerting/pipeline.ts';
import type { AlertEvent } from '../alerting/types.ts';
import type { EngineKeys } from './keys.ts';

/**
 * KEYS: pending, digest list, snooze list. ARGV: pending JSON ('' for none), how many of the
 * tokens that follow are the digest list's, then the tokens. Busy while a release is pending;
 * stale (everything put back, nothing recorded) when an entry is no longer held.
 */
const TAKE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'busy' end
local nd = tonumber(ARGV[2])
local taken = {}
for i = 3, #ARGV do
  local key = KEYS[3]
  if i - 2 <= nd then key = KEYS[2] end
  if redis.call('LREM', key, 1, ARGV[i]) == 1 then
    taken[#taken + 1] = i
  else
    for j = #taken, 1, -1 do
      local k = taken[j]
      local back = KEYS[3]
      if k - 2 <= nd then back = KEYS[2] end
      redis.call('LPUSH', back, ARGV[k])
    end
    return 'stale'
  end
end
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1]) end
return 'taken'
`;

/** KEYS: pending. ARGV: the ref's subscription id, type, id. Deletes the pending release only if it is this one. */
const SETTLE = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ref = cjson.decode(v).ref
if ref.subscriptionId == ARGV[1] and ref.type == ARGV[2] and ref.id == ARGV[3] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

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

  async take(
    subscriptionId: string,
    tokens: Readonly<Partial<Record<HeldList, readonly string[]>>>,
    pending: PendingRelease | null,
  ): Promise<'taken' | 'busy' | 'stale'> {
    const digest = tokens.digest ?? [];
    const snooze = tokens.snooze ?? [];
    const res = await this.redis.eval(
      TAKE,
      3,
      this.keys.releasePending(subscriptionId),
      this.keys.held(subscriptionId),
      this.keys.snoozeHeld(subscriptionId),
      pending === null ? '' : JSON.stringify(pending),
      digest.length,
      ...digest,
      ...snooze,
    );
    return res as 'taken' | 'busy' | 'stale';
  }

  async pending(subscriptionId: string): Promise<PendingRelease | null> {
    const raw = await this.redis.get(this.keys.releasePending(subscriptionId));
    return raw === null ? null : (JSON.parse(raw) as PendingRelease);
  }

  async settle(subscriptionId: string, ref: MessageRef): Promise<void> {
    await this.redis.eval(SETTLE, 1, this.keys.releasePending(subscriptionId), ref.subscriptionId, ref.type, ref.id);
  }
}
