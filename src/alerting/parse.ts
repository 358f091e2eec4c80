/**
 * Chat arguments → normalised RuleSpec (PRODUCT.md §5). Bad input is a Result with an identifier
 * and a reply-ready message plus a correct example; this module never throws on user input.
 *
 * The grammar is a table of slots per kind. Tokens may come in any order where that is
 * unambiguous (`3d 10%` = `10% 3d`): a token that fits exactly one slot is placed first; tokens
 * that fit several (`7d` is a hash-rate window and a lookback, `17 0.06` are both bare numbers)
 * then fill the remaining slots in the order the kind declares them.
 */
import { dirSlot, RANGES, type Slot } from './kinds/params.ts';
import { isRuleKind, perKind, REMINDER_KINDS } from './kinds/registry.ts';
import { err, ok, type Result } from './result.ts';
import { validateSpec } from './rule-schema.ts';
import { classify, spanSeconds, splitTokens, type Token } from './parse-tokens.ts';
import type { RuleKind, RuleSpec } from './types.ts';

export type ParseErrorId =
  | 'unknown-kind'
  | 'bad-percent'
  | 'bad-number'
  | 'out-of-range'
  | 'unknown-window'
  | 'missing-arg'
  | 'extra-arg'
  | 'unknown-arg'
  /** A minus sign on an amount (`-2%` pool fee, `-5`): refused with a reason, never read as 5. */
  | 'negative'
  /** A bare number implausible for its unit; `suggest` carries the likely-meant rule. */
  | 'implausible'
  | 'bad-remind';

/** A correct, copyable example per kind (its descriptor's): every error reply shows one. */
export const EXAMPLES: Readonly<Record<RuleKind, string>> = perKind(
  (d) => `/alert ${d.kind}${d.example === '' ? '' : ` ${d.example}`}`,
);

/** Each kind's grammar: the slots of its parameters, in the order its descriptor lists them. */
const SLOTS: Readonly<Record<RuleKind, readonly Slot[]>> = perKind((d) =>
  d.params.flatMap((p) => (p.slot === null ? [] : [p.slot])),
);

