/**
 * Every kind's definition, and every series any rule can refer to — the closed list the index
 * layer measures once per block (see ../index-model.ts).
 */
import { PRICE_WINDOWS } from '../../domain/types.ts';
import type { RuleKind, RuleSpec } from '../types.ts';
import { newBlock, slowBlocks } from './blocks.ts';
import { hashpriceAbove, hashpriceBelow, hashpriceMove } from './hashprice.ts';
import { hashrateBelow } from './hashrate.ts';
import { DROP_SERIES, hashrateDrop } from './hashrate-drop.ts';
import type { KindDef, SpecOf } from './kind.ts';
import { retarget, retargetEstimate, retargetSoon } from './retarget.ts';
import { breakevenUnderWater, hashpriceBelowUnderWater, hashrateBelowUnderWater } from './under-water.ts';

type Registry = { readonly [K in RuleKind]: KindDef<K> };

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

/** The definition of a spec's kind, typed loosely enough to call with that spec. */
export function kindOf<S extends RuleSpec>(
  spec: S,
): KindDef<S['kind']> & { series(spec: S): string; fireLevel(spec: S): number; resolveLevel(spec: S): number } {
  return KINDS[spec.kind] as unknown as KindDef<S['kind']> & {
    series(spec: S): string;
    fireLevel(spec: S): number;
    resolveLevel(spec: S): number;
  };
}

/** Series → the kind that reads it (shared series like 'hpb' read identically for all). */
function buildSeries(): ReadonlyMap<string, KindDef> {
  const m = new Map<string, KindDef>();
  const add = (series: string, def: KindDef<RuleKind>) => m.set(series, def as KindDef);
  const dirs = ['up', 'down', 'both'] as const;
  for (const series of DROP_SERIES.keys()) add(series, hashrateDrop as KindDef<RuleKind>);
  add('hr7', hashrateBelow as KindDef<RuleKind>);
  for (const d of dirs) add(`re-${d}`, retargetEstimate as KindDef<RuleKind>);
  add('rs', retargetSoon as KindDef<RuleKind>);
  for (const w of Object.keys(PRICE_WINDOWS))
    for (const d of dirs) add(`hm-${w}-${d}`, hashpriceMove as KindDef<RuleKind>);
  add('hpb', hashpriceBelow as KindDef<RuleKind>);
  add('hpa', hashpriceAbove as KindDef<RuleKind>);
  add('sb', slowBlocks as KindDef<RuleKind>);
  add('retarget', retarget as KindDef<RuleKind>);
  add('nb', newBlock as KindDef<RuleKind>);
  return m;
}

/** Every series name a rule can have, with the kind that measures it. */
export const SERIES: ReadonlyMap<string, KindDef> = buildSeries();

/** Helper for callers holding a concrete spec. */
export type { SpecOf };
