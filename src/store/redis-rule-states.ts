/**
 * RuleStateStore on Redis: states live in one hash per subscription (field = rule id), so
 * forgetting a subscription is one DEL and per-rule memory stays a hash field.
 */
import type { RedisClient } from './connection.ts';
import type { RuleStateStore } from '../alerting/ports.ts';
import type { RuleState } from '../alerting/types.ts';
import { decodeState, encodeState } from './codec.ts';
import { engineKeys, splitRuleKey, type EngineKeys } from './keys.ts';

export class RedisRuleStateStore implements RuleStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys = engineKeys(),
  ) {}

  async get(key: string): Promise<RuleState | null> {
    const k = splitRuleKey(key);
    if (k === null) return null;
    const raw = await this.redis.hget(this.keys.states(k.subscriptionId), k.ruleId);
    return raw === null ? null : decodeState(raw);
  }

  async put(key: string, state: RuleState): Promise<void> {
    const k = splitRuleKey(key);
    if (k === null) throw new Error(`not a rule key: ${key}`);
    await this.redis.hset(this.keys.states(k.subscriptionId), k.ruleId, encodeState(state));
  }
}
