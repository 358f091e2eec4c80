/**
 * In-memory fakes of the alerting ports, for unit tests and offline runs. They follow the same
 * contract suite as the Redis stores (test/contract/), so a test passing on a fake means
 * something about production.
 */
import type { NotificationLog, RuleStateStore, SubscriptionStore } from '../../src/alerting/ports.ts';
import {
  MAX_RULES_PER_SUBSCRIPTION,
  type Rule,
  type RuleSpec,
  type RuleState,
  type Subscription,
} from '../../src/alerting/types.ts';
import { compareRuleIds } from '../../src/store/codec.ts';
import { splitRuleKey } from '../../src/store/keys.ts';

export class MemorySubscriptionStore implements SubscriptionStore {
  private readonly subs = new Map<string, Subscription>();
  private readonly rules = new Map<string, Map<string, Rule>>();
  private readonly counters = new Map<string, number>();
  /** Rule states are dropped with their rules; tests can share this with MemoryRuleStateStore. */
  constructor(private readonly states?: MemoryRuleStateStore) {}

  async get(id: string): Promise<Subscription | null> {
    return this.subs.get(id) ?? null;
  }
  async put(sub: Subscription): Promise<void> {
    this.subs.set(sub.id, sub);
  }
  async remove(id: string): Promise<void> {
    this.subs.delete(id);
    this.rules.delete(id);
    this.counters.delete(id);
    this.states?.forgetSubscription(id);
  }
  async setActive(id: string, active: boolean): Promise<void> {
    const s = this.subs.get(id);
    if (s) this.subs.set(id, { ...s, active });
  }
  async listRules(subscriptionId: string): Promise<Rule[]> {
    return [...(this.rules.get(subscriptionId)?.values() ?? [])].sort((a, b) => compareRuleIds(a.id, b.id));
  }
  async addRule(subscriptionId: string, spec: RuleSpec, nowSec: number): Promise<Rule | 'too-many-rules'> {
    const own = this.rules.get(subscriptionId) ?? new Map<string, Rule>();
    if (own.size >= MAX_RULES_PER_SUBSCRIPTION) return 'too-many-rules';
    const n = (this.counters.get(subscriptionId) ?? 0) + 1;
    this.counters.set(subscriptionId, n);
    const rule: Rule = { ...spec, id: String(n), subscriptionId, createdSec: nowSec };
    own.set(rule.id, rule);
    this.rules.set(subscriptionId, own);
    return rule;
  }
  async rename(fromId: string, toId: string, patch: Pick<Subscription, 'targetId'>): Promise<boolean> {
    const sub = this.subs.get(fromId);
    if (!sub || this.subs.has(toId)) return false;
    this.subs.set(toId, { ...sub, id: toId, targetId: patch.targetId });
    this.rules.set(
      toId,
      new Map(
        [...(this.rules.get(fromId) ?? new Map<string, Rule>())].map(([id, r]) => [id, { ...r, subscriptionId: toId }]),
      ),
    );
    this.counters.set(toId, this.counters.get(fromId) ?? 0);
    this.states?.renameSubscription(fromId, toId);
    this.subs.delete(fromId);
    this.rules.delete(fromId);
    this.counters.delete(fromId);
    return true;
  }

  async removeRule(subscriptionId: string, ruleId: string): Promise<boolean> {
    const removed = this.rules.get(subscriptionId)?.delete(ruleId) ?? false;
    if (removed) this.states?.forget(`${subscriptionId}/${ruleId}`);
    return removed;
  }
}

export class MemoryRuleStateStore implements RuleStateStore {
  private readonly states = new Map<string, RuleState>();
  async get(key: string): Promise<RuleState | null> {
    return this.states.get(key) ?? null;
  }
  async put(key: string, state: RuleState): Promise<void> {
    if (splitRuleKey(key) === null) throw new Error(`not a rule key: ${key}`);
    this.states.set(key, state);
  }
  forget(key: string): void {
    this.states.delete(key);
  }
  renameSubscription(fromId: string, toId: string): void {
    for (const [k, v] of [...this.states]) {
      const parts = splitRuleKey(k);
      if (parts?.subscriptionId === fromId) {
        this.states.delete(k);
        this.states.set(`${toId}/${parts.ruleId}`, v);
      }
    }
  }
  forgetSubscription(id: string): void {
    for (const k of this.states.keys()) if (splitRuleKey(k)?.subscriptionId === id) this.states.delete(k);
  }
}

/** Notification log with an injectable clock so TTL expiry is testable without waiting. */
export class MemoryNotificationLog implements NotificationLog {
  private readonly expiries = new Map<string, number>();
  constructor(private readonly nowMs: () => number = Date.now) {}
  private live(key: string): boolean {
    const exp = this.expiries.get(key);
    if (exp === undefined) return false;
    if (exp <= this.nowMs()) {
      this.expiries.delete(key);
      return false;
    }
    return true;
  }
  async claim(key: string, ttlSec: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.expiries.set(key, this.nowMs() + Math.max(1, Math.ceil(ttlSec)) * 1000);
    return true;
  }
  async has(key: string): Promise<boolean> {
    return this.live(key);
  }
  async release(key: string): Promise<void> {
    this.expiries.delete(key);
  }
}
