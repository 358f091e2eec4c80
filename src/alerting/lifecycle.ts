/**
 * The per-rule lifecycle: an explicit state machine (ok → firing → ok) whose every step returns
 * a named decision, never a bare boolean, so logs and tests say WHY something (didn't) happen.
 * The live evaluator, replay and preview all call this one function: there is one engine.
 *
 * Idempotency lives in the state: the same (height, hash) twice is 'already-evaluated-height';
 * a different hash at an evaluated height (reorg) is re-judged, but never fires twice for one
 * crossing and never resolves a firing on a replaced block ('reorg-held').
 *
 * `firingSinceHeight` (contract field) is the height of the rule's last transition: where the
 * current firing started while firing, where it last resolved while ok (null: never fired). The
 * reorg guard needs the latter; the store's codec already persists the field.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import { crossesFire, crossesResolve, type KindShape, type Reading } from './kinds/kind.ts';
import { fireLevelOf, kindOf, presentOf, resolveLevelOf, seriesOf, thresholdOf } from './kinds/registry.ts';
import { makeEvent } from './render.ts';
import { closeEpoch, depthPct, repeatOwed } from './lifecycle-repeat.ts';
import type { AlertEvent, AlertState, Rule, RuleState, Told } from './types.ts';

export type Decision =
  /** ok → firing: a 'firing' message (a 'notice' for notice-level kinds). */
  | 'fired'
  /** firing → ok: a 'resolved' message. */
  | 'resolved'
  /** Event kinds: the event is on this block (new block, retarget). */
  | 'notice'
  /** Notice-level kinds re-arm silently (retarget-soon at the next epoch). */
  | 'rearmed'
  | 'still-firing'
  | 'below-threshold'
  /** Crossed, but a message went out less than the kind's cooldown ago: stays ok, retried next block. */
  | 'cooldown'
  /** The snapshot has no figure for this rule (no BTC price, partial window): nothing changes. */
  | 'no-data'
  /** Event kinds on a block without their event. */
  | 'no-event'
  /** Same block again, or an older one that is no correction. */
  | 'already-evaluated-height'
  /** A replacement block: re-judged, but nothing is said twice. */
  | 'reorg-replaced'
  /** A replacement block would resolve a firing or re-fire a crossing already told: held. */
  | 'reorg-held'
  /** Under-water kinds: still firing, and the subscriber's reminder cadence came round. */
  | 'reminded'
  /** Under-water kinds: still firing, ESCALATE_POINTS deeper than last told. */
  | 'escalated'
  /** Retarget estimate: a new epoch closed the previous epoch's estimate (silently). */
  | 'epoch-closed';

export interface Evaluation {
  readonly state: RuleState;
  readonly decision: Decision;
  readonly event: AlertEvent | null;
}

export const INITIAL_STATE: RuleState = {
  status: 'ok',
  lastHeight: -1,
  lastHash: '',
  firingSinceHeight: null,
  lastNotifiedSec: null,
};

type Kind = 'new' | 'duplicate' | 'reorg';

function classifyBlock(prev: RuleState | null, s: Snapshot): Kind {
  if (prev === null || s.height > prev.lastHeight) return 'new';
  if (s.height === prev.lastHeight) return s.hash === prev.lastHash ? 'duplicate' : 'reorg';
  return s.correction ? 'reorg' : 'duplicate';
}

/**
 * One rule, one snapshot. `nowSec` is the wall clock of the evaluation (data age, cooldown);
 * replay passes the block time, which is also the default.
 */
export function evaluateRule(
  rule: Rule,
  state: RuleState | null,
  s: Snapshot,
  nowSec: number = s.computedAtSec,
): Evaluation {
  const prev = state ?? INITIAL_STATE;
  const block = classifyBlock(state, s);
  if (block === 'duplicate') {
    // Time-based kinds: the same tip judged again later IS the timer tick (the live tick re-runs
    // the block path on the latest snapshot); every other kind has said all it will.
    if (rule.kind === 'slow-blocks' && s.height === prev.lastHeight && s.hash === prev.lastHash)
      return evaluateTick(rule, prev, s, nowSec);
    return { state: prev, decision: 'already-evaluated-height', event: null };
  }
  return judge(rule, prev, s, nowSec, block);
}

/**
 * A timer tick for time-based rules (slow-blocks): the latest block's snapshot judged again at
 * `nowSec`. Other kinds have nothing to say between blocks ('no-event'). A tick on a snapshot
 * older than one the rule has seen is stale ('already-evaluated-height').
 */
export function evaluateTick(rule: Rule, state: RuleState | null, latest: Snapshot, nowSec: number): Evaluation {
  const prev = state ?? INITIAL_STATE;
  if (rule.kind !== 'slow-blocks') return { state: prev, decision: 'no-event', event: null };
  if (latest.height < prev.lastHeight) return { state: prev, decision: 'already-evaluated-height', event: null };
  return judge(rule, prev, latest, nowSec, 'new');
}

function judge(rule: Rule, prev: RuleState, s: Snapshot, nowSec: number, block: Kind): Evaluation {
  const def = kindOf(rule);
  const lastHeight = Math.max(prev.lastHeight, s.height);
  const lastHash = s.height >= prev.lastHeight ? s.hash : prev.lastHash;
  if (def.mode === 'event') return judgeEvent(rule, def, prev, s, nowSec, block, lastHeight, lastHash);
  const seen: RuleState = { ...prev, lastHeight, lastHash };
  if (block !== 'reorg') {
    const closed = closeEpoch(rule, seen, s);
    if (closed !== null) return { state: closed.state, decision: 'epoch-closed', event: closed.event };
  }
  const reading = def.read(seriesOf(rule), s, nowSec);
  if (reading === null) return { state: seen, decision: 'no-data', event: null };
  return prev.status === 'firing'
    ? whileFiring(rule, def, reading, seen, block, s, nowSec)
    : whileOk(rule, def, reading, seen, block, s, nowSec);
}

