/**
 * Chat arguments → normalised RuleSpec (PRODUCT.md §5). Bad input is a Result with an error id
 * and the facts a reply needs (./problems.ts): the platforms word it, with their own example;
 * this module writes no sentence and never throws on user input.
 *
 * The grammar is a table of slots per kind. Tokens may come in any order where that is
 * unambiguous (`3d 10%` = `10% 3d`): a token that fits exactly one slot is placed first; tokens
 * that fit several (`7d` is a hash-rate window and a lookback, `17 0.06` are both bare numbers)
 * then fill the remaining slots in the order the kind declares them.
 */
import { failWith, ok, type Result } from './result.ts';
import { clipToken, type AmountParam, type RuleArgs, type RuleParam, type RuleProblem } from './problems.ts';
import { dirSlot, type Slot } from './kinds/params.ts';
import { perKind, REMINDER_KINDS } from './kinds/registry.ts';
import { RANGES, isRuleKind, validateSpec } from './rule-schema.ts';
import { classify, numberWord, spanSeconds, splitTokens, type Token } from './parse-tokens.ts';
import type { RuleKind, RuleSpec } from './types.ts';

export type ParseErrorId = RuleProblem['error'];

const err = failWith<RuleProblem>();
type Failed = Result<never, RuleProblem>;

/** Each kind's grammar: the slots of its parameters, in the order its descriptor lists them. */
const SLOTS: Readonly<Record<RuleKind, readonly Slot[]>> = perKind((d) =>
  d.params.flatMap((p) => (p.slot === null ? [] : [p.slot])),
);

