/**
 * In-memory evaluation of a list of rules over a stream of snapshots, for `replay`, `preview`
 * and the demo. It holds states in a Map and calls exactly the live engine's evaluateRule and
 * evaluateTick: one engine, two stores.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import { RuleIndex } from './evaluator-index.ts';
import { foldEvents } from './fold.ts';
import { evaluateRule, evaluateTick, type Decision } from './lifecycle.ts';
import type { AlertEvent, Rule, RuleSpec, RuleState } from './types.ts';

export interface EvaluatorOptions {
  /**
   * Between two blocks, judge time-based rules (slow-blocks) at the moment the next block
   * arrived, as the live timer would have. Default true.
   */
  readonly ticksBetweenBlocks?: boolean;
  /**
   * Called for every decision (replay --explain, preview statistics, tests). Every rule's
   * decision is wanted then, so this forces the 'scan' strategy.
   */
  readonly onDecision?: (rule: Rule, decision: Decision, height: number) => void;
  /**
   * 'indexed' (default): each series is read once per block and only rules whose level it
   * crossed are judged (./evaluator-index.ts). 'scan': every rule judged on every block, the
   * plain form kept as the test oracle. Both emit identical events and hold identical states.
   */
  readonly strategy?: 'indexed' | 'scan';
}

export class MemoryEvaluator {
  private readonly states = new Map<string, RuleState>();
  private last: Snapshot | null = null;
  /** null: scanning (asked for, decisions wanted, or two rules sharing one state key). */
  private readonly index: RuleIndex | null;

  constructor(
    private readonly rules: readonly Rule[],
    private readonly opts: EvaluatorOptions = {},
  ) {
    const keys = new Set(rules.map((r) => this.key(r)));
    const scan = opts.strategy === 'scan' || opts.onDecision !== undefined || keys.size !== rules.length;
    this.index = scan ? null : new RuleIndex(rules);
  }

  /** Evaluates every rule on `snapshot`; returns the events in rule order. */
  feed(snapshot: Snapshot, nowSec: number = snapshot.computedAtSec): AlertEvent[] {
    const out: AlertEvent[] = [];
    const prev = this.last;
    if (prev !== null && snapshot.height > prev.height && (this.opts.ticksBetweenBlocks ?? true)) {
      out.push(...this.tick(Math.max(snapshot.timeSec, prev.timeSec)));
    }
    if (this.index !== null) {
      this.index.feed(snapshot, nowSec, out);
      if (prev === null || snapshot.height >= prev.height) this.last = snapshot;
      return foldEvents(out);
    }
    for (const rule of this.rules) {
      const key = this.key(rule);
      const r = evaluateRule(rule, this.states.get(key) ?? null, snapshot, nowSec);
      this.states.set(key, r.state);
      this.opts.onDecision?.(rule, r.decision, snapshot.height);
      if (r.event) out.push(r.event);
    }
    if (prev === null || snapshot.height >= prev.height) this.last = snapshot;
    return foldEvents(out);
  }

  /** A timer tick at `nowSec` against the latest snapshot fed (no-op before the first). */
  tick(nowSec: number): AlertEvent[] {
    const latest = this.last;
    if (latest === null) return [];
    const out: AlertEvent[] = [];
    if (this.index !== null) {
      this.index.tick(latest, nowSec, out);
      return out;
    }
    for (const rule of this.rules) {
      if (rule.kind !== 'slow-blocks') continue;
      const key = this.key(rule);
      const r = evaluateTick(rule, this.states.get(key) ?? null, latest, nowSec);
      this.states.set(key, r.state);
      this.opts.onDecision?.(rule, r.decision, latest.height);
      if (r.event) out.push(r.event);
    }
    return out;
  }

  state(rule: Pick<Rule, 'id' | 'subscriptionId'>): RuleState | null {
    if (this.index !== null) {
      const own = this.rules.find((r) => r.id === rule.id && r.subscriptionId === rule.subscriptionId);
      return own === undefined ? null : this.index.state(own);
    }
    return this.states.get(this.key(rule)) ?? null;
  }

  private key(rule: Pick<Rule, 'id' | 'subscriptionId'>): string {
    return `${rule.subscriptionId}/${rule.id}`;
  }
}

/** Replay rules-file entries ({id, spec}) as Rules owned by nobody (subscriptionId ''). */
export function replayRules(entries: ReadonlyArray<{ readonly id: string; readonly spec: RuleSpec }>): Rule[] {
  return entries.map((e): Rule => ({ ...e.spec, id: e.id, subscriptionId: '', createdSec: 0 }));
}
