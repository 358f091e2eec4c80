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
import { fansOut, kindOfSeries, noticeOf } from './fanout.ts';
import { foldEvents } from './fold.ts';
import type { Observation } from './index-model.ts';
import type { Decision } from './lifecycle.ts';
import { EPOCH_CLOSE_FOLDS_INTO } from './lifecycle-repeat.ts';
import { group, type Routing } from './pipeline.ts';
import type {
  BroadcastAt,
  HeldEventStore,
  HeldList,
  IndexPlan,
  OutboundMessage,
  ReadSubscription,
  RuleBatchStore,
  RuleBatchWriter,
  RuleJudge,
} from './ports.ts';
import type { AlertEvent, Rule, Subscription } from './types.ts';

export interface EvaluationPorts {
  readonly rules: RuleBatchStore;
  readonly plan: IndexPlan;
  readonly judge: RuleJudge;
  /** Subscriptions per batch (one store round trip each way). */
  readonly batchSize?: number;
  /** Every rule's named decision (the live path logs the notable ones). */
  readonly onDecision?: (rule: Rule, decision: Decision) => void;
  /**
   * Event series (retarget, new-block) with at least this many rules fan out (./fanout.ts):
   * their notice is stored once and walked by the notifiers instead of judged rule by rule.
   * Absent: every rule is judged per subscription.
   */
  readonly fanOutMin?: number;
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
  /** Stores an event series' notice once and starts its fan-out (absent: no fan-out). */
  broadcast?(at: BroadcastAt, notice: AlertEvent): Promise<void>;
  /** Subscriptions up to `upTo` are evaluated, with their own lines for the notice (null: all are). */
  progress?(
    at: BroadcastAt,
    upTo: string | null,
    extras: ReadonlyArray<{ subscriptionId: string; events: string }>,
  ): Promise<void>;
}

export interface EvaluateStats {
  candidates: number;
  evaluated: number;
  changed: number;
  messages: number;
  held: number;
  /** Event series whose notice was stored once and fanned out instead of judged per rule. */
  fannedOut: number;
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
  const fanned = await fannedSeries(ports, obs, sink);
  const personal = fanned.length === 0 ? obs : { ...obs, events: obs.events.filter((e) => !fanned.includes(e)) };
  const stats: EvaluateStats = {
    candidates: 0,
    evaluated: 0,
    changed: 0,
    messages: 0,
    held: 0,
    fannedOut: 0,
    decisions: {},
  };
  const at = { snapshot, nowSec, obs };
  // Broadcast channels first, whatever the index holds: one post reaches a whole channel, so it
  // goes before anyone else's message and before a notice's fan-out (whose walk skips them). All
  // their rules are judged (the lifecycle says what each one's block is; the index only
  // preselects). Block evaluations only: a slow-blocks tick's sink takes no broadcast.
  await ports.rules.upgrade?.(snapshot);
  const channels = sink.broadcast === undefined ? [] : ((await ports.rules.broadcastSubscriptions?.()) ?? []);
  const channelRules = channels.length > 0 && ports.rules.allRules ? await ports.rules.allRules(channels) : new Map();
  if (channelRules.size > 0) {
    for (const ids of channelRules.values()) stats.candidates += ids.length;
    await evaluateBatch(ports, [...channelRules.keys()], channelRules, at, sink, stats, null);
  }
  // The notices next: their walks start as soon as the first batch below is evaluated.
  const broadcasts: BroadcastAt[] = [];
  for (const series of fanned) {
    const notice = noticeOf(series, snapshot, nowSec);
    if (notice === null) continue;
    const b = { series, height: snapshot.height, hash: snapshot.hash };
    await sink.broadcast?.(b, notice);
    broadcasts.push(b);
    stats.fannedOut++;
  }
  const bySub = await ports.rules.candidates(snapshot, personal);
  for (const id of channelRules.keys()) bySub.delete(id);
  for (const ids of bySub.values()) stats.candidates += ids.length;
  const rest = [...bySub.keys()];
  // Only a notice something folds into (a closed estimate's score into the retarget notice) waits
  // for the evaluation; any other walk may go all the way at once.
  const waiting = broadcasts.filter((b) => kindOfSeries(b.series) === EPOCH_CLOSE_FOLDS_INTO);
  for (const b of broadcasts) if (!waiting.includes(b)) await sink.progress?.(b, null, []);
  const fold = waiting.length === 0 ? null : { sink, broadcasts: waiting };
  const size = ports.batchSize ?? 500;
  for (const batch of fanned.length > 0 ? walkOrder(rest, size) : slices(rest, size))
    await evaluateBatch(ports, batch, bySub, at, sink, stats, fold);
  for (const b of waiting) await sink.progress?.(b, null, []);
  return stats;
}

