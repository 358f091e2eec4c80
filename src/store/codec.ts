/**
 * Compact string encodings for what the engine keeps per subscription and per rule. Redis memory
 * per rule is a product goal (≤ 300 bytes at a million subscriptions), so fields are short,
 * defaults are not stored and rule specs are positional strings.
 */
import { DESCRIPTORS, perKind } from '../alerting/kinds/registry.ts';
import type { Rule, RuleKind, RuleSpec, RuleState, Subscription } from '../alerting/types.ts';

/** Optional subscription fields; written only when they differ from the default (memory per rule). */
export const SUBSCRIPTION_OPTIONAL_FIELDS = ['p', 't', 'i', 'o', 'z', 'q', 'm', 'a', 'sz'] as const;

/** `platform-targetType-targetId` split back into its parts (targetId may itself contain '-'). */
function splitId(id: string): { platform: string; targetType: string; targetId: string } | null {
  const a = id.indexOf('-');
  const b = a < 0 ? -1 : id.indexOf('-', a + 1);
  if (a <= 0 || b <= a + 1 || b === id.length - 1) return null;
  return { platform: id.slice(0, a), targetType: id.slice(a + 1, b), targetId: id.slice(b + 1) };
}

/**
 * Subscription → hash fields, defaults left out: the platform, target and owner are implied by
 * the id for most subscriptions, so a typical one stores only its creation time.
 */
export function encodeSubscription(sub: Subscription): Record<string, string> {
  const out: Record<string, string> = { c: String(sub.createdSec) };
  const parts = splitId(sub.id);
  if (
    !parts ||
    parts.platform !== sub.platform ||
    parts.targetType !== sub.targetType ||
    parts.targetId !== sub.targetId
  ) {
    Object.assign(out, { p: sub.platform, t: sub.targetType, i: sub.targetId });
  }
  if (sub.ownerId !== sub.targetId) out['o'] = sub.ownerId;
  if (sub.timeZone !== 'UTC') out['z'] = sub.timeZone;
  if (sub.quiet !== null) out['q'] = `${sub.quiet.startMin}-${sub.quiet.endMin}`;
  if (sub.mutedUntilSec !== null) out['m'] = String(sub.mutedUntilSec);
  if (!sub.active) out['a'] = '0';
  const snoozed = Object.entries(sub.snoozed ?? {});
  if (snoozed.length > 0) out['sz'] = snoozed.map(([id, until]) => `${id}:${until}`).join(',');
  return out;
}

/** Inverse of encodeSubscription; null when the hash is empty or not a subscription. */
export function decodeSubscription(id: string, h: Record<string, string>): Subscription | null {
  if (h['c'] === undefined) return null;
  const parts = splitId(id);
  const platform = h['p'] ?? parts?.platform;
  const targetId = h['i'] ?? parts?.targetId;
  if (platform === undefined || targetId === undefined) return null;
  const q = h['q'] ?? '';
  const dash = q.indexOf('-');
  return {
    id,
    platform: platform as Subscription['platform'],
    targetType: (h['t'] ?? parts?.targetType ?? 'chat') as Subscription['targetType'],
    targetId,
    ownerId: h['o'] ?? targetId,
    timeZone: h['z'] || 'UTC',
    quiet: dash > 0 ? { startMin: Number(q.slice(0, dash)), endMin: Number(q.slice(dash + 1)) } : null,
    mutedUntilSec: h['m'] ? Number(h['m']) : null,
    active: h['a'] !== '0',
    createdSec: Number(h['c']),
    ...(h['sz'] ? { snoozed: decodeSnoozed(h['sz']) } : {}),
  };
}

function decodeSnoozed(raw: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of raw.split(',')) {
    const i = pair.lastIndexOf(':');
    const until = Number(pair.slice(i + 1));
    if (i > 0 && Number.isFinite(until)) out[pair.slice(0, i)] = until;
  }
  return out;
}

/**
 * Short code and parameter order per kind, from its descriptor: `hd|1750000000|10|3d|30d`
 * instead of 75 bytes of JSON.
 */
