/**
 * Every Redis key the alert engine uses, built in one place so a prefix isolates tests, benches
 * and deployments sharing one Redis, and so nobody invents a key shape elsewhere. Keys are short
 * on purpose: with a million subscriptions every byte of a key name is paid a million times.
 */

/** Separates subscription id and rule id in a rule key / index member ('/' never occurs in a subscription id). */
export const RULE_KEY_SEP = '/';

/** `subId/ruleId`: how a rule is named across subscriptions (state store, index members). */
export function ruleKey(subscriptionId: string, ruleId: string): string {
  return `${subscriptionId}${RULE_KEY_SEP}${ruleId}`;
}

/** Inverse of ruleKey; null when the key is not one. */
export function splitRuleKey(key: string): { subscriptionId: string; ruleId: string } | null {
  const i = key.lastIndexOf(RULE_KEY_SEP);
  if (i <= 0 || i === key.length - 1) return null;
  return { subscriptionId: key.slice(0, i), ruleId: key.slice(i + 1) };
}

/** Key builders bound to one prefix (e.g. `hb:` in production, `hb-test-engine-x:` in tests). */
export interface EngineKeys {
  readonly prefix: string;
  /** Hash: the subscription's fields plus its rule-id counter. */
  subscription(subId: string): string;
  /** Hash: ruleId → compact JSON of the rule spec and creation time. */
  rules(subId: string): string;
  /** Hash: ruleId → compact encoded RuleState. */
  states(subId: string): string;
  /** Sorted set of rules waiting to fire on a series (score = fire level). */
  fireIndex(series: string): string;
  /** Sorted set of firing rules waiting to resolve on a series (score = resolve level). */
  resolveIndex(series: string): string;
  /** Set of rules that react to an event series (every block, retarget) rather than a level. */
  eventIndex(series: string): string;
  /**
   * Sorted sets of FIRING under-water rules (breakeven, hashprice-below, hashrate-below): 'due'
   * scored by when the next reminder is due (unix s), 'deeper' by the compared value at which
   * they escalate (alerting/lifecycle-repeat.ts).
   */
  repeatIndex(series: string, which: 'due' | 'deeper'): string;
  /** String with TTL: one delivered (or being delivered) notification. */
  notification(key: string): string;
  /** List of JSON AlertEvents held by quiet hours / mute until the digest goes out. */
  held(subId: string): string;
  /** Hash: ruleId → height of the newest block whose message for that rule was queued (freshness). */
  queuedRules(subId: string): string;
  /** Hash: ruleId → height of the block whose queued alert for that rule was superseded, unsaid yet. */
  replacedRules(subId: string): string;
  /** List of JSON AlertEvents of snoozed rules, held until their snooze ends. */
  snoozeHeld(subId: string): string;
  /** String with TTL: a moved subscription's new id (Telegram group → supergroup). */
  migrationPointer(fromSubId: string): string;
  /** String: a one-time data upgrade ran under this prefix (value: the height it ran at). */
  upgradeFlag(name: string): string;
  /** String: the last block seen by the slow-blocks ticker (`height hash timeSec`). */
  slowBlocksMark(): string;
  /** Sorted set of compact per-block chart points (src/charts/redis-chart-history.ts). */
  chartHistory(): string;
  /** Prefix of the shared PNG cache entries (src/charts/redis-chart-cache.ts). */
  chartCachePrefix(): string;
  /** Glob matching every key under this prefix (tests and benches clean up with it). */
  all(): string;
}

export function engineKeys(prefix = 'hb:'): EngineKeys {
  const p = prefix;
  return {
    prefix: p,
    subscription: (s) => `${p}s:${s}`,
    rules: (s) => `${p}r:${s}`,
    states: (s) => `${p}st:${s}`,
    fireIndex: (series) => `${p}ix:${series}:f`,
    resolveIndex: (series) => `${p}ix:${series}:r`,
    eventIndex: (series) => `${p}ix:${series}:e`,
    repeatIndex: (series, which) => `${p}ix:${series}:${which === 'due' ? 'w' : 'x'}`,
    notification: (k) => `${p}n:${k}`,
    held: (s) => `${p}h:${s}`,
    queuedRules: (s) => `${p}qr:${s}`,
    replacedRules: (s) => `${p}rp:${s}`,
    snoozeHeld: (s) => `${p}hz:${s}`,
    migrationPointer: (s) => `${p}mv:${s}`,
    upgradeFlag: (name) => `${p}mig:${name}`,
    slowBlocksMark: () => `${p}slow`,
    chartHistory: () => `${p}chart-history`,
    chartCachePrefix: () => `${p}chart:`,
    all: () => `${p}*`,
  };
}
