/**
 * SubscriptionStore on Redis: one hash per subscription, one hash of rules per subscription
 * (field = short rule id), and the rule's index entry written in the same atomic step, so a rule
 * is never stored without being evaluated nor evaluated after being removed.
 */
import type { RedisClient } from './connection.ts';
import type { SubscriptionStore } from '../alerting/ports.ts';
import { MAX_RULES_PER_SUBSCRIPTION, type Rule, type RuleSpec, type Subscription } from '../alerting/types.ts';
import {
  SUBSCRIPTION_OPTIONAL_FIELDS,
  compareRuleIds,
  decodeRule,
  decodeSubscription,
  encodeRule,
  encodeSubscription,
} from './codec.ts';
import { defaultIndexPlan, type IndexPlan } from './index-plan.ts';
import { engineKeys, ruleKey, type EngineKeys } from './keys.ts';
import { MIGRATION_POINTER_TTL_SEC } from './migration-pointers.ts';
import { RedisRuleIndex } from './rule-index.ts';
import { isBroadcast } from '../alerting/broadcast.ts';

/**
 * KEYS: subscription hash, rules hash, index key. ARGV: max rules, encoded rule, 'z'|'e', score, member prefix.
 * Both index kinds are sorted sets (an event index scores every member 0).
 * Allocates the next id from the subscription's counter so ids stay short and never reused.
 */
const ADD_RULE = `
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[1]) then return -1 end
local id = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[2], tostring(id), ARGV[2])
local member = ARGV[5] .. tostring(id)
redis.call('ZADD', KEYS[3], ARGV[4], member)
return id`;

export interface RedisStoreOptions {
  keys?: EngineKeys;
  plan?: IndexPlan;
}

export class RedisSubscriptionStore implements SubscriptionStore {
  private readonly keys: EngineKeys;
  private readonly plan: IndexPlan;
  private readonly index: RedisRuleIndex;

  constructor(
    private readonly redis: RedisClient,
    opts: RedisStoreOptions = {},
  ) {
    this.keys = opts.keys ?? engineKeys();
    this.plan = opts.plan ?? defaultIndexPlan;
    this.index = new RedisRuleIndex(redis, this.keys);
  }

  async get(id: string): Promise<Subscription | null> {
    return decodeSubscription(id, await this.redis.hgetall(this.keys.subscription(id)));
  }

  async put(sub: Subscription): Promise<void> {
    const key = this.keys.subscription(sub.id);
    // Defaults are not stored, so a replace first clears every optional field (the rule counter stays).
    const tx = this.redis
      .multi()
      .hdel(key, ...SUBSCRIPTION_OPTIONAL_FIELDS)
      .hset(key, encodeSubscription(sub));
    // The operator's channels are listed, so the evaluator can tell them before anyone else.
    if (isBroadcast(sub)) tx.sadd(this.keys.broadcastSubscriptions(), sub.id);
    else tx.srem(this.keys.broadcastSubscriptions(), sub.id);
    await tx.exec();
  }

  async remove(id: string): Promise<void> {
    const rules = await this.listRules(id);
    const tx = this.redis.multi();
    for (const r of rules) this.index.unplace(tx, ruleKey(id, r.id), this.plan.placement(r));
    tx.del(
      this.keys.subscription(id),
      this.keys.rules(id),
      this.keys.states(id),
      this.keys.held(id),
      this.keys.snoozeHeld(id),
      this.keys.releasePending(id),
    );
    tx.srem(this.keys.broadcastSubscriptions(), id);
    await tx.exec();
  }

  async setActive(id: string, active: boolean): Promise<void> {
    const key = this.keys.subscription(id);
    if ((await this.redis.exists(key)) !== 1) return;
    if (active) await this.redis.hdel(key, 'a');
    else await this.redis.hset(key, 'a', '0');
  }

  async listRules(subscriptionId: string): Promise<Rule[]> {
    const h = await this.redis.hgetall(this.keys.rules(subscriptionId));
    return Object.entries(h)
      .map(([id, json]) => decodeRule(subscriptionId, id, json))
      .sort((a, b) => compareRuleIds(a.id, b.id));
  }

