/**
 * The in-memory form of the rule index (./index-model.ts) for MemoryEvaluator: each series is
 * read once per block and only the rules whose level it crossed reach evaluateRule, so a block
 * costs O(series + K) instead of O(rules) (issue 2 §5: replay of a year with 100 rules).
 *
 * Skipping a rule is only allowed when evaluateRule would have changed nothing but the
 * (lastHeight, lastHash) bookkeeping, which is the same fold of the block stream for every rule.
 * So that fold is kept ONCE here (`seenHeight`/`seenHash`) and laid over a rule's stored state
 * whenever it is read: every rule's state is exactly what the scanning evaluator would hold.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { KindShape } from './kinds/kind.ts';
import { fireLevelOf, kindOf, REMINDER_KINDS, resolveLevelOf, seriesOf } from './kinds/registry.ts';
import { INITIAL_STATE, evaluateRule, evaluateTick } from './lifecycle.ts';
import { inToldSet } from './index-model.ts';
import { repeatOwed, repeatScores } from './lifecycle-repeat.ts';
import type { AlertEvent, Rule, RuleState } from './types.ts';

interface Slot {
  readonly rule: Rule;
  /** Position in the rule list: events come out in rule order, as with a scan. */
  readonly order: number;
  readonly fire: number;
  readonly resolve: number;
  state: RuleState | null;
  /**
   * Firing under-water rules: the block time its reminder is due and the compared value it
   * escalates at (repeatScores, the Redis index's scores), refreshed when the state settles; a
   * block that reaches neither cannot owe a repeat, so repeatOwed is not asked.
   */
  dueSec: number | null;
  deeperAt: number | null;
}

/** Rules of one kind on one series (a kind's own `read` is what its rules compare). */
interface Group {
  readonly def: KindShape;
  readonly series: string;
  readonly event: boolean;
  readonly above: boolean;
  /** Event series: every rule. Level series: ok rules ascending by fire level. */
  readonly fireSet: Slot[];
  /** Firing rules ascending by resolve level. */
  readonly resolveSet: Slot[];
  /**
   * Retarget estimates only: the ok rules still carrying what they told (eased this epoch). With
   * the firing ones (resolveSet) they are all an epoch's first block can close.
   */
  readonly toldSet: Set<Slot>;
}

const byFire = (a: Slot, b: Slot): number => a.fire - b.fire || a.order - b.order;
const byResolve = (a: Slot, b: Slot): number => a.resolve - b.resolve || a.order - b.order;
const byOrder = (a: Slot, b: Slot): number => a.order - b.order;

function insertSorted(set: Slot[], slot: Slot, cmp: (a: Slot, b: Slot) => number): void {
  let i = set.length;
  while (i > 0 && cmp(set[i - 1]!, slot) > 0) i--;
  set.splice(i, 0, slot);
}

function remove(set: Slot[], slot: Slot): void {
  const i = set.indexOf(slot);
  if (i >= 0) set.splice(i, 1);
}

/** Indexed evaluation of a fixed rule list; same events and states as scanning every rule. */
export class RuleIndex {
  private readonly groups: Group[] = [];
  private readonly slotOf = new Map<Rule, Slot>();
  private readonly ticking: Group[] = [];
  private seenHeight = -1;
  private seenHash = '';
  private readonly candidates: Slot[] = [];
  private readonly groupOf = new Map<Slot, Group>();

  constructor(rules: readonly Rule[]) {
    const byKey = new Map<string, Group>();
    rules.forEach((rule, order) => {
      const def = kindOf(rule);
      const series = seriesOf(rule);
      const key = `${rule.kind}|${series}`;
      let g = byKey.get(key);
      if (g === undefined) {
        g = {
          def,
          series,
          event: def.mode === 'event',
          above: def.comparison === 'above',
          fireSet: [],
          resolveSet: [],
          toldSet: new Set(),
        };
        byKey.set(key, g);
        this.groups.push(g);
        if (rule.kind === 'slow-blocks') this.ticking.push(g);
      }
      const slot: Slot = {
        rule,
        order,
        fire: fireLevelOf(rule),
        resolve: resolveLevelOf(rule),
        state: null,
        dueSec: null,
        deeperAt: null,
      };
      this.slotOf.set(rule, slot);
      this.groupOf.set(slot, g);
      g.fireSet.push(slot);
    });
    for (const g of this.groups) if (!g.event) g.fireSet.sort(byFire);
  }

  /** One block: candidates only, in rule order. */
  feed(s: Snapshot, nowSec: number, out: AlertEvent[]): void {
    const c = this.candidates;
    c.length = 0;
    for (const g of this.groups) this.collect(g, s, nowSec, c);
    if (c.length > 1) c.sort(byOrder);
    // A block above every one seen is judged the same from the stored state as from the overlaid
    // one (judge takes this block's height and hash either way): no copy of each rule's state.
    const fresh = s.height > this.seenHeight;
    for (const slot of c) {
      const r = evaluateRule(slot.rule, fresh ? slot.state : this.stateOf(slot), s, nowSec);
      this.settle(slot, r.state);
      if (r.event) out.push(r.event);
    }
    c.length = 0;
    if (s.height >= this.seenHeight) this.seenHash = s.hash;
    if (s.height > this.seenHeight) this.seenHeight = s.height;
  }

