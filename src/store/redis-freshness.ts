/**
 * FreshnessStore on Redis (issue 14 item 3): per subscription, `qr:<sub>` (rule → newest queued
 * block height) and `rp:<sub>` (rule → height of the superseded alert the next message replaces).
 * Every script touches only one subscription's keys (Redis Cluster: one slot once keys are
 * hash-tagged per subscription). Both hashes expire with the notification log's TTL.
 */
import type { RedisClient } from './connection.ts';
import type { Freshness, FreshnessStore, OutboundMessage } from '../alerting/ports.ts';
import { NOTIFICATION_TTL_SEC } from '../alerting/pipeline.ts';
import { engineKeys, type EngineKeys } from './keys.ts';

/** KEYS[1] qr; ARGV: ttl, height, rules…  Raises each rule's newest queued height to `height`. */
const QUEUED = `
local h = tonumber(ARGV[2])
for i = 3, #ARGV do
  local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if cur < h then redis.call('HSET', KEYS[1], ARGV[i], h) end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

/**
 * KEYS[1] qr, KEYS[2] rp; ARGV: ttl, height, rules…  Returns a flat list of
 * (rule, 's'|'r', other height): superseded by a newer queued block, or replacing an older one.
 */
const CHECK = `
local h = tonumber(ARGV[2])
local out = {}
for i = 3, #ARGV do
  local rule = ARGV[i]
  local newest = tonumber(redis.call('HGET', KEYS[1], rule) or '-1')
  if newest > h then
    local prev = tonumber(redis.call('HGET', KEYS[2], rule) or '-1')
    if prev < h then redis.call('HSET', KEYS[2], rule, h) end
    table.insert(out, rule); table.insert(out, 's'); table.insert(out, tostring(newest))
  else
    local old = tonumber(redis.call('HGET', KEYS[2], rule) or '-1')
    if old >= 0 and old < h then
      table.insert(out, rule); table.insert(out, 'r'); table.insert(out, tostring(old))
    end
  end
end
redis.call('EXPIRE', KEYS[2], ARGV[1])
return out`;

/** KEYS[1] rp; ARGV: height, rules…  Drops the notes older than `height` (they were said). */
const SAID = `
local h = tonumber(ARGV[1])
for i = 2, #ARGV do
  local old = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
  if old >= 0 and old < h then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1`;

export class RedisFreshness implements FreshnessStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys = engineKeys(),
  ) {}

  async queued(messages: ReadonlyArray<Pick<OutboundMessage, 'subscriptionId' | 'height' | 'events'>>): Promise<void> {
    if (messages.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const m of messages) {
      const rules = [...new Set(m.events.map((e) => e.rule))];
      if (rules.length === 0) continue;
      pipe.eval(QUEUED, 1, this.keys.queuedRules(m.subscriptionId), NOTIFICATION_TTL_SEC, m.height, ...rules);
    }
    const res = await pipe.exec();
    const failed = res?.find(([err]) => err !== null);
    if (failed) throw failed[0] as Error;
  }

  async check(subscriptionId: string, height: number, rules: readonly string[]): Promise<Freshness> {
    const superseded = new Map<string, number>();
    const replaced = new Map<string, number>();
    if (rules.length === 0) return { superseded, replaced };
    const flat = (await this.redis.eval(
      CHECK,
      2,
      this.keys.queuedRules(subscriptionId),
      this.keys.replacedRules(subscriptionId),
      NOTIFICATION_TTL_SEC,
      height,
      ...rules,
    )) as string[];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const [rule, tag, other] = [flat[i] as string, flat[i + 1], Number(flat[i + 2])];
      (tag === 's' ? superseded : replaced).set(rule, other);
    }
    return { superseded, replaced };
  }

  async said(subscriptionId: string, height: number, rules: readonly string[]): Promise<void> {
    if (rules.length === 0) return;
    await this.redis.eval(SAID, 1, this.keys.replacedRules(subscriptionId), height, ...rules);
  }
}
