/**
 * One block's evaluation over the rule store's index: only the rules the index says may change
 * state are read and judged (O(log N + K)); subscriptions are handled whole in batches, and each
 * subscription's events run the pipeline's first stages here — fold, route (mute, quiet hours,
 * snooze), group — so it gets at most one message per block. Each batch's outcome goes to the
 * sink BEFORE its states are committed: a crash in between re-evaluates the batch and hands the
 * sink the same messages again (deterministic job ids, the notification log), never loses them.
 */
import { isBroadcast } from './broadcast.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { foldEvents } from './fold.ts';
import type { Observation } from './index-model.ts';
import type { Decision } from './lifecycle.ts';
import { group, type Routing } from './pipeline.ts';
import type {
  HeldList,
  IndexPlan,
  OutboundMessage,
  ReadSubscription,
  RuleBatchStore,
  RuleBatchWriter,
  RuleJudge,
} from './ports.ts';
import type { AlertEvent, Rule } from './types.ts';

export interface EvaluationPorts {
  readonly rules: RuleBatchStore;
  readonly plan: IndexPlan;
  readonly judge: RuleJudge;
  /** Subscriptions per batch (one store round trip each way). */
  readonly batchSize?: number;
  /** Every rule's named decision (the live path logs the notable ones). */
  readonly onDecision?: (rule: Rule, decision: Decision) => void;
}

/** Held events of one subscription, which list holds them and when they are due. */
export interface HeldBatch {
  readonly subscriptionId: string;
  readonly list: HeldList;
  readonly releaseAtSec: number;
  readonly events: readonly AlertEvent[];
}

/** Where a batch's outcome goes before its states are committed (BullMQ in production). */
export interface EvaluateSink {
  /** One message per subscription per block (the group stage's output). */
  deliver(messages: readonly OutboundMessage[]): Promise<void>;
  hold(held: readonly HeldBatch[]): Promise<void>;
}

export interface EvaluateStats {
  candidates: number;
  evaluated: number;
  changed: number;
  messages: number;
  held: number;
  /** How many rules got each named decision (hashbell_rule_decisions_total). */
  decisions: Partial<Record<Decision, number>>;
}

/** Evaluates every rule that may change on `snapshot`; see the module comment for ordering. */
export async function runEvaluation(
  ports: EvaluationPorts,
  snapshot: Snapshot,
  nowSec: number,
  sink: EvaluateSink,
): Promise<EvaluateStats> {
  const obs = ports.plan.observe(snapshot, nowSec);
  const bySub = await ports.rules.candidates(snapshot, obs);
  const stats: EvaluateStats = { candidates: 0, evaluated: 0, changed: 0, messages: 0, held: 0, decisions: {} };
  for (const ids of bySub.values()) stats.candidates += ids.length;
  const subIds = [...bySub.keys()];
  const size = ports.batchSize ?? 500;
  for (let i = 0; i < subIds.length; i += size) {
    const batch = await ports.rules.read(subIds.slice(i, i + size), bySub);
    const write = ports.rules.writer();
    const messages: OutboundMessage[] = [];
    const held: HeldBatch[] = [];
    for (const entry of batch) {
      const events = judgeSubscription(ports, entry, { snapshot, nowSec, obs }, write, stats);
      if (entry.sub === null || events.length === 0) continue;
      const routed = ports.judge.route(entry.sub, foldEvents(events), nowSec);
      const grouped = group(routed.now);
      // One post reaches a whole channel: it goes ahead of the block's personal messages.
      messages.push(...(isBroadcast(entry.sub) ? grouped.map((m) => ({ ...m, broadcast: true as const })) : grouped));
      held.push(...heldOf(entry.subscriptionId, routed));
    }
    if (messages.length > 0) await sink.deliver(messages);
    if (held.length > 0) await sink.hold(held);
    stats.messages += messages.length;
    stats.held += held.length;
    await write.commit();
  }
  return stats;
}

/** The route stage's held parts as the sink takes them. */
function heldOf(subscriptionId: string, r: Routing): HeldBatch[] {
  const out: HeldBatch[] = [];
  if (r.hold.length > 0 && r.releaseAtSec !== null)
    out.push({ subscriptionId, list: 'digest', releaseAtSec: r.releaseAtSec, events: r.hold });
  if (r.snoozed !== undefined && r.snoozed.length > 0 && r.snoozeEndsAtSec != null)
    out.push({ subscriptionId, list: 'snooze', releaseAtSec: r.snoozeEndsAtSec, events: r.snoozed });
  return out;
}

/** Judges one subscription's candidate rules; returns their events in rule order. */
function judgeSubscription(
  ports: EvaluationPorts,
  entry: ReadSubscription,
  at: { snapshot: Snapshot; nowSec: number; obs: Observation },
  write: RuleBatchWriter,
  stats: EvaluateStats,
): AlertEvent[] {
  const events: AlertEvent[] = [];
  for (const read of entry.rules) {
    if (entry.sub === null || read.rule === null) {
      // A stale index member (subscription or rule gone): nothing to judge, drop it.
      write.dropStale(entry.subscriptionId, read.ruleId, at.obs);
      continue;
    }
    if (!entry.sub.active) continue;
    // The judge decides what a duplicate, a reorg or a tick means (one engine with replay).
    const out = ports.judge.evaluate(read.rule, read.state, at.snapshot, at.nowSec);
    stats.evaluated++;
    stats.decisions[out.decision] = (stats.decisions[out.decision] ?? 0) + 1;
    ports.onDecision?.(read.rule, out.decision);
    if ((read.state?.status ?? 'ok') !== out.state.status) stats.changed++;
    write.update(read.rule, read, out.state);
    if (out.event) events.push(out.event);
  }
  return events;
}
