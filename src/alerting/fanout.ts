/**
 * Lazy fan-out (issue 14 item 2). An event series' notice (retarget, new-block) says the same to
 * every subscriber, apart from zone and language, which the notifier renders. So the evaluator
 * does not judge those rules one by one: it stores the notice ONCE per (series, height) and
 * enqueues one fan-out job; each fan-out job walks one chunk of the series' subscriber index
 * (BroadcastStore), and for each subscription of the chunk runs the SAME stages as the evaluator
 * (./evaluate-block.ts `settleEvents`: fold, route — inactive, mute → digest, quiet hours → hold,
 * snooze → held list — group), at fan-out time, with the subscription as it is then; then the
 * freshness notes (./pipeline.ts `freshen`: how late, which superseded walk it replaces), then
 * the send. The next chunk is the next job, so other deliveries interleave and the platform
 * limiters hold.
 *
 * Exactly once: a subscription is recorded as settled in the chunk right after its message went
 * out (or was held); a crash re-runs the chunk and skips the settled ones, so at most the
 * message in flight is sent again — the same bound as every other message (`deliverOnce`).
 *
 * Reorgs and newer blocks: a replacement block at the same height takes over the walk in place
 * (who heard of the replaced block is not told again, as the per-rule lifecycle's
 * 'reorg-replaced'); a newer block's notice of the series supersedes an unfinished walk and starts
 * where it stopped, telling the recipients it had not reached that it replaces that block's alert.
 * Either way the old walk's job stops at its next recipient.
 */
import { evaluateRule } from './lifecycle.ts';
import { SERIES } from './kinds/registry.ts';
import { freshen } from './pipeline.ts';
import { settleEvents, type HeldBatch } from './evaluate-block.ts';
import type { BroadcastStore, Freshness, OutboundMessage, RuleJudge, SupersededWalk, WalkAt } from './ports.ts';
import { groupBy } from '../domain/collections.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { AlertEvent, Rule, RuleKind, Subscription } from './types.ts';

/** True for the series whose notices fan out (the event series: every rule of one says the same). */
export function fansOut(series: string): boolean {
  return SERIES.get(series)?.mode === 'event';
}

/** The kind whose rules sit in `series` (for folding a subscriber's own lines into its notice). */
export function kindOfSeries(series: string): RuleKind | null {
  return SERIES.get(series)?.kind ?? null;
}

/**
 * The notice `series` says on `snapshot`, as the lifecycle makes it for a rule seeing the block
 * for the first time (so it is byte for byte the per-rule event), with an empty subscription and
 * rule id that the fan-out fills in per recipient. null when the block has no such event.
 */
export function noticeOf(series: string, snapshot: Snapshot, nowSec: number): AlertEvent | null {
  const kind = kindOfSeries(series);
  if (kind === null) return null;
  const template = { kind, id: '', subscriptionId: '', createdSec: 0 } as Rule;
  return evaluateRule(template, null, snapshot, nowSec).event;
}

/** What the fan-out needs besides the store. */
export interface FanOutPorts {
  readonly store: BroadcastStore;
  readonly judge: RuleJudge;
  /** The subscriptions of a chunk, in the order asked (null: gone). */
  readonly subscriptions: (ids: readonly string[]) => Promise<Array<Subscription | null>>;
  /** Held events go to their list and get their release job, as the evaluator's sink does. */
  readonly hold: (held: readonly HeldBatch[]) => Promise<void>;
  readonly nowSec: () => number;
}

export interface FanOutStepResult {
  /** 'ok': this chunk was settled; the others: the walk stopped or waits (see BroadcastChunk). */
  readonly status: 'ok' | 'none' | 'reorged' | 'superseded' | 'done' | 'stale' | 'wait' | 'stopped';
  readonly sent: number;
  readonly held: number;
  /** Subscriptions skipped: gone, inactive, a broadcast channel (told by the evaluator), or settled before. */
  readonly skipped: number;
  /** The chunk whose job comes next; null when the walk is over (or this job is not the one to go on). */
  readonly next: number | null;
}

/**
 * One chunk of a broadcast's walk. `send` throws on failure: the chunk then stays where it is,
 * and the retry resumes it after the settled subscriptions.
 */
export async function fanOutStep(
  ports: FanOutPorts,
  at: WalkAt,
  chunkNo: number,
  count: number,
  send: (sub: Subscription, msg: OutboundMessage) => Promise<void>,
): Promise<FanOutStepResult> {
  const c = await ports.store.chunk(at, chunkNo, count);
  const none = { sent: 0, held: 0, skipped: 0 };
  if (c.status === 'stale') return { status: 'stale', ...none, next: c.chunk };
  if (c.status === 'wait') return { status: 'wait', ...none, next: chunkNo };
  if (c.status !== 'ok') return { status: c.status, ...none, next: null };
  const template = JSON.parse(c.payload) as AlertEvent;
  // Index members are `<subscription>/<rule>`: each subscription's rules of the series.
  const bySub = new Map(
    [...groupBy(c.members, (m) => m.slice(0, m.lastIndexOf('/')))].map(([sub, ms]) => [
      sub,
      ms.map((m) => m.slice(m.lastIndexOf('/') + 1)),
    ]),
  );
  const ids = [...bySub.keys()].filter((id) => !c.settled.has(id));
  const [subs, first] = await Promise.all([ports.subscriptions(ids), ports.store.toldFirst()]);
  let sent = 0;
  let held = 0;
  let skipped = bySub.size - ids.length;
  for (const [i, id] of ids.entries()) {
    const sub = subs[i] ?? null;
    const now = ports.nowSec();
    // The broadcast channels got their notice from the evaluator, ahead of everyone.
    if (sub === null || !sub.active || first.has(id)) skipped++;
    else {
      const own = c.extras.get(id);
      const events: AlertEvent[] = (bySub.get(id) ?? []).map((rule) => ({ ...template, subscriptionId: id, rule }));
      if (own !== undefined)
        events.push(...(JSON.parse(own) as AlertEvent[]).map((e) => ({ ...e, subscriptionId: id })));
      const out = settleEvents(ports.judge, sub, events, now);
      if (out.held.length > 0) {
        await ports.hold(out.held);
        held++;
      }
      const rules = bySub.get(id) ?? [];
      const notes = replacedNotes(c.superseded, `${id}/${rules[0] ?? ''}`, rules);
      for (const m of out.messages) {
        const fresh = freshen(m, notes, now);
        if (fresh === null) continue;
        await send(sub, fresh);
        sent++;
      }
    }
    if (!(await ports.store.settle(at, id))) return { status: 'stopped', sent, held, skipped, next: null };
  }
  const last = c.members.at(-1) ?? '';
  const next = await ports.store.advance(at, chunkNo, last, c.exhausted);
  return { status: 'ok', sent, held, skipped, next };
}

const NO_NOTES: Freshness = { superseded: new Map(), replaced: new Map() };

/** "Replaces the alert of block N" for a recipient (its first index member) the superseded walk had not reached. */
function replacedNotes(old: SupersededWalk | undefined, member: string, rules: readonly string[]): Freshness {
  if (old === undefined || reachedBy(old, member)) return NO_NOTES;
  return { superseded: new Map(), replaced: new Map(rules.map((r) => [r, old.height])) };
}

/** Whether a walk that stopped at `old` had told `member`. */
export function reachedBy(old: SupersededWalk, member: string): boolean {
  const afterOrigin = old.origin === '' || member > old.origin;
  const upToCursor = old.cursor !== '' && member <= old.cursor;
  return old.wrapped ? afterOrigin || upToCursor : afterOrigin && upToCursor;
}