/**
 * Event kinds: a notice on the block that carries the event. They close no epoch (that is the
 * retarget estimate's, a level kind). The state is copied once, not twice: a `new-block` rule
 * runs this on every block, and copying rule states was most of its cost.
 */
function judgeEvent(
  rule: Rule,
  def: KindShape,
  prev: RuleState,
  s: Snapshot,
  nowSec: number,
  block: Kind,
  lastHeight: number,
  lastHash: string,
): Evaluation {
  const reading = def.read(seriesOf(rule), s, nowSec);
  if (reading === null) return { state: { ...prev, lastHeight, lastHash }, decision: 'no-event', event: null };
  if (block === 'reorg') return { state: { ...prev, lastHeight, lastHash }, decision: 'reorg-replaced', event: null };
  const event = emit(rule, def, reading, 'notice', s, nowSec);
  return { state: { ...prev, lastHeight, lastHash, lastNotifiedSec: nowSec }, decision: 'notice', event };
}

function whileOk(
  rule: Rule,
  def: KindShape,
  r: Reading,
  seen: RuleState,
  block: Kind,
  s: Snapshot,
  nowSec: number,
): Evaluation {
  const level = fireLevelOf(rule);
  if (!crossesFire(def.comparison, r.value, level)) {
    return { state: seen, decision: block === 'reorg' ? 'reorg-replaced' : 'below-threshold', event: null };
  }
  if (block === 'reorg' && seen.firingSinceHeight === s.height) {
    // Resolved on the block this one replaces: firing again here would tell the same crossing twice.
    return { state: seen, decision: 'reorg-held', event: null };
  }
  if (def.cooldownSec > 0 && seen.lastNotifiedSec !== null && nowSec - seen.lastNotifiedSec < def.cooldownSec) {
    return { state: seen, decision: 'cooldown', event: null };
  }
  const state: AlertState = def.mode === 'notice-level' ? 'notice' : 'firing';
  const event = emit(rule, def, r, state, s, nowSec, level);
  const firing: RuleState = {
    ...seen,
    status: 'firing',
    firingSinceHeight: s.height,
    lastNotifiedSec: nowSec,
    sinceSec: s.timeSec,
  };
  return { state: { ...firing, told: toldOf(def, rule, r, s) }, decision: 'fired', event };
}

/** What a firing message told (see RuleState.told). */
function toldOf(def: KindShape, rule: Rule, r: Reading, s: Snapshot): Told {
  const depth = depthPct(def.comparison, r.value, fireLevelOf(rule));
  return {
    value: r.shown,
    sec: s.timeSec,
    height: s.height,
    depth,
    ...(r.low !== undefined && r.high !== undefined ? { low: r.low, high: r.high } : {}),
  };
}

function whileFiring(
  rule: Rule,
  def: KindShape,
  r: Reading,
  seen: RuleState,
  block: Kind,
  s: Snapshot,
  nowSec: number,
): Evaluation {
  const level = resolveLevelOf(rule);
  if (!crossesResolve(def.comparison, r.value, level)) {
    if (block === 'reorg') return { state: seen, decision: 'reorg-replaced', event: null };
    const repeat = repeatOwed(rule, def.comparison, fireLevelOf(rule), seen, r.value, nowSec);
    if (repeat === null) return { state: seen, decision: 'still-firing', event: null };
    const event = emit(rule, def, r, 'firing', s, nowSec, fireLevelOf(rule), repeat, seen.sinceSec);
    const told = toldOf(def, rule, r, s);
    return {
      state: { ...seen, lastNotifiedSec: nowSec, told },
      decision: repeat === 'reminder' ? 'reminded' : 'escalated',
      event,
    };
  }
  if (block === 'reorg') return { state: seen, decision: 'reorg-held', event: null };
  // A retarget estimate keeps what it told until the epoch closes (the retarget notice says it).
  const keep = rule.kind === 'retarget-estimate' ? { told: seen.told ?? null } : { told: null };
  const ok: RuleState = { ...seen, status: 'ok', firingSinceHeight: s.height, sinceSec: null, ...keep };
  if (def.mode === 'notice-level') return { state: ok, decision: 'rearmed', event: null };
  const event = emit(rule, def, r, 'resolved', s, nowSec, level, undefined, seen.sinceSec);
  return { state: { ...ok, lastNotifiedSec: nowSec }, decision: 'resolved', event };
}

/** The user's threshold as events report it: the kind's own, else its firing level (events: 0). */
function userThreshold(def: KindShape, rule: Rule): number {
  if (def.mode === 'event') return 0;
  const t = thresholdOf(rule);
  // 30 × 24 × 0.06 is 43.199999999999996 in binary: report the number the user meant.
  return Number.isFinite(t) ? Number(t.toPrecision(12)) : t;
}

function emit(
  rule: Rule,
  def: KindShape,
  r: Reading,
  state: AlertState,
  s: Snapshot,
  nowSec: number,
  comparedLevel?: number,
  repeat?: 'reminder' | 'escalation',
  sinceSec?: number | null,
): AlertEvent {
  const ctx =
    repeat !== undefined || (sinceSec !== undefined && sinceSec !== null)
      ? { repeat, sinceSec: sinceSec ?? null }
      : undefined;
  const p = presentOf(rule, r, state, s, ctx);
  const e = makeEvent(rule, r, p, state, userThreshold(def, rule), s, nowSec, comparedLevel);
  return repeat === undefined ? e : { ...e, details: { ...e.details, repeat } };
}