  async addRule(subscriptionId: string, spec: RuleSpec, nowSec: number): Promise<Rule | 'too-many-rules'> {
    const p = this.plan.placement(spec);
    const indexKey = p.mode === 'event' ? this.keys.eventIndex(p.series) : this.keys.fireIndex(p.series);
    const id = (await this.redis.eval(
      ADD_RULE,
      3,
      this.keys.subscription(subscriptionId),
      this.keys.rules(subscriptionId),
      indexKey,
      MAX_RULES_PER_SUBSCRIPTION,
      encodeRule(spec, nowSec),
      p.mode === 'event' ? 'e' : 'z',
      p.mode === 'event' ? 0 : p.fire,
      ruleKey(subscriptionId, ''),
    )) as number;
    if (id < 0) return 'too-many-rules';
    return { ...spec, id: String(id), subscriptionId, createdSec: nowSec };
  }

  async rename(fromId: string, toId: string, patch: Pick<Subscription, 'targetId'>): Promise<boolean> {
    const k = this.keys;
    const [fromExists, toExists] = await Promise.all([
      this.redis.exists(k.subscription(fromId)),
      this.redis.exists(k.subscription(toId)),
    ]);
    if (fromExists !== 1 || toExists === 1) return false;
    const rules = await this.listRules(fromId);
    // Where each rule waits now (fire or resolve set), so it waits there under its new name.
    const read = this.redis.pipeline();
    for (const r of rules) {
      const p = this.plan.placement(r);
      const member = ruleKey(fromId, r.id);
      if (p.mode === 'level') read.zscore(k.resolveIndex(p.series), member);
      else read.echo('');
      // A firing under-water rule's next reminder and escalation level move with it.
      read.zscore(k.repeatIndex(p.series, 'due'), member);
      read.zscore(k.repeatIndex(p.series, 'deeper'), member);
      // An eased estimate still carrying what it told stays where the epoch sweep finds it.
      read.zscore(k.toldIndex(p.series), member);
    }
    const res = ((await read.exec()) ?? []).map(([, v]) => v as string | null);
    const score = (v: string | null | undefined): number | null =>
      v === null || v === undefined || v === '' ? null : Number(v);
    const tx = this.redis.multi();
    rules.forEach((r, i) => {
      const p = this.plan.placement(r);
      this.index.unplace(tx, ruleKey(fromId, r.id), p);
      const inResolve = score(res[4 * i]) !== null;
      this.index.place(tx, ruleKey(toId, r.id), p, inResolve ? 'firing' : 'ok');
      const due = score(res[4 * i + 1]);
      const deeper = score(res[4 * i + 2]);
      if (due !== null || deeper !== null) this.index.placeRepeat(tx, ruleKey(toId, r.id), p.series, due, deeper);
      if (score(res[4 * i + 3]) !== null) this.index.placeTold(tx, ruleKey(toId, r.id), p.series, true);
    });
    // Deliver jobs queued under the old id follow this pointer (./migration-pointers.ts).
    tx.set(k.migrationPointer(fromId), toId, 'EX', MIGRATION_POINTER_TTL_SEC);
    tx.rename(k.subscription(fromId), k.subscription(toId));
    tx.hset(k.subscription(toId), 'i', patch.targetId);
    if ((await this.redis.srem(k.broadcastSubscriptions(), fromId)) === 1) tx.sadd(k.broadcastSubscriptions(), toId);
    for (const key of [k.rules, k.states, k.held, k.snoozeHeld, k.releasePending] as const) {
      if ((await this.redis.exists(key(fromId))) === 1) tx.rename(key(fromId), key(toId));
    }
    await tx.exec();
    return true;
  }

  async removeRule(subscriptionId: string, ruleId: string): Promise<boolean> {
    const json = await this.redis.hget(this.keys.rules(subscriptionId), ruleId);
    if (json === null) return false;
    const rule = decodeRule(subscriptionId, ruleId, json);
    const tx = this.redis.multi();
    this.index.unplace(tx, ruleKey(subscriptionId, ruleId), this.plan.placement(rule));
    tx.hdel(this.keys.rules(subscriptionId), ruleId);
    tx.hdel(this.keys.states(subscriptionId), ruleId);
    const res = await tx.exec();
    const hdel = res?.at(-2);
    return hdel !== undefined && hdel[1] === 1;
  }
}
