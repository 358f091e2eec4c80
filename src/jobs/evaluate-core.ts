/**
 * One block's evaluation against the Redis rule index: only the rules the index says may change
 * state are read and judged (O(log N + K)), subscriptions are handled whole in batches so each
 * gets at most one message per block, and each batch's messages are handed to the sink BEFORE its
 * states are committed — a crash in between re-evaluates the batch and re-enqueues the same
 * deterministic deliver jobs, never loses them.
 */
import type { Redis } from 'ioredis';
import type { AlertEvent, Rule, RuleState } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { decodeRule, decodeState, decodeSubscription, encodeState } from '../store/codec.ts';
import type { IndexPlan, Observation } from '../store/index-plan.ts';
import { ruleKey, splitRuleKey, type EngineKeys } from '../store/keys.ts';
import { migrateDropRules } from '../store/drop-migration.ts';
import { RedisRuleIndex } from '../store/rule-index.ts';
import { foldEvents } from '../alerting/fold.ts';
import { repeatScores } from '../alerting/lifecycle-repeat.ts';
import { REMINDER_KINDS } from '../alerting/types.ts';
import type { RuleJudge } from './engine-ports.ts';
import type { DeliverJob } from './queues.ts';

export interface EvaluateDeps {
  readonly redis: Redis;
  readonly keys: EngineKeys;
  readonly plan: IndexPlan;
  readonly judge: RuleJudge;
  /** Subscriptions per batch (one pipeline round trip each). */
  readonly batchSize?: number;
}

/** Held events of one subscription and when their digest is due. */
export interface HeldBatch {
  readonly subscriptionId: string;
  readonly releaseAtSec: number;
  readonly events: readonly AlertEvent[];
}

/** Where a batch's outcome goes before its states are committed (BullMQ in production). */
export interface EvaluateSink {
  deliver(jobs: readonly DeliverJob[]): Promise<void>;
  hold(held: readonly HeldBatch[]): Promise<void>;
}

export interface EvaluateStats {
  candidates: number;
  evaluated: number;
  changed: number;
  messages: number;
  held: number;
}

/** The rule keys whose state may change under this snapshot, grouped by subscription. */
async function candidatesBySubscription(index: RedisRuleIndex, obs: Observation): Promise<Map<string, string[]>> {
  const members = await index.levelCandidates(obs);
  for (const series of obs.events) {
    for await (const batch of index.eventMembers(series)) for (const m of batch) members.add(m);
  }
  const bySub = new Map<string, string[]>();
  for (const m of members) {
    const k = splitRuleKey(m);
    if (k === null) continue;
    const list = bySub.get(k.subscriptionId);
    if (list) list.push(k.ruleId);
    else bySub.set(k.subscriptionId, [k.ruleId]);
  }
  return bySub;
}

/** Evaluates every rule that may change on `snapshot`; see the module comment for ordering. */
export async function evaluateBlock(
  deps: EvaluateDeps,
  snapshot: Snapshot,
  nowSec: number,
  sink: EvaluateSink,
): Promise<EvaluateStats> {
  const index = new RedisRuleIndex(deps.redis, deps.keys);
  // Drop rules stored before the sequential detector move to their cells first (once per prefix).
  await migrateDropRules(deps.redis, deps.keys, deps.plan, snapshot);
  const obs = deps.plan.observe(snapshot, nowSec);
  const bySub = await candidatesBySubscription(index, obs);
  const stats: EvaluateStats = { candidates: 0, evaluated: 0, changed: 0, messages: 0, held: 0 };
  for (const ids of bySub.values()) stats.candidates += ids.length;
  const subIds = [...bySub.keys()];
  const size = deps.batchSize ?? 500;
  for (let i = 0; i < subIds.length; i += size) {
    await evaluateBatch(deps, index, { snapshot, nowSec, obs }, subIds.slice(i, i + size), bySub, sink, stats);
  }
  return stats;
}

async function evaluateBatch(
  deps: EvaluateDeps,
  index: RedisRuleIndex,
  at: { snapshot: Snapshot; nowSec: number; obs: Observation },
  subIds: readonly string[],
  bySub: ReadonlyMap<string, string[]>,
  sink: EvaluateSink,
  stats: EvaluateStats,
): Promise<void> {
  const { redis, keys, plan, judge } = deps;
  const { snapshot, nowSec, obs } = at;
  const read = redis.pipeline();
  for (const id of subIds) {
    const ruleIds = bySub.get(id) ?? [];
    read.hgetall(keys.subscription(id));
    read.hmget(keys.rules(id), ...ruleIds);
    read.hmget(keys.states(id), ...ruleIds);
  }
  const res = (await read.exec()) ?? [];
  const write = redis.multi();
  let writes = 0;
  const jobs: DeliverJob[] = [];
  const held: HeldBatch[] = [];
  subIds.forEach((id, n) => {
    const ruleIds = bySub.get(id) ?? [];
    const subHash = res[3 * n]?.[1] as Record<string, string> | undefined;
    const ruleJson = (res[3 * n + 1]?.[1] ?? []) as Array<string | null>;
    const stateRaw = (res[3 * n + 2]?.[1] ?? []) as Array<string | null>;
    const sub = subHash ? decodeSubscription(id, subHash) : null;
    const events: AlertEvent[] = [];
    ruleIds.forEach((ruleId, j) => {
      const json = ruleJson[j];
      if (sub === null || json === null || json === undefined) {
        // A stale index member (subscription or rule gone): nothing to judge, drop it.
        const member = ruleKey(id, ruleId);
        for (const series of obs.events) write.srem(keys.eventIndex(series), member);
        for (const series of obs.levels.keys()) {
          write.zrem(keys.fireIndex(series), member).zrem(keys.resolveIndex(series), member);
          write.zrem(keys.repeatIndex(series, 'due'), member).zrem(keys.repeatIndex(series, 'deeper'), member);
        }
        writes++;
        return;
      }
      if (!sub.active) return;
      const rule: Rule = decodeRule(id, ruleId, json);
      const raw = stateRaw[j];
      const prev: RuleState | null = raw ? decodeState(raw) : null;
      // The judge decides what a duplicate, a reorg or a tick means (one engine with replay).
      const out = judge.evaluate(rule, prev, snapshot, nowSec);
      stats.evaluated++;
      const encoded = encodeState(out.state);
      if (encoded !== raw) {
        write.hset(keys.states(id), ruleId, encoded);
        writes++;
      }
      if ((prev?.status ?? 'ok') !== out.state.status) {
        stats.changed++;
        index.place(write, ruleKey(id, ruleId), plan.placement(rule), out.state.status);
      }
      if (REMINDER_KINDS.has(rule.kind) && encoded !== raw) {
        const r = repeatScores(rule, out.state);
        index.placeRepeat(write, ruleKey(id, ruleId), r.series, r.dueSec, r.deeperAt);
      }
      if (out.event) events.push(out.event);
    });
    if (sub === null || events.length === 0) return;
    const routed = judge.route(sub, foldEvents(events), nowSec);
    if (routed.now.length > 0) {
      jobs.push({
        subscriptionId: id,
        height: snapshot.height,
        hash: snapshot.hash,
        digest: false,
        events: routed.now.map((e) => ({ ...e })),
      });
    }
    if (routed.hold.length > 0 && routed.releaseAtSec !== null)
      held.push({ subscriptionId: id, releaseAtSec: routed.releaseAtSec, events: routed.hold });
  });
  if (jobs.length > 0) await sink.deliver(jobs);
  if (held.length > 0) await sink.hold(held);
  stats.messages += jobs.length;
  stats.held += held.length;
  if (writes > 0) await write.exec();
}
