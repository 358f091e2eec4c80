/**
 * Rule parameters, each described once: its normalised value (zod), its slot in the chat grammar
 * (../parse.ts), how it is stored (../../store/codec.ts), its words in /help, and how a platform
 * asks for it (Discord options). A kind lists its parameters in its descriptor (./kind.ts), in the
 * grammar's order; everything else reads them from there.
 */
import { z } from 'zod';
import {
  DIRECTIONS,
  HASHRATE_WINDOW_NAMES,
  LOOKBACK_NAMES,
  PRICE_WINDOW_NAMES,
  type HashrateWindow,
  type Lookback,
  type PriceWindow,
} from '../../domain/types.ts';
import { classify, spanMinutes, spanName, type NumberUnit, type Token } from '../parse-tokens.ts';
import type { RuleParam } from '../problems.ts';

/** Ranges that make sense for a miner; outside them the input is almost surely a typo. */
export const RANGES = {
  pct: [0.5, 90],
  ehs: [1, 10_000],
  usd: [0, 1e6],
  jth: [1, 200],
  kwh: [0, 2],
  poolfee: [0, 10],
  // 2016 would mean "at the retarget block itself": that is the `retarget` notice.
  blocks: [1, 2015],
  minutes: [10, 1440],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * Accepts 10, "10", "10%", "$45", "45usd", "600EH/s", and every unit suffix chat takes, converted
 * to the stored unit as chat converts it ("0.045/TH" → 45 $/PH/day, "0.9ZH/s" → 900 EH/s,
 * "17J/TH", "$0.06/kWh"); otherwise the number in front of any unit/sign.
 */
function chatNumber(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = classify(v);
  if (t.type === 'num') return t.value;
  if (t.type === 'pct') return t.sign === '-' ? -t.value : t.value;
  const m = /^\s*\$?\s*([+-]?\d+(?:\.\d+)?)\s*(%|usd|\$|eh\/?s?|j\/?th|blocks?|b|min|m)?\s*$/i.exec(v);
  return m?.[1] !== undefined ? Number(m[1]) : v;
}

const num = (key: keyof typeof RANGES) => {
  const [lo, hi] = RANGES[key];
  const base = z.number().refine(Number.isFinite, { message: `${key} must be a finite number` });
  // usd must be strictly positive; the others include their lower bound.
  const ranged = key === 'usd' ? base.gt(lo).lte(hi) : base.gte(lo).lte(hi);
  return z.preprocess(chatNumber, ranged);
};
const int = (key: 'blocks' | 'minutes') => {
  const [lo, hi] = RANGES[key];
  return z.preprocess(chatNumber, z.number().int().gte(lo).lte(hi));
};

/**
 * Under-water reminder cadence in seconds (0 = off); a rules file may write "1w", "3d", "off".
 * Between an hour and 90 days.
 */
const remindSchema = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const w = v.trim().toLowerCase();
    if (w === 'off' || w === 'never') return 0;
    const m = /^(\d+(?:\.\d+)?)\s*(h|d|w)$/.exec(w);
    return m ? Number(m[1]) * { h: 3600, d: 86_400, w: 604_800 }[m[2] as 'h' | 'd' | 'w'] : v;
  },
  z
    .number()
    .int()
    .refine((n) => n === 0 || (n >= 3600 && n <= 90 * 86_400), { message: 'remind must be off or between 1h and 90d' }),
);

/** One grammar slot: which chat tokens fill a parameter, and the value a token gives. */
export interface Slot {
  readonly name: RuleParam;
  /** Human description used in "missing …" messages. */
  readonly what: string;
  readonly required: boolean;
  accepts(t: Token): boolean;
  value(t: Token): unknown;
}

/** How a platform asks for a parameter (Discord slash-command options). */
export type ParamInput =
  | { readonly type: 'number' | 'integer'; readonly range: readonly [number, number]; readonly description: string }
  | {
      readonly type: 'choice';
      readonly choices: ReadonlyArray<{ readonly name: string; readonly value: string }>;
      readonly description: string;
    };

