/**
 * Compact string encodings for what the engine keeps per subscription and per rule. Redis memory
 * per rule is a product goal (≤ 300 bytes at a million subscriptions), so fields are short, nulls
 * are empty strings and rule specs are JSON without the fields every rule repeats.
 */
import type { Rule, RuleSpec, RuleState, Subscription } from '../alerting/types.ts';

/** Subscription → flat hash fields (HSET). The rule-id counter `n` is kept beside them. */
export function encodeSubscription(sub: Subscription): Record<string, string> {
  return {
    p: sub.platform,
    t: sub.targetType,
    i: sub.targetId,
    o: sub.ownerId,
    z: sub.timeZone,
    q: sub.quiet === null ? '' : `${sub.quiet.startMin}-${sub.quiet.endMin}`,
    m: sub.mutedUntilSec === null ? '' : String(sub.mutedUntilSec),
    a: sub.active ? '1' : '0',
    c: String(sub.createdSec),
  };
}

/** Inverse of encodeSubscription; null when the hash is empty or not a subscription. */
export function decodeSubscription(id: string, h: Record<string, string>): Subscription | null {
  if (h['p'] === undefined || h['i'] === undefined) return null;
  const q = h['q'] ?? '';
  const dash = q.indexOf('-');
  return {
    id,
    platform: h['p'] as Subscription['platform'],
    targetType: (h['t'] ?? 'chat') as Subscription['targetType'],
    targetId: h['i'],
    ownerId: h['o'] ?? '',
    timeZone: h['z'] || 'UTC',
    quiet: dash > 0 ? { startMin: Number(q.slice(0, dash)), endMin: Number(q.slice(dash + 1)) } : null,
    mutedUntilSec: h['m'] ? Number(h['m']) : null,
    active: h['a'] !== '0',
    createdSec: Number(h['c'] ?? 0),
  };
}

/** A rule's spec and creation time as one JSON value; id and owner are implied by where it is stored. */
export function encodeRule(spec: RuleSpec, createdSec: number): string {
  return JSON.stringify({ ...spec, c: createdSec });
}

export function decodeRule(subscriptionId: string, id: string, json: string): Rule {
  const { c, ...spec } = JSON.parse(json) as RuleSpec & { c: number };
  return { ...(spec as RuleSpec), id, subscriptionId, createdSec: c };
}

/** `status|lastHeight|lastHash|firingSinceHeight|lastNotifiedSec`, nulls empty. */
export function encodeState(s: RuleState): string {
  return [
    s.status === 'firing' ? 'f' : 'o',
    s.lastHeight,
    s.lastHash,
    s.firingSinceHeight ?? '',
    s.lastNotifiedSec ?? '',
  ].join('|');
}

export function decodeState(raw: string): RuleState | null {
  const [st, h, hash, since, notified] = raw.split('|');
  if (st === undefined || h === undefined || hash === undefined) return null;
  return {
    status: st === 'f' ? 'firing' : 'ok',
    lastHeight: Number(h),
    lastHash: hash,
    firingSinceHeight: since ? Number(since) : null,
    lastNotifiedSec: notified ? Number(notified) : null,
  };
}

/** Numeric order of short rule ids ('2' before '10'), other strings after, alphabetically. */
export function compareRuleIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