/** Normalises `Hashrate_Drop` / `hashrate-drop`; returns null when no kind matches. */
export function normaliseKind(kind: string): RuleKind | null {
  const k = kind.trim().toLowerCase().replace(/^\//, '').replaceAll('_', '-');
  return isRuleKind(k) ? k : null;
}

/** The parameters a kind takes, in its grammar's order (`remind` last, for under-water kinds). */
export function kindParams(kind: RuleKind): readonly RuleParam[] {
  const names = SLOTS[kind].map((s) => s.name);
  return REMINDER_KINDS.has(kind) ? [...names, 'remind'] : names;
}

/** Parses the words after `alert <kind>`; every mistake is an error id with its facts. */
export function parseRule(kindIn: string, tokensIn: readonly string[]): Result<RuleSpec, RuleProblem> {
  const kind = normaliseKind(String(kindIn));
  if (kind === null) return err('unknown-kind', { token: clipToken(String(kindIn)) });
  const slots = SLOTS[kind];
  const filled = new Map<RuleParam, string | number>();
  const words: string[] = [];
  for (const w of splitTokens(tokensIn)) {
    const r = /^(?:remind|every)[:=](.+)$/i.exec(w);
    if (r === null) {
      words.push(w);
      continue;
    }
    if (!REMINDER_KINDS.has(kind)) return err('extra-arg', { kind, token: clipToken(w), what: 'reminder', none: true });
    const sec = remindSeconds(r[1]!);
    if (sec === null) return err('bad-remind', { kind, token: clipToken(w) });
    filled.set('remind', sec);
  }
  const tokens = words.map(classify).filter((t) => t.type !== 'noise');
  const negative = tokens.find(
    (t) => t.type === 'negative' || (t.type === 'pct' && t.sign === '-' && !slots.includes(dirSlot)),
  );
  if (negative !== undefined) return err('negative', { kind, token: clipToken(negative.raw) });
  const deferred: Token[] = [];
  for (const t of tokens) {
    const fits = slots.filter((s) => s.accepts(t));
    if (fits.length === 0) return explain(kind, t, slots);
    if (fits.length === 1) {
      const s = fits[0] as Slot;
      if (filled.has(s.name)) return err('extra-arg', { kind, token: clipToken(t.raw), what: s.name, none: false });
      filled.set(s.name, s.value(t) as string | number);
    } else deferred.push(t);
  }
  for (const t of deferred) {
    const s = slots.find((x) => x.accepts(t) && !filled.has(x.name));
    if (s === undefined) return err('extra-arg', { kind, token: clipToken(t.raw), what: 'argument', none: false });
    filled.set(s.name, s.value(t) as string | number);
  }
  const missing = slots.find((s) => s.required && !filled.has(s.name));
  if (missing) return err('missing-arg', { kind, param: missing.name });
  // A signed percentage (`+5%`, `-5%`) is a direction when none was given.
  const signed = tokens.find((t) => t.type === 'pct' && t.sign !== '');
  if (signed?.type === 'pct' && slots.includes(dirSlot) && !filled.has('direction')) {
    filled.set('direction', signed.sign === '+' ? 'up' : signed.sign === '-' ? 'down' : 'both');
  }
  if (kind === 'breakeven') swapIfReversed(filled);
  const odd = implausible(kind, tokens, slots, filled);
  if (odd !== null) return odd;
  return finish(kind, filled);
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

/** A reminder cadence in seconds as the grammar's word: 0 → off, 604800 → 1w, 259200 → 3d, 7200 → 2h. */
export function remindWord(sec: number): string {
  if (sec === 0) return 'off';
  if (sec % 604_800 === 0) return `${sec / 604_800}w`;
  if (sec % 86_400 === 0) return `${sec / 86_400}d`;
  return `${Math.round(sec / 3600)}h`;
}

/**
 * A rule's parameters as the grammar's own words, in the kind's slot order (`17 0.06 2%`), so
 * they parse back to the same rule. Bare numbers, except the parameters in `withUnits`, which
 * carry their unit (`$45/PH`, `17J/TH`): a converted amount must not look implausible again.
 */
export function grammarTokens(kind: RuleKind, args: RuleArgs, withUnits: ReadonlySet<RuleParam> = new Set()): string[] {
  const out: string[] = [];
  for (const name of kindParams(kind)) {
    const v = args[name];
    if (v === undefined) continue;
    if (typeof v === 'string') out.push(name === 'remind' ? `remind:${v}` : v);
    else if (name === 'remind') out.push(`remind:${remindWord(v)}`);
    else if (name === 'pct' || name === 'poolfee') out.push(`${numberWord(v)}%`);
    else if (withUnits.has(name)) out.push(UNIT_WORD[name as AmountParam]?.(numberWord(v)) ?? numberWord(v));
    else out.push(numberWord(v));
  }
  return out;
}

const UNIT_WORD: Readonly<Partial<Record<AmountParam, (n: string) => string>>> = {
  usd: (n) => `$${n}/PH`,
  ehs: (n) => `${n}EH/s`,
  jth: (n) => `${n}J/TH`,
  kwh: (n) => `$${n}/kWh`,
};

/**
 * A BARE number far outside what its unit makes plausible is probably another unit: hash price
 * < $1/PH/day is $/TH/day, hash rate < 10 EH/s is ZH/s, efficiency > 200 J/TH is J/PH, power
 * > $1/kWh is cents. The reply offers the conversion; nothing is stored.
 */
const PLAUSIBLE: Readonly<
  Record<AmountParam, { odd(v: number): boolean; factor: number; unit: string; likelyUnit: string }>
> = {
  usd: { odd: (v) => v < 1, factor: 1000, unit: '$/PH/day', likelyUnit: '$/TH/day' },
  ehs: { odd: (v) => v < 10, factor: 1000, unit: 'EH/s', likelyUnit: 'ZH/s' },
  jth: { odd: (v) => v > 200, factor: 0.001, unit: 'J/TH', likelyUnit: 'J/PH (W per PH/s)' },
  kwh: { odd: (v) => v > 1, factor: 0.01, unit: '$/kWh', likelyUnit: 'cents per kWh' },
};
const isAmount = (name: RuleParam): name is AmountParam => Object.hasOwn(PLAUSIBLE, name);

/**
 * A bare amount of `param` that its unit makes implausible, with the likely-meant conversion;
 * null when plausible (or when the conversion would be out of range too). The one check chat
 * and rules files share.
 */
export function implausibleAmount(
  param: RuleParam,
  value: number,
): { readonly param: AmountParam; readonly unit: string; readonly likelyUnit: string; readonly meant: number } | null {
  if (!isAmount(param)) return null;
  const rule = PLAUSIBLE[param];
  if (!rule.odd(value)) return null;
  const meant = Number((value * rule.factor).toPrecision(12));
  const [lo, hi] = RANGES[param];
  if (meant <= 0 || meant < lo || meant > hi) return null;
  return { param, unit: rule.unit, likelyUnit: rule.likelyUnit, meant };
}

function implausible(
  kind: RuleKind,
  tokens: readonly Token[],
  slots: readonly Slot[],
  filled: Map<RuleParam, string | number>,
): Failed | null {
  for (const t of tokens) {
    if (t.type !== 'num' || t.unit !== '') continue;
    const slot = slots.find((s) => s.accepts(t) && filled.get(s.name) === t.value && isAmount(s.name));
    const odd = slot === undefined ? null : implausibleAmount(slot.name, t.value);
    if (odd === null) continue;
    const args: RuleArgs = Object.fromEntries([...filled, [odd.param, odd.meant]]);
    return err('implausible', { kind, token: clipToken(t.raw), ...odd, args });
  }
  return null;
}

/** `/alert breakeven 0.06 17` is unambiguous: no rig uses 0.06 J/TH and no power costs $17/kWh. */
function swapIfReversed(filled: Map<RuleParam, string | number>): void {
  const jth = filled.get('jth');
  const kwh = filled.get('kwh');
  if (typeof jth === 'number' && typeof kwh === 'number' && jth < RANGES.jth[0] && kwh > RANGES.kwh[1]) {
    filled.set('jth', kwh);
    filled.set('kwh', jth);
  }
}

const isRanged = (name: string): name is keyof typeof RANGES => Object.hasOwn(RANGES, name);

function finish(kind: RuleKind, filled: Map<RuleParam, string | number>): Result<RuleSpec, RuleProblem> {
  for (const [name, value] of filled) {
    if (typeof value !== 'number' || !isRanged(name)) continue;
    const [lo, hi] = RANGES[name];
    const lowExclusive = name === 'usd';
    if ((lowExclusive ? value <= lo : value < lo) || value > hi) {
      return err('out-of-range', { kind, param: name, value, range: [lo, hi], lowExclusive });
    }
    if ((name === 'blocks' || name === 'minutes') && !Number.isInteger(value)) {
      return err('bad-number', { kind, token: numberWord(value), param: name, why: 'not-whole' });
    }
  }
  const checked = validateSpec({ kind, ...Object.fromEntries(filled) });
  if (checked.ok) return ok(checked.spec);
  // Every slot is range-checked above; what is left is a value of the wrong shape.
  const param = checked.path.split('.')[0] ?? '';
  return err('unknown-arg', { kind, token: clipToken(String(filled.get(param as RuleParam) ?? param)) });
}

function explain(kind: RuleKind, t: Token, slots: readonly Slot[]): Failed {
  const token = clipToken(t.raw);
  switch (t.type) {
    case 'bad-pct':
      return err('bad-percent', { kind, token });
    case 'pct': {
      const first = slots[0];
      if (slots.some((s) => s.name === 'pct' || s.name === 'poolfee'))
        return err('extra-arg', { kind, token, what: 'percentage', none: false });
      return first === undefined
        ? err('extra-arg', { kind, token, what: 'argument', none: true })
        : err('bad-number', { kind, token, param: first.name, why: 'no-percent' });
    }
    case 'span': {
      const windowed = slots.filter(
        (s): s is Slot & { names: readonly string[]; name: 'window' | 'lookback' } =>
          'names' in s && (s.name === 'window' || s.name === 'lookback'),
      );
      if (windowed.length === 0) return err('extra-arg', { kind, token, what: 'window', none: true });
      return err('unknown-window', { kind, token, choices: windowed.map((s) => ({ param: s.name, values: s.names })) });
    }
    case 'num':
      return err('extra-arg', {
        kind,
        token,
        what: slots.length === 0 ? 'argument' : 'number',
        none: slots.length === 0,
      });
    case 'dir':
      return err('extra-arg', { kind, token, what: 'direction', none: true });
    case 'negative':
      return err('negative', { kind, token });
    default:
      return err('unknown-arg', { kind, token });
  }
}
