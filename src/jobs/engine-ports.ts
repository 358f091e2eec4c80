/**
 * The narrow seams between the BullMQ evaluation machinery and the rest: the alert logic (the
 * lifecycle and pipeline of src/alerting/, adapted as `alertJudge` in src/alerting/engine.ts)
 * and chain state (the watcher's snapshots). Injected, so the engine runs with fakes in tests and in benches.
 */
import type { AlertEvent, Rule, RuleState, Subscription } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';

/** Decides what one rule says about one snapshot, and what to do with a subscription's events. */
export interface RuleJudge {
  /** The lifecycle step; `state` null means never evaluated. Pure. */
  evaluate(
    rule: Rule,
    state: RuleState | null,
    snapshot: Snapshot,
    nowSec: number,
  ): { state: RuleState; event: AlertEvent | null };
  /**
   * The notification stages before delivery (mute, quiet hours, dedupe, group): which events go
   * out now, which are held for a digest and until when, which are dropped.
   */
  route(sub: Subscription, events: readonly AlertEvent[], nowSec: number): Routing;
}

export interface Routing {
  readonly now: readonly AlertEvent[];
  readonly hold: readonly AlertEvent[];
  /** When held events should be sent as one digest (unix seconds); null if nothing is held. */
  readonly releaseAtSec: number | null;
}

/** What the engine reads from chain state (the watcher writes it). */
export interface SnapshotReader {
  /** The snapshot of exactly this block; null if unknown (not stored yet, or reorged away and pruned). */
  byBlock(height: number, hash: string): Promise<Snapshot | null>;
  latest(): Promise<Snapshot | null>;
}