const RULE_CODES: Readonly<Record<RuleKind, readonly [code: string, params: readonly string[]]>> = perKind((d) => [
  d.code,
  d.params.map((p) => p.name),
]);
const KIND_BY_CODE = new Map(DESCRIPTORS.map((d) => [d.code, { kind: d.kind, params: RULE_CODES[d.kind][1] }]));
/** Parameters stored as their text (windows, directions); the rest are numbers. */
const TEXT_PARAMS = new Set<string>(
  DESCRIPTORS.flatMap((d) => d.params.filter((p) => p.stored === 'text').map((p) => p.name)),
);
/** Parameters added later and optional: absent from older encodings, and not written when unset. */
const OPTIONAL_PARAMS = new Set<string>(
  DESCRIPTORS.flatMap((d) => d.params.filter((p) => p.optional).map((p) => p.name)),
);

/** A rule's spec and creation time as one short string; id and owner are implied by where it is stored. */
export function encodeRule(spec: RuleSpec, createdSec: number): string {
  const [code, params] = RULE_CODES[spec.kind];
  const rec = spec as unknown as Record<string, string | number | undefined>;
  const values = params.filter((p) => !OPTIONAL_PARAMS.has(p) || rec[p] !== undefined).map((p) => String(rec[p]));
  return [code, String(createdSec), ...values].join('|');
}

export function decodeRule(subscriptionId: string, id: string, raw: string): Rule {
  const [code = '', created = '0', ...values] = raw.split('|');
  const def = KIND_BY_CODE.get(code);
  if (def === undefined) throw new Error(`unknown rule encoding in ${subscriptionId}/${id}`);
  const spec: Record<string, string | number> = { kind: def.kind };
  def.params.forEach((p, i) => {
    if (OPTIONAL_PARAMS.has(p) && (values[i] === undefined || values[i] === '')) return;
    spec[p] = TEXT_PARAMS.has(p) ? (values[i] ?? '') : Number(values[i]);
  });
  return { ...(spec as unknown as RuleSpec), id, subscriptionId, createdSec: Number(created) };
}

/**
 * `status|lastHeight|lastHash|firingSinceHeight|lastNotifiedSec`, nulls empty; a rule that has
 * told something adds `|sinceSec|toldValue|toldLow|toldHigh|toldSec|toldHeight|toldDepth`
 * (under-water reminders, the retarget notice's look back), so most states stay five fields.
 */
export function encodeState(s: RuleState): string {
  const base = [
    s.status === 'firing' ? 'f' : 'o',
    s.lastHeight,
    s.lastHash,
    s.firingSinceHeight ?? '',
    s.lastNotifiedSec ?? '',
  ];
  const t = s.told ?? null;
  const since = s.sinceSec ?? null;
  if (t === null && since === null) return base.join('|');
  const num = (n: number | undefined | null): string => (n === undefined || n === null ? '' : String(n));
  const told =
    t === null
      ? ['', '', '', '', '', '']
      : [num(t.value), num(t.low), num(t.high), num(t.sec), num(t.height), num(t.depth)];
  return [...base, num(since), ...told].join('|');
}

export function decodeState(raw: string): RuleState | null {
  const [st, h, hash, since, notified, sinceSec, tv, tlo, thi, tsec, th, tdepth] = raw.split('|');
  if (st === undefined || h === undefined || hash === undefined) return null;
  const state: RuleState = {
    status: st === 'f' ? 'firing' : 'ok',
    lastHeight: Number(h),
    lastHash: hash,
    firingSinceHeight: since ? Number(since) : null,
    lastNotifiedSec: notified ? Number(notified) : null,
  };
  if (sinceSec === undefined) return state;
  const told = tv
    ? {
        value: Number(tv),
        sec: Number(tsec),
        height: Number(th),
        ...(tlo && thi ? { low: Number(tlo), high: Number(thi) } : {}),
        ...(tdepth ? { depth: Number(tdepth) } : {}),
      }
    : null;
  return { ...state, sinceSec: sinceSec ? Number(sinceSec) : null, told };
}

/** Numeric order of short rule ids ('2' before '10'), other strings after, alphabetically. */
export function compareRuleIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