/** Normalises `Hashrate_Drop` / `hashrate-drop`; returns null when no kind matches. */
export function normaliseKind(kind: string): RuleKind | null {
  const k = kind.trim().toLowerCase().replace(/^\//, '').replaceAll('_', '-');
  return isRuleKind(k) ? k : null;
}

/** Parses `/alert <kind> <tokens…>`; every mistake gets an identifier, a message and an example. */
export function parseRule(kindIn: string, tokensIn: readonly string[]): Result<RuleSpec, ParseErrorId> {
  const kind = normaliseKind(String(kindIn));
  if (kind === null) {
    return err(
      'unknown-kind',
      `I don't know the alert kind "${String(kindIn).slice(0, 40)}". Kinds: ${Object.keys(EXAMPLES).join(', ')}.`,
      EXAMPLES['hashrate-drop'],
    );
  }
  const example = EXAMPLES[kind];
  const slots = SLOTS[kind];
  const filled = new Map<string, unknown>();
  const words: string[] = [];
  for (const w of splitTokens(tokensIn)) {
    const r = /^(?:remind|every)[:=](.+)$/i.exec(w);
    if (r === null) {
      words.push(w);
      continue;
    }
    if (!REMINDER_KINDS.has(kind))
      return err(
        'extra-arg',
        `${kind} has no reminders ("${w.slice(0, 40)}"); breakeven, hashprice-below and hashrate-below do.`,
        example,
      );
    const sec = remindSeconds(r[1]!);
    if (sec === null)
      return err(
        'bad-remind',
        `"${w.slice(0, 40)}" is not a reminder cadence; write remind:1w, remind:3d, remind:12h or remind:off.`,
        `${example} remind:3d`,
      );
    filled.set('remind', sec);
  }
  const tokens = words.map(classify).filter((t) => t.type !== 'noise');
  const negative = tokens.find(
    (t) => t.type === 'negative' || (t.type === 'pct' && t.sign === '-' && !slots.includes(dirSlot)),
  );
  if (negative !== undefined) {
    return err(
      'negative',
      `"${negative.raw.slice(0, 40)}" is negative: ${kind} takes no negative amounts${kind === 'breakeven' ? ' (a pool fee is 0 % or more)' : ''}.`,
      example,
    );
  }
  const deferred: Token[] = [];
  for (const t of tokens) {
    const fits = slots.filter((s) => s.accepts(t));
    if (fits.length === 0) return explain(kind, t, slots, example);
    if (fits.length === 1) {
      const s = fits[0] as Slot;
      if (filled.has(s.name)) return err('extra-arg', `"${t.raw}" is one ${s.name} too many for ${kind}.`, example);
      filled.set(s.name, s.value(t));
    } else deferred.push(t);
  }
  for (const t of deferred) {
    const s = slots.find((x) => x.accepts(t) && !filled.has(x.name));
    if (s === undefined) return err('extra-arg', `"${t.raw}" is one argument too many for ${kind}.`, example);
    filled.set(s.name, s.value(t));
  }
  const missing = slots.find((s) => s.required && !filled.has(s.name));
  if (missing) return err('missing-arg', `${kind} needs ${missing.what}.`, example);
  // A signed percentage (`+5%`, `-5%`) is a direction when none was given.
  const signed = tokens.find((t) => t.type === 'pct' && t.sign !== '');
  if (signed?.type === 'pct' && slots.includes(dirSlot) && !filled.has('direction')) {
    filled.set('direction', signed.sign === '+' ? 'up' : signed.sign === '-' ? 'down' : 'both');
  }
  if (kind === 'breakeven') swapIfReversed(filled);
  const odd = implausible(kind, tokens, slots, filled);
  if (odd !== null) return odd;
  return finish(kind, filled, example);
}

/** `1w` → 604800, `off` → 0; null when not a cadence (at most 90 days, at least an hour). */
export function remindSeconds(raw: string): number | null {
  const w = raw.trim().toLowerCase();
  if (w === 'off' || w === 'never' || w === '0') return 0;
  const t = classify(w);
  if (t.type !== 'span') return null;
  const sec = spanSeconds(t);
  return sec >= 3600 && sec <= 90 * 86_400 ? sec : null;
}

/**
 * A BARE number far outside what its unit makes plausible is probably another unit: hash price
 * < $1/PH/day is $/TH/day, hash rate < 10 EH/s is ZH/s, efficiency > 200 J/TH is J/PH, power
 * > $1/kWh is cents. The reply offers the conversion; nothing is stored.
 */
const PLAUSIBLE: Readonly<Record<string, { odd(v: number): boolean; factor: number; suffix: string; what: string }>> = {
  usd: { odd: (v) => v < 1, factor: 1000, suffix: '/PH', what: 'per TH/day' },
  ehs: { odd: (v) => v < 10, factor: 1000, suffix: 'EH/s', what: 'ZH/s' },
  jth: { odd: (v) => v > 200, factor: 0.001, suffix: 'J/TH', what: 'J/PH (W per PH/s)' },
  kwh: { odd: (v) => v > 1, factor: 0.01, suffix: '/kWh', what: 'cents per kWh' },
};

function implausible(
  kind: RuleKind,
  tokens: readonly Token[],
  slots: readonly Slot[],
  filled: Map<string, unknown>,
): Result<never, ParseErrorId> | null {
  for (const t of tokens) {
    if (t.type !== 'num' || t.unit !== '') continue;
    const slot = slots.find((s) => s.accepts(t) && filled.get(s.name) === t.value && Object.hasOwn(PLAUSIBLE, s.name));
    const rule = slot === undefined ? undefined : PLAUSIBLE[slot.name];
    if (slot === undefined || rule === undefined || !rule.odd(t.value)) continue;
    const meant = Number((t.value * rule.factor).toPrecision(12));
    const [lo, hi] = RANGES[slot.name as keyof typeof RANGES];
    if (meant <= 0 || meant < lo || meant > hi) continue;
    const fixed = words(
      kind,
      filled,
      slot.name,
      `${slot.name === 'usd' || slot.name === 'kwh' ? '$' : ''}${meant}${rule.suffix}`,
    );
    const unitNow =
      slot.name === 'usd' ? '$/PH/day' : slot.name === 'ehs' ? 'EH/s' : slot.name === 'jth' ? 'J/TH' : '$/kWh';
    return {
      ok: false,
      error: 'implausible',
      message: `${t.raw} ${unitNow} looks like ${rule.what}: did you mean ${meant} ${unitNow}? Nothing was added yet.`,
      example: `/alert ${kind} ${fixed.join(' ')}`,
      suggest: { kind, tokens: fixed, words: `${meant} ${unitNow}` },
    };
  }
  return null;
}

/** The rule's arguments with one slot replaced, in the kind's slot order (a copyable command). */
function words(kind: RuleKind, filled: Map<string, unknown>, name: string, replacement: string): string[] {
  const out: string[] = [];
  for (const s of SLOTS[kind]) {
    const v = filled.get(s.name);
    if (s.name === name) out.push(replacement);
    else if (v === undefined) continue;
    else if (s.name === 'jth') out.push(`${String(v)}J/TH`);
    else if (s.name === 'kwh') out.push(`$${String(v)}/kWh`);
    else if (s.name === 'pct' || s.name === 'poolfee') out.push(`${String(v)}%`);
    else out.push(String(v));
  }
  const r = filled.get('remind');
  if (typeof r === 'number') out.push(r === 0 ? 'remind:off' : `remind:${Math.round(r / 3600)}h`);
  return out;
}

/** `/alert breakeven 0.06 17` is unambiguous: no rig uses 0.06 J/TH and no power costs $17/kWh. */
function swapIfReversed(filled: Map<string, unknown>): void {
  const jth = filled.get('jth');
  const kwh = filled.get('kwh');
  if (typeof jth === 'number' && typeof kwh === 'number' && jth < RANGES.jth[0] && kwh > RANGES.kwh[1]) {
    filled.set('jth', kwh);
    filled.set('kwh', jth);
  }
}

function finish(kind: RuleKind, filled: Map<string, unknown>, example: string): Result<RuleSpec, ParseErrorId> {
  for (const [name, value] of filled) {
    if (typeof value !== 'number' || !Object.hasOwn(RANGES, name)) continue;
    const [lo, hi] = RANGES[name as keyof typeof RANGES];
    const tooLow = name === 'usd' ? value <= lo : value < lo;
    if (tooLow || value > hi) {
      const bound = name === 'usd' ? `above ${lo} and at most ${hi}` : `between ${lo} and ${hi}`;
      return err('out-of-range', `${name} must be ${bound} (you gave ${value}).`, example);
    }
    if ((name === 'blocks' || name === 'minutes') && !Number.isInteger(value)) {
      return err('bad-number', `${name} must be a whole number (you gave ${value}).`, example);
    }
  }
  const checked = validateSpec({ kind, ...Object.fromEntries(filled) });
  if (!checked.ok) return err('out-of-range', `${checked.path}: ${checked.message}`, example);
  return ok(checked.spec);
}

function explain(kind: RuleKind, t: Token, slots: readonly Slot[], example: string): Result<never, ParseErrorId> {
  const raw = t.raw.slice(0, 40);
  switch (t.type) {
    case 'bad-pct':
      return err('bad-percent', `"${raw}" is not a percentage; write it like 10% or 10.`, example);
    case 'pct':
      return slots.some((s) => s.name === 'pct' || s.name === 'poolfee')
        ? err('extra-arg', `"${raw}" is one percentage too many for ${kind}.`, example)
        : err(
            'bad-number',
            `${kind} takes no percentage ("${raw}"); give ${slots[0]?.what ?? 'no arguments'}.`,
            example,
          );
    case 'span': {
      const windowed = slots.filter((s) => s.name === 'window' || s.name === 'lookback');
      if (windowed.length === 0) return err('extra-arg', `${kind} takes no window ("${raw}").`, example);
      return err(
        'unknown-window',
        `"${raw}" is not a window for ${kind}; use ${windowed.map((s) => s.what).join(' or ')}.`,
        example,
      );
    }
    case 'num':
      return slots.length === 0
        ? err('extra-arg', `${kind} takes no arguments ("${raw}").`, example)
        : err('extra-arg', `"${raw}" is one number too many for ${kind}.`, example);
    case 'dir':
      return err('extra-arg', `${kind} takes no direction ("${raw}").`, example);
    case 'negative':
      return err('negative', `"${raw}" is negative: ${kind} takes no negative amounts.`, example);
    default:
      return err('unknown-arg', `I don't understand "${raw}" for ${kind}.`, example);
  }
}
