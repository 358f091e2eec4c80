/**
 * zod schemas for normalised rule specs, and for rules as written in a replay rules file. Each
 * kind's schema is built from its descriptor's parameters (kinds/params.ts holds the ranges).
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
import type { KindDescriptor } from './kinds/kind.ts';
import { RANGES } from './kinds/params.ts';
import { DESCRIPTORS, RULE_KINDS, isRuleKind } from './kinds/registry.ts';
import type { RuleSpec } from './types.ts';

export { RANGES };
export { RULE_KINDS, isRuleKind };

/** A kind's normalised parameters, defaults applied (PRODUCT.md §5): read from its descriptor. */
function kindSchema(d: KindDescriptor) {
  return z.strictObject({
    kind: z.literal(d.kind),
    ...Object.fromEntries(d.params.map((p) => [p.name, p.schema])),
  });
}

function buildSpecSchema() {
  const [first, ...rest] = DESCRIPTORS.map(kindSchema);
  if (first === undefined) throw new Error('no rule kinds registered');
  return z.discriminatedUnion('kind', [first, ...rest]);
}

/** A normalised spec of any kind (chat-form values accepted and normalised). */
export const specSchema = buildSpecSchema();

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