export interface Param {
  /** The spec's field (a new name joins problems.ts RuleParam, so every platform words it). */
  readonly name: RuleParam;
  /** The normalised value, default applied (rules files, chat, stores all pass through it). */
  readonly schema: z.ZodType;
  /** Its grammar slot; null for `name:value` words (remind:1w), read apart from the slots. */
  readonly slot: Slot | null;
  /** Stored as a number or as its text (windows, directions). */
  readonly stored: 'number' | 'text';
  /** Optional with no default: absent from a spec (and from its stored form) unless given. */
  readonly optional: boolean;
  /** Words for /help, e.g. "window 1d/3d/7d (default 3d)". */
  readonly help: string;
  readonly input: ParamInput;
}

const isPct = (t: Token) => t.type === 'pct' || (t.type === 'num' && t.unit === '');
const numValue = (t: Token) => (t.type === 'pct' || t.type === 'num' ? t.value : NaN);
const choices = (names: readonly string[]) => names.map((w) => ({ name: w, value: w }));

/** The percentage slot (also the pool fee's shape): `10%` or a bare `10`. */
export const pctSlot: Slot = {
  name: 'pct',
  what: 'a percentage like 10%',
  required: true,
  accepts: isPct,
  value: numValue,
};

/** The direction slot: up, down or both (a signed percentage also sets it; see parse.ts). */
export const dirSlot: Slot = {
  name: 'direction',
  what: 'a direction (up, down or both)',
  required: false,
  accepts: (t) => t.type === 'dir',
  value: (t) => (t.type === 'dir' ? t.value : undefined),
};

function spanSlot(
  name: 'window' | 'lookback',
  names: readonly string[],
  canonical: (s: string) => string = (s) => s,
): Slot & { readonly names: readonly string[] } {
  return {
    name,
    names,
    what: `a ${name} (${names.join(', ')})`,
    required: false,
    accepts: (t) => t.type === 'span' && names.includes(spanName(t)),
    value: (t) => (t.type === 'span' ? canonical(spanName(t)) : undefined),
  };
}

function numSlot(name: RuleParam, what: string, required: boolean, units: readonly NumberUnit[]): Slot {
  return { name, what, required, accepts: (t) => t.type === 'num' && units.includes(t.unit), value: numValue };
}

/** `pct`: the size of a drop, move or retarget, in %. */
export const pctParam: Param = {
  name: 'pct',
  schema: num('pct'),
  slot: pctSlot,
  stored: 'number',
  optional: false,
  help: 'percent',
  input: { type: 'number', range: RANGES.pct, description: 'Percentage, e.g. 10 for 10 %' },
};

const WINDOW_INPUT = 'Window: 1d 3d 7d (hash rate shown) or 24h 7d (hash price)';

/** `window` of a hash-rate figure (1d 3d 7d). */
export function hashrateWindowParam(fallback: HashrateWindow): Param {
  return {
    name: 'window',
    schema: z.enum(HASHRATE_WINDOW_NAMES).default(fallback),
    slot: spanSlot('window', HASHRATE_WINDOW_NAMES),
    stored: 'text',
    optional: false,
    help: `window ${HASHRATE_WINDOW_NAMES.join('/')} (default ${fallback})`,
    input: { type: 'choice', choices: choices(HASHRATE_WINDOW_NAMES), description: WINDOW_INPUT },
  };
}

/** `window` of a hash-price move (24h 7d; `1d` is read as 24h). */
export function priceWindowParam(fallback: PriceWindow): Param {
  return {
    name: 'window',
    schema: z.enum(PRICE_WINDOW_NAMES).default(fallback),
    slot: spanSlot('window', [...PRICE_WINDOW_NAMES, '1d'], (s) => (s === '1d' ? '24h' : s)),
    stored: 'text',
    optional: false,
    help: `window ${PRICE_WINDOW_NAMES.join('/')} (default ${fallback})`,
    input: { type: 'choice', choices: choices(PRICE_WINDOW_NAMES), description: WINDOW_INPUT },
  };
}