function slices(ids: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/**
 * Batch order with a fan-out: each platform's subscriptions in string order (the order its walk
 * takes them: a walk may pass every subscription up to the last one evaluated, whose own lines —
 * a closed estimate's score — are stored by then), one batch of each platform in turn, so every
 * platform's walk can start after its first batch.
 */
function walkOrder(ids: readonly string[], size: number): string[][] {
  const byPlatform = new Map<string, string[]>();
  for (const id of ids) {
    const p = id.slice(0, id.indexOf('-') + 1);
    const list = byPlatform.get(p);
    if (list) list.push(id);
    else byPlatform.set(p, [id]);
  }
  const queues = [...byPlatform.values()].map((l) => slices(l.sort(), size));
  const out: string[][] = [];
  for (let i = 0; queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length) out.push(q[i]!);
  return out;
}

/** The event series that fan out on this block (the sink can, and the store says enough subscribe). */
async function fannedSeries(ports: EvaluationPorts, obs: Observation, sink: EvaluateSink): Promise<string[]> {
  const min = ports.fanOutMin;
  if (min === undefined || sink.broadcast === undefined) return [];
  const out: string[] = [];
  for (const series of obs.events) {
    if (!fansOut(series)) continue;
    if (min <= 0 || ((await ports.rules.eventCount?.(series)) ?? 0) >= min) out.push(series);
  }
  return out;
}

/**
 * One batch: judge, then per subscription fold → route → group (settleEvents), the outcome to the
 * sink, the fan-outs' progress, then the batch's states. With fan-outs (`fold`), a subscription's
 * lines that fold into a fanned-out notice are stored with that broadcast instead.
 */
async function evaluateBatch(
  ports: EvaluationPorts,
  subIds: readonly string[],
  bySub: ReadonlyMap<string, readonly string[]>,
  at: { snapshot: Snapshot; nowSec: number; obs: Observation },
  sink: EvaluateSink,
  stats: EvaluateStats,
  fold: { sink: EvaluateSink; broadcasts: readonly BroadcastAt[] } | null,
): Promise<void> {
  const batch = await ports.rules.read(subIds, bySub);
  const write = ports.rules.writer();
  const messages: OutboundMessage[] = [];
  const held: HeldBatch[] = [];
  const extras = new Map<string, Array<{ subscriptionId: string; events: string }>>();
  const foldKinds = new Map<string, string>();
  for (const b of fold?.broadcasts ?? []) foldKinds.set(kindOfSeries(b.series) ?? '', b.series);
  for (const entry of batch) {
    let events = judgeSubscription(ports, entry, at, write, stats);
    if (entry.sub === null || events.length === 0) continue;
    if (foldKinds.size > 0) {
      const own = events.filter((e) => e.details.foldInto !== undefined && foldKinds.has(e.details.foldInto));
      for (const [kind, series] of foldKinds) {
        const mine = own.filter((e) => e.details.foldInto === kind);
        if (mine.length === 0) continue;
        const list = extras.get(series) ?? [];
        list.push({ subscriptionId: entry.subscriptionId, events: JSON.stringify(mine) });
        extras.set(series, list);
      }
      if (own.length > 0) events = events.filter((e) => !own.includes(e));
    }
    const out = settleEvents(ports.judge, entry.sub, events, at.nowSec);
    messages.push(...out.messages);
    held.push(...out.held);
  }
  if (messages.length > 0) await sink.deliver(messages);
  if (held.length > 0) await sink.hold(held);
  if (fold !== null) {
    const upTo = subIds.at(-1) ?? null;
    for (const b of fold.broadcasts) if (upTo !== null) await fold.sink.progress?.(b, upTo, extras.get(b.series) ?? []);
  }
  stats.messages += messages.length;
  stats.held += held.length;
  await write.commit();
}

/**
 * The pipeline's fold → route → group for one subscription's events of one block: the messages
 * that go out now (a broadcast channel's marked to go first) and what is held (digest, snooze).
 * The evaluator runs it per subscription, the fan-out per recipient: one implementation.
 */
export function settleEvents(
  judge: Pick<RuleJudge, 'route'>,
  sub: Subscription,
  events: readonly AlertEvent[],
  nowSec: number,
): { messages: OutboundMessage[]; held: HeldBatch[] } {
  const routed = judge.route(sub, foldEvents(events), nowSec);
  const grouped = group(routed.now);
  // One post reaches a whole channel: it goes ahead of the block's personal messages.
  const messages = isBroadcast(sub) ? grouped.map((m) => ({ ...m, broadcast: true as const })) : grouped;
  return { messages, held: heldOf(sub.id, routed) };
}

/**
 * Held events to their lists (one push per list), then each one's release scheduled: what the
 * evaluator's sink and the fan-out both do with the route stage's held parts.
 */
export async function holdBatches(
  store: Pick<HeldEventStore, 'push'>,
  held: readonly HeldBatch[],
  schedule: (h: HeldBatch) => Promise<void>,
): Promise<void> {
  for (const list of ['digest', 'snooze'] as const) {
    const mine = held.filter((h) => h.list === list);
    if (mine.length > 0) await store.push(list, mine);
  }
  for (const h of held) await schedule(h);
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
