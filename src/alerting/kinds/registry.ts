/**
 * Every kind's definition, and every series any rule can refer to — the closed list the index
 * layer measures once per block (see ../index-model.ts).
 *
 * Typed without casts: `KINDS[kind]` for a generic `K` is `KindDef<K>`, so the spec-reading
 * methods are called through the helpers below (`seriesOf`, `fireLevelOf`, …), which keep a
 * rule's spec type and its kind together; `kindOf` gives the parts that do not read a spec.
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import type { AlertState, RuleKind, RuleSpec } from '../types.ts';
import { newBlock, slowBlocks, type NewBlockSpec, type SlowBlocksSpec } from './blocks.ts';
import {
  hashpriceAbove,
  hashpriceMove,
  type BreakevenSpec,
  type HashpriceAboveSpec,
  type HashpriceBelowSpec,
  type HashpriceMoveSpec,
} from './hashprice.ts';
import type { HashrateBelowSpec } from './hashrate.ts';
import { hashrateDrop, type HashrateDropSpec } from './hashrate-drop.ts';
import type { KindDescriptor, KindShape, PresentContext, Presentation, Reading, SpecOf } from './kind.ts';
import {
  retarget,
  retargetEstimate,
  retargetSoon,
  type RetargetEstimateSpec,
  type RetargetSoonSpec,
  type RetargetSpec,
} from './retarget.ts';
import { breakevenUnderWater, hashpriceBelowUnderWater, hashrateBelowUnderWater } from './under-water.ts';

/** Each kind's normalised parameters (its module declares them); RuleSpec is their union. */
export interface KindSpecs {
  'hashrate-drop': HashrateDropSpec;
  'hashrate-below': HashrateBelowSpec;
  'retarget-estimate': RetargetEstimateSpec;
  retarget: RetargetSpec;
  'retarget-soon': RetargetSoonSpec;
  'hashprice-move': HashpriceMoveSpec;
  'hashprice-below': HashpriceBelowSpec;
  'hashprice-above': HashpriceAboveSpec;
  breakeven: BreakevenSpec;
  'slow-blocks': SlowBlocksSpec;
  'new-block': NewBlockSpec;
}

type Registry = { readonly [K in RuleKind]: KindDescriptor<K> };

/** Every kind, in the order help texts and command lists show them. */
export const KINDS: Registry = {
  'hashrate-drop': hashrateDrop,
  'hashrate-below': hashrateBelowUnderWater,
  'retarget-estimate': retargetEstimate,
  retarget,
  'retarget-soon': retargetSoon,
  'hashprice-move': hashpriceMove,
  'hashprice-below': hashpriceBelowUnderWater,
  'hashprice-above': hashpriceAbove,
  breakeven: breakevenUnderWater,
  'slow-blocks': slowBlocks,
  'new-block': newBlock,
};

/** The parts of a spec's kind that do not read the spec (mode, comparison, cooldown, read). */
export function kindOf(spec: RuleSpec): KindShape {
  return KINDS[spec.kind];
}

/** A kind's descriptor by name: everything the surfaces (grammar, help, commands, storage) read. */
export const defOf = <K extends RuleKind>(kind: K): KindDescriptor<K> => KINDS[kind];
const series = <K extends RuleKind>(kind: K, spec: SpecOf<K>): string => defOf(kind).series(spec);
const fire = <K extends RuleKind>(kind: K, spec: SpecOf<K>): number => defOf(kind).fireLevel(spec);
const resolve = <K extends RuleKind>(kind: K, spec: SpecOf<K>): number => defOf(kind).resolveLevel(spec);
const threshold = <K extends RuleKind>(kind: K, spec: SpecOf<K>): number => {
  const def = defOf(kind);
  return def.threshold !== undefined ? def.threshold(spec) : def.fireLevel(spec);
};
const present = <K extends RuleKind>(
  kind: K,
  spec: SpecOf<K>,
  r: Reading,
  state: AlertState,
  s: Snapshot,
  ctx?: PresentContext,
): Presentation => defOf(kind).present(spec, r, state, s, ctx);

/** The series a rule reads (many rules share one). */
export const seriesOf = (spec: RuleSpec): string => series(spec.kind, spec);
/** Where the rule fires (compared with the series' value by the kind's comparison). */
export const fireLevelOf = (spec: RuleSpec): number => fire(spec.kind, spec);
/** Where a firing rule resolves (hysteresis included). */
export const resolveLevelOf = (spec: RuleSpec): number => resolve(spec.kind, spec);
/** The user's own threshold, as events report it (default: the firing level). */
export const thresholdOf = (spec: RuleSpec): number => threshold(spec.kind, spec);
/** The kind's words for one reading of this rule. */
export const presentOf = (
  spec: RuleSpec,
  r: Reading,
  state: AlertState,
  s: Snapshot,
  ctx?: PresentContext,
): Presentation => present(spec.kind, spec, r, state, s, ctx);

const describe = <K extends RuleKind>(kind: K, spec: SpecOf<K>): string => defOf(kind).describe(spec);
/** The rule in words (the kind's own phrasing, before reminders). */
export const describeOf = (spec: RuleSpec): string => describe(spec.kind, spec);

/** Every kind, in registry order (help texts, command lists, rules-file errors). */
export const RULE_KINDS: readonly RuleKind[] = Object.values(KINDS).map((d) => d.kind);

/** Every registered descriptor, in registry order. */
export const DESCRIPTORS: readonly KindDescriptor[] = RULE_KINDS.map((k) => defOf(k));

/** A table with one entry per kind, computed from each descriptor (examples, grammar slots…). */
export function perKind<T>(f: (d: KindDescriptor) => T): Readonly<Record<RuleKind, T>> {
  const out: Partial<Record<RuleKind, T>> = {};
  for (const d of DESCRIPTORS) out[d.kind] = f(d);
  return out as Record<RuleKind, T>;
}

export function isRuleKind(kind: string): kind is RuleKind {
  return Object.hasOwn(KINDS, kind);
}

/**
 * Under-water kinds repeat themselves while firing: a reminder every `remind` seconds (absent:
 * DEFAULT_REMIND_SEC, 0: off) and an escalation when ≥ ESCALATE_POINTS deeper than last told.
 * A kind is one exactly when it takes the `remind` parameter.
 */
export const REMINDER_KINDS: ReadonlySet<RuleKind> = new Set(
  DESCRIPTORS.filter((d) => d.params.some((p) => p.name === 'remind')).map((d) => d.kind),
);

/**
 * Series whose firing rules can repeat themselves (under-water reminders and escalations): the
 * series of REMINDER_KINDS (breakeven and hashprice-below share 'hpb', hashrate-below is 'hr7').
 */
export const REPEAT_SERIES: ReadonlySet<string> = new Set(
  DESCRIPTORS.filter((d) => REMINDER_KINDS.has(d.kind)).flatMap((d) => d.allSeries),
);

/** Series → the kind that reads it (shared series like 'hpb' read identically for all: the first). */
function buildSeries(): ReadonlyMap<string, KindShape> {
  const m = new Map<string, KindShape>();
  for (const def of DESCRIPTORS) for (const name of def.allSeries) if (!m.has(name)) m.set(name, def);
  return m;
}

/** Every series name a rule can have, with the kind that measures it. */
export const SERIES: ReadonlyMap<string, KindShape> = buildSeries();

/** Helper for callers holding a concrete spec. */
export type { SpecOf };
