/**
 * How rules are INDEXED so one block costs O(log N + K) (issue 4), written for the Redis layer.
 *
 * 1. Every rule belongs to one SERIES, `kindOf(spec).series(spec)`: a named quantity measured
 *    once per block, shared by many rules. Level series: 'hd-<lookback>-<cell>' (the drop
 *    detector's cell for a whole-percent drop size 3…50: 1 alarmed, 0 quiet; rules fire at 1 and
 *    resolve at 0, so only rules whose cell changed state are touched), 'hr7' (7d hash rate 90 % upper bound, EH/s), 're-up|down|both' (how far
 *    the retarget estimate's 90 % interval reaches, %), 'rs' (blocks to the retarget),
 *    'hm-<24h|7d>-<up|down|both>' (hash-price move, %), 'hpb' / 'hpa' (hash price, USD/PH/day;
 *    'hpb' also carries breakeven), 'sb' (minutes since the last block). Event series: 'nb' (every
 *    block), 'retarget' (blocks carrying a retarget outcome). The list is closed: SERIES.
 * 2. `observe(snapshot, nowSec)` measures every series once: a level series gives one number and
 *    its direction; an event series is listed when present. Missing data leaves a series out
 *    (its rules do not change). The value is exactly what evaluateRule compares.
 * 3. A level rule waits in ONE of two sorted sets of its series, scored by a level:
 *    while ok, in the FIRE set scored by `fireLevel(spec)`; while firing, in the RESOLVE set
 *    scored by `resolveLevel(spec)` (hysteresis already included). 'above' series: candidates to
 *    fire have fireLevel ≤ value, to resolve have resolveLevel ≥ value; 'below' mirrors it.
 *    Both bounds inclusive: ZRANGEBYSCORE fire -inf value / resolve value +inf (for 'above').
 * 4. Only candidates are loaded and passed to evaluateRule (the judge: cooldown, reorg, duplicate
 *    guards); when the returned status differs, move the rule between the two sets. Rules in
 *    cooldown stay ok in the fire set and are candidates again next block (K stays small).
 * 4b. An epoch's first block sweeps the estimate series (Observation.sweep): their firing rules
 *    and their told set (ok rules still carrying what they told, inToldSet), never the rest.
 * 5. Event rules sit in one plain set per event series and are all evaluated when it occurs
 *    (a retarget reaches every retarget rule; new-block is noisy by nature). Their state stays
 *    'ok', so they never move.
 * 6. slow-blocks: the timer tick calls `observe(latestSnapshot, nowSec)` too ('sb' grows with
 *    nowSec) and judges candidates with evaluateRule on that same snapshot (for slow-blocks the
 *    same block at a later nowSec is a tick; evaluateTick says so explicitly); a new block's
 *    snapshot gives 'sb' ≈ 0, which selects the firing ones for resolution.
 *
 * The shape matches src/store/index-plan.ts (IndexPlan) structurally, so engine.ts's `alertIndexPlan`
 * can be dropped in there as the plan.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { Comparison } from './kinds/kind.ts';
import { REPEAT_SERIES, SERIES, fireLevelOf, kindOf, resolveLevelOf, seriesOf } from './kinds/registry.ts';
import { ESTIMATE_SERIES } from './kinds/series.ts';
import type { RuleSpec, RuleState } from './types.ts';

export type IndexPlacement =
  | {
      readonly mode: 'level';
      readonly series: string;
      readonly dir: Comparison;
      readonly fire: number;
      readonly resolve: number;
    }
  | { readonly mode: 'event'; readonly series: string };

export interface Observation {
  readonly levels: ReadonlyMap<string, { readonly value: number; readonly dir: Comparison }>;
  readonly events: readonly string[];
  /** When observed (reminders due by then are candidates). */
  readonly nowSec?: number;
  /**
   * Level series swept on this block, whatever their level: the retarget-estimate series on an
   * epoch's first block (the new epoch closes the old estimates). Swept means every FIRING rule
   * and every rule in the series' told set (inToldSet) is a candidate, besides those the level
   * selects.
   */
  readonly sweep?: readonly string[];
}

/** Series whose firing rules can repeat themselves (derived from the kinds: see the registry). */
export { REPEAT_SERIES };

/** Estimate series swept on an epoch's first block. */
const SWEPT_ON_EPOCH_START: readonly string[] = [...ESTIMATE_SERIES.keys()];

/**
 * Series whose ok rules may still carry what they told (a retarget estimate that eased keeps it
 * until the epoch closes). Such a rule waits in its series' TOLD set besides the fire set.
 */
export const TOLD_SERIES: ReadonlySet<string> = new Set(SWEPT_ON_EPOCH_START);

/**
 * Whether a rule in `state` waits in its series' told set: a retarget estimate, ok, still carrying
 * what it told. An epoch's first block sweeps the resolve set (firing) and the told set, all that
 * closeEpoch (lifecycle-repeat.ts) can close; every other estimate has nothing to close, its
 * stored state reads the same as a closed one, so it is judged only when its level is crossed.
 */
export function inToldSet(rule: Pick<RuleSpec, 'kind'>, state: RuleState | null): boolean {
  return rule.kind === 'retarget-estimate' && state !== null && state.status === 'ok' && (state.told ?? null) !== null;
}

/** Where a rule waits in the index. Pure: the same spec always lands in the same place. */
export function placement(spec: RuleSpec): IndexPlacement {
  const def = kindOf(spec);
  const series = seriesOf(spec);
  if (def.mode === 'event') return { mode: 'event', series };
  return { mode: 'level', series, dir: def.comparison, fire: fireLevelOf(spec), resolve: resolveLevelOf(spec) };
}

/** Every series' value on this snapshot at `nowSec` (block evaluation: nowSec ≈ its arrival). */
export function observe(s: Snapshot, nowSec: number): Observation {
  const levels = new Map<string, { value: number; dir: Comparison }>();
  const events: string[] = [];
  for (const [series, def] of SERIES) {
    const r = def.read(series, s, nowSec);
    if (r === null || !Number.isFinite(r.value)) continue;
    if (def.mode === 'event') events.push(series);
    else levels.set(series, { value: r.value, dir: def.comparison });
  }
  if (s.height === s.retarget.epochStartHeight) return { levels, events, nowSec, sweep: SWEPT_ON_EPOCH_START };
  return { levels, events, nowSec };
}

/** Which of a rule's two index sets it belongs in, given its status. */
export function indexSet(status: 'ok' | 'firing'): 'fire' | 'resolve' {
  return status === 'firing' ? 'resolve' : 'fire';
}

/** True when `placement` under `obs` makes the rule a candidate (what ZRANGEBYSCORE selects). */
export function isCandidate(p: IndexPlacement, status: 'ok' | 'firing', obs: Observation): boolean {
  if (p.mode === 'event') return obs.events.includes(p.series);
  const o = obs.levels.get(p.series);
  if (o === undefined) return false;
  const above = p.dir === 'above';
  if (status === 'ok') return above ? p.fire <= o.value : p.fire >= o.value;
  return above ? p.resolve >= o.value : p.resolve <= o.value;
}