/** `lookback` of a drop rule (the level it is compared with ends two weeks back). */
export function lookbackParam(fallback: Lookback): Param {
  return {
    name: 'lookback',
    schema: z.enum(LOOKBACK_NAMES).default(fallback),
    slot: spanSlot('lookback', LOOKBACK_NAMES),
    stored: 'text',
    optional: false,
    help: `lookback ${LOOKBACK_NAMES.join('/')} (default ${fallback})`,
    input: {
      type: 'choice',
      choices: choices(LOOKBACK_NAMES),
      description: 'hashrate-drop: compare with the level over the … ending two weeks back',
    },
  };
}

/** `direction`: up, down or both (default both). */
export const directionParam: Param = {
  name: 'direction',
  schema: z.enum(DIRECTIONS).default('both'),
  slot: dirSlot,
  stored: 'text',
  optional: false,
  help: `direction ${DIRECTIONS.join('/')} (default both)`,
  input: { type: 'choice', choices: choices(DIRECTIONS), description: `${DIRECTIONS.slice(0, -1).join(', ')} or both` },
};

/** A number with a unit: `slot` says which typed units it takes ('' = a bare number). */
export function amountParam(o: {
  readonly name: keyof typeof RANGES;
  readonly what: string;
  readonly units: readonly NumberUnit[];
  readonly help: string;
  readonly description: string;
  readonly required?: boolean;
  readonly fallback?: number;
  readonly integer?: boolean;
  /** The range a platform offers when it differs from the grammar's (usd: strictly above 0). */
  readonly inputRange?: readonly [number, number];
}): Param {
  const key = o.name;
  const required = o.required ?? true;
  const base = o.integer ? int(key as 'blocks' | 'minutes') : num(key);
  return {
    name: key,
    schema: o.fallback === undefined ? base : base.default(o.fallback),
    slot: numSlot(key, o.what, required, o.units),
    stored: 'number',
    optional: false,
    help: o.help,
    input: { type: o.integer ? 'integer' : 'number', range: o.inputRange ?? RANGES[key], description: o.description },
  };
}

/** `poolfee`: a percentage, default 0. */
export const poolfeeParam: Param = {
  name: 'poolfee',
  schema: num('poolfee').default(0),
  slot: { ...pctSlot, name: 'poolfee', what: 'a pool fee like 2%', required: false },
  stored: 'number',
  optional: false,
  help: 'pool fee % (default 0)',
  input: { type: 'number', range: RANGES.poolfee, description: 'breakeven: pool fee in %, e.g. 2' },
};

/** `minutes` without a block: a bare number, or a span (`90min`, `1.5h`). */
export const minutesParam: Param = {
  name: 'minutes',
  schema: int('minutes').default(60),
  slot: {
    name: 'minutes',
    what: 'minutes like 60',
    required: false,
    accepts: (t) => (t.type === 'num' && t.unit === '') || t.type === 'span',
    value: (t) => (t.type === 'span' ? spanMinutes(t) : numValue(t)),
  },
  stored: 'number',
  optional: false,
  help: 'minutes (default 60; 90, 1.5h)',
  input: { type: 'integer', range: RANGES.minutes, description: 'slow-blocks: minutes without a block, e.g. 60' },
};

/**
 * `remind`: how often an under-water rule repeats itself while firing (`remind:1w`, `remind:off`).
 * A kind that lists it is an under-water kind (reminders and escalations; ../lifecycle-repeat.ts).
 */
export const remindParam: Param = {
  name: 'remind',
  schema: remindSchema.optional(),
  slot: null,
  stored: 'number',
  optional: true,
  help: 'remind:1w (default) / remind:3d / remind:off — how often it reminds you while under water',
  input: {
    type: 'choice',
    description: 'While under water, remind me… (default weekly)',
    choices: [
      { name: 'daily', value: '1d' },
      { name: 'every 3 days', value: '3d' },
      { name: 'weekly', value: '1w' },
      { name: 'every 2 weeks', value: '2w' },
      { name: 'never (off)', value: 'off' },
    ],
  },
};