  /** A timer tick on `latest` (the highest snapshot fed): time-based candidates only. */
  tick(latest: Snapshot, nowSec: number, out: AlertEvent[]): void {
    const c: Slot[] = [];
    for (const g of this.ticking) this.collect(g, latest, nowSec, c);
    if (c.length > 1) c.sort(byOrder);
    for (const slot of c) {
      const r = evaluateTick(slot.rule, this.stateOf(slot), latest, nowSec);
      this.settle(slot, r.state);
      if (r.event) out.push(r.event);
    }
  }

  /** The rule's state as a scan would hold it (null: never fed a block). */
  state(rule: Rule): RuleState | null {
    const slot = this.slotOf.get(rule);
    return slot === undefined ? null : this.stateOf(slot);
  }

  private collect(g: Group, s: Snapshot, nowSec: number, c: Slot[]): void {
    const def = g.def;
    const sweep = def.kind === 'retarget-estimate' && s.height === s.retarget.epochStartHeight;
    if (sweep) {
      // An epoch's first block closes the previous epoch's estimates (lifecycle-repeat.ts): the
      // firing ones and the ok ones still carrying what they told. Any other estimate has nothing
      // to close, so it is a candidate only by its level, as on every block.
      for (const slot of g.resolveSet) c.push(slot);
      for (const slot of g.toldSet) c.push(slot);
    }
    const v = def.value !== undefined ? def.value(g.series, s, nowSec) : (def.read(g.series, s, nowSec)?.value ?? null);
    if (v === null) return;
    if (g.event) {
      for (const slot of g.fireSet) c.push(slot);
      return;
    }
    const fire = g.fireSet;
    const resolve = g.resolveSet;
    // Closed bounds, as crossesFire / crossesResolve (NaN crosses nothing).
    if (sweep) {
      // Every firing rule and every told one is in already.
      const fresh = (slot: Slot): void => {
        if (!g.toldSet.has(slot)) c.push(slot);
      };
      if (g.above) for (let i = 0; i < fire.length && fire[i]!.fire <= v; i++) fresh(fire[i]!);
      else for (let i = fire.length - 1; i >= 0 && fire[i]!.fire >= v; i--) fresh(fire[i]!);
      return;
    }
    if (g.above) {
      for (let i = 0; i < fire.length && fire[i]!.fire <= v; i++) c.push(fire[i]!);
      for (let i = resolve.length - 1; i >= 0 && resolve[i]!.resolve >= v; i--) c.push(resolve[i]!);
    } else {
      for (let i = fire.length - 1; i >= 0 && fire[i]!.fire >= v; i--) c.push(fire[i]!);
      let i = 0;
      for (; i < resolve.length && resolve[i]!.resolve <= v; i++) c.push(resolve[i]!);
      // Under-water kinds: a firing rule not resolving may owe a reminder or an escalation.
      if (REMINDER_KINDS.has(def.kind)) {
        for (; i < resolve.length; i++) {
          const slot = resolve[i]!;
          const st = slot.state;
          const maybe =
            (slot.deeperAt !== null && v <= slot.deeperAt) || (slot.dueSec !== null && nowSec >= slot.dueSec);
          if (maybe && st !== null && repeatOwed(slot.rule, 'below', slot.fire, st, v, nowSec) !== null) c.push(slot);
        }
      }
    }
  }

  private stateOf(slot: Slot): RuleState | null {
    const st = slot.state;
    if (this.seenHeight < 0) return st;
    const base = st ?? INITIAL_STATE;
    if (base.lastHeight === this.seenHeight && base.lastHash === this.seenHash) return base;
    return { ...base, lastHeight: this.seenHeight, lastHash: this.seenHash };
  }

  private settle(slot: Slot, next: RuleState): void {
    const was = slot.state?.status ?? 'ok';
    slot.state = next;
    if (REMINDER_KINDS.has(slot.rule.kind)) {
      const r = repeatScores(slot.rule, next);
      slot.dueSec = r.dueSec;
      slot.deeperAt = r.deeperAt;
    }
    const g = this.groupOf.get(slot)!;
    if (inToldSet(slot.rule, next)) g.toldSet.add(slot);
    else g.toldSet.delete(slot);
    if (next.status === was) return;
    if (g.event) return;
    if (next.status === 'firing') {
      remove(g.fireSet, slot);
      insertSorted(g.resolveSet, slot, byResolve);
    } else {
      remove(g.resolveSet, slot);
      insertSorted(g.fireSet, slot, byFire);
    }
  }
}
