/**
 * zod schemas for normalised rule specs, and for rules as written in a replay rules file.
 *
 * One set of ranges serves chat parsing (parse.ts validates its result with `specSchema`), the
 * replay/preview rules file, and the stores (a spec read back from Redis can be re-validated).
 *
 * Rules files (PRODUCT.md §3) are `{ "id": string, "kind": string, ...params }` where every
 * parameter may be written in the normalised form (`"pct": 10`, `"window": "3d"`) or in the chat
 * form (`"pct": "10%"`, `"usd": "$45"`, `"poolfee": "2%"`). Both become the same normalised
 * RuleSpec; a misspelt or unknown parameter is an error (strict objects), never silently ignored.
 */
import { z } from 'zod';
import { DIRECTIONS, HASHRATE_WINDOW_NAMES, LOOKBACK_NAMES, PRICE_WINDOW_NAMES } from '../domain/types.ts';
import type { RuleSpec } from './types.ts';

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

/** Accepts 10, "10", "10%", "$45", "45usd", "600EH/s": the number in front of any unit/sign. */
function chatNumber(v: unknown): unknown {
  if (typeof v !== 'string') return v;
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
const remind = z.preprocess(
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

const hashrateWindow = z.enum(HASHRATE_WINDOW_NAMES);
const lookback = z.enum(LOOKBACK_NAMES);
const priceWindow = z.enum(PRICE_WINDOW_NAMES);
const direction = z.enum(DIRECTIONS);

/** Normalised parameters per kind, defaults applied (PRODUCT.md §5). */
const kindSchemas = {
  'hashrate-drop': z.strictObject({
    kind: z.literal('hashrate-drop'),
    pct: num('pct'),
    window: hashrateWindow.default('3d'),
    lookback: lookback.default('30d'),
  }),
  'hashrate-below': z.strictObject({ kind: z.literal('hashrate-below'), ehs: num('ehs'), remind: remind.optional() }),
  'retarget-estimate': z.strictObject({
    kind: z.literal('retarget-estimate'),
    pct: num('pct'),
    direction: direction.default('both'),
  }),
  retarget: z.strictObject({ kind: z.literal('retarget') }),
  'retarget-soon': z.strictObject({ kind: z.literal('retarget-soon'), blocks: int('blocks').default(144) }),
  'hashprice-move': z.strictObject({
    kind: z.literal('hashprice-move'),
    pct: num('pct'),
    window: priceWindow.default('24h'),
    direction: direction.default('both'),
  }),
  'hashprice-below': z.strictObject({ kind: z.literal('hashprice-below'), usd: num('usd'), remind: remind.optional() }),
  'hashprice-above': z.strictObject({ kind: z.literal('hashprice-above'), usd: num('usd') }),
  breakeven: z.strictObject({
    kind: z.literal('breakeven'),
    jth: num('jth'),
    kwh: num('kwh'),
    poolfee: num('poolfee').default(0),
    remind: remind.optional(),
  }),
  'slow-blocks': z.strictObject({ kind: z.literal('slow-blocks'), minutes: int('minutes').default(60) }),
  'new-block': z.strictObject({ kind: z.literal('new-block') }),
} as const;

export const RULE_KINDS = Object.keys(kindSchemas) as ReadonlyArray<RuleSpec['kind']>;

export function isRuleKind(kind: string): kind is RuleSpec['kind'] {
  return Object.hasOwn(kindSchemas, kind);
}

/** A normalised spec of any kind (chat-form values accepted and normalised). */
export const specSchema = z.discriminatedUnion('kind', [
  kindSchemas['hashrate-drop'],
  kindSchemas['hashrate-below'],
  kindSchemas['retarget-estimate'],
  kindSchemas.retarget,
  kindSchemas['retarget-soon'],
  kindSchemas['hashprice-move'],
  kindSchemas['hashprice-below'],
  kindSchemas['hashprice-above'],
  kindSchemas.breakeven,
  kindSchemas['slow-blocks'],
  kindSchemas['new-block'],
]);

/**
 * One rule of a replay rules file: `{ id, kind, ...params }` → `{ id, spec }`. The id is kept
 * apart from the spec so a spec always is exactly a RuleSpec.
 */
export const ruleSpecSchema = z
  .looseObject({ id: z.string().min(1).max(100), kind: z.string() })
  .transform((raw, ctx) => {
    const { id, ...rest } = raw;
    const parsed = specSchema.safeParse(rest);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.message });
      return z.NEVER;
    }
    return { id, spec: parsed.data as RuleSpec };
  });

/** A whole rules file: a JSON array of rules with unique ids. */
export const rulesFileSchema = z.array(ruleSpecSchema).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${r.id}"`, path: [i, 'id'] });
    seen.add(r.id);
  });
});

/** Validates a spec built in code (parse.ts, stores); returns the first problem as text. */
export function validateSpec(
  spec: unknown,
): { ok: true; spec: RuleSpec } | { ok: false; message: string; path: string } {
  const r = specSchema.safeParse(spec);
  if (r.success) return { ok: true, spec: r.data as RuleSpec };
  const issue = r.error.issues[0];
  return { ok: false, message: issue?.message ?? 'invalid rule', path: issue?.path.join('.') ?? '' };
}
