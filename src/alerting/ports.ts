/**
 * The interfaces the alert engine needs from the outside world. Redis implements them in
 * src/store/ (RedisSubscriptionStore, RedisRuleStateStore, RedisNotificationLog, RedisRuleBatch,
 * RedisHeldEvents, RedisMigrationPointers; chain state's SnapshotReader), the platforms implement
 * Notifier, in-memory fakes live in test/fakes/; contract tests run the same suite on both.
 * The pipeline that uses them: ./pipeline.ts (stages), ./evaluate-block.ts (one block).
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { IndexPlacement, Observation } from './index-model.ts';
import type { Decision } from './lifecycle.ts';
import type { MessageRef, Routing } from './pipeline.ts';
import type { OwnerNotice } from './problems.ts';
import type { AlertEvent, Platform, Rule, RuleSpec, RuleState, Subscription } from './types.ts';

export type { Routing } from './pipeline.ts';

export interface SubscriptionStore {
  get(id: string): Promise<Subscription | null>;
  /** Create or replace. */
  put(sub: Subscription): Promise<void>;
  /** Forget the subscription and everything it owns (rules, states, index entries). */
  remove(id: string): Promise<void>;
  setActive(id: string, active: boolean): Promise<void>;
  listRules(subscriptionId: string): Promise<Rule[]>;
  /** Allocates the rule id. Fails with 'too-many-rules' beyond MAX_RULES_PER_SUBSCRIPTION. */
  addRule(subscriptionId: string, spec: RuleSpec, nowSec: number): Promise<Rule | 'too-many-rules'>;
  removeRule(subscriptionId: string, ruleId: string): Promise<boolean>;
  /**
   * Optional addition (engine): moves a subscription with its rules, rule states, held events and
   * index entries to a new id (Telegram group → supergroup), so a firing rule does not fire again
   * after the move, and leaves a forward pointer at the old id (MigrationPointers) so jobs queued
   * under it still arrive. False when `fromId` does not exist or `toId` already does.
   */
  rename?(fromId: string, toId: string, patch: Pick<Subscription, 'targetId'>): Promise<boolean>;
}

export interface RuleStateStore {
  get(ruleKey: string): Promise<RuleState | null>;
  put(ruleKey: string, state: RuleState): Promise<void>;
}

/**
 * The durable "already notified" fact (DESIGN.md style 9): delivery is idempotent because this
 * log, not a BullMQ job id, says whether a MESSAGE went out. Its keys are
 * `notificationKey(message)` of ./pipeline.ts, one per message: a block's message to one
 * subscription (`<sub>|b|<block hash>`, `slow-<hash>` for the slow-blocks tick), a mute/quiet
 * digest (`<sub>|d|<release time>`) or a snooze release (`<sub>|z|<release time>`). The deliver
 * stage asks `has` before sending and `claim`s after the send succeeded.
 */
export interface NotificationLog {
  /**
   * Atomically records the key; false if it was already there (someone delivered it). `what`
   * says how the message was settled: sent (default) or superseded by a newer block's message
   * before it went out (./pipeline.ts `freshen`): either way it is never sent later.
   */
  claim(key: string, ttlSec: number, what?: 'sent' | 'superseded'): Promise<boolean>;
  has(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
}

/** What one rule's lifecycle step decided (the named reason travels with it: logs, metrics). */
export interface Judgement {
  readonly state: RuleState;
  readonly event: AlertEvent | null;
  readonly decision: Decision;
}

/** Decides what one rule says about one snapshot, and routes a subscription's events. */
export interface RuleJudge {
  /** The lifecycle step; `state` null means never evaluated. Pure. */
  evaluate(rule: Rule, state: RuleState | null, snapshot: Snapshot, nowSec: number): Judgement;
  /**
   * The route stage (./pipeline.ts `route`): which events go out now, which wait for the
   * mute/quiet-hours digest and until when, which wait for their rule's snooze to end.
   */
  route(sub: Subscription, events: readonly AlertEvent[], nowSec: number): Routing;
}

/** What the engine reads from chain state (the watcher writes it). */
export interface SnapshotReader {
  /** The snapshot of exactly this block; null if unknown (not stored yet, or reorged away and pruned). */
  byBlock(height: number, hash: string): Promise<Snapshot | null>;
  latest(): Promise<Snapshot | null>;
}

/**
 * How rules sit in the threshold index and what a snapshot shows each series (./index-model.ts is
 * the production plan; tests inject simpler ones).
 */
export interface IndexPlan {
  placement(spec: RuleSpec): IndexPlacement;
  /** `nowSec` matters only for time-based series (slow-blocks). */
  observe(snapshot: Snapshot, nowSec: number): Observation;
}

/** One candidate rule of a batch as read: null rule when the index member is stale. */
export interface ReadRule {
  readonly ruleId: string;
  readonly rule: Rule | null;
  readonly state: RuleState | null;
  /** The state as stored (opaque): the writer skips a state that did not change. */
  readonly stored: string | null;
}

/** One subscription of a batch with its candidate rules; null subscription when it is gone. */
export interface ReadSubscription {
  readonly subscriptionId: string;
  readonly sub: Subscription | null;
  readonly rules: readonly ReadRule[];
}

/** A batch's writes, applied together (one MULTI) by `commit`, after the batch's messages left. */
export interface RuleBatchWriter {
  /** Stores `next` if it differs from what was read; re-indexes the rule when its status changed. */
  update(rule: Rule, read: ReadRule, next: RuleState): void;
  /** Forgets an index member whose subscription or rule is gone. */
  dropStale(subscriptionId: string, ruleId: string, obs: Observation): void;
  commit(): Promise<void>;
}

/**
 * The rules of many subscriptions, read and written in batches (one round trip each way): the
 * evaluation loop's view of the rule store and its threshold index.
 */
export interface RuleBatchStore {
  /**
   * Rule ids whose state may change under `obs`, by subscription (O(log N + K)). Runs the
   * store's one-time upgrades for `snapshot` first (e.g. legacy drop rules to detector cells).
   */
  candidates(snapshot: Snapshot, obs: Observation): Promise<Map<string, string[]>>;
  read(subscriptionIds: readonly string[], bySub: ReadonlyMap<string, readonly string[]>): Promise<ReadSubscription[]>;
  writer(): RuleBatchWriter;
  /** How many rules wait on an event series (whether its notice fans out). */
  eventCount?(series: string): Promise<number>;
  /** The operator's broadcast subscriptions (alerting/broadcast.ts): evaluated before anyone. */
  broadcastSubscriptions?(): Promise<string[]>;
  /** Every rule id of these subscriptions (those with none are left out). */
  allRules?(subscriptionIds: readonly string[]): Promise<Map<string, string[]>>;
  /** The store's one-time upgrades for `snapshot` (`candidates` runs them too; repeated calls are cheap). */
  upgrade?(snapshot: Snapshot): Promise<void>;
}

/**
 * Which of a subscription's held lists: 'digest' (muted or quiet hours: one digest when they
 * end) or 'snooze' (a snoozed rule: its latest state when the snooze ends).
 */
export type HeldList = 'digest' | 'snooze';

/**
 * One release's message (a digest or a snooze release), recorded atomically with taking the held
 * events it was made of, and sent after: a release that dies between the two is resumed from
 * here, never re-decided from a held list that no longer has its events. `message` is null when
 * the release consumed events without saying anything (a crossing that came and went).
 */
export interface PendingRelease {
  readonly ref: MessageRef;
  readonly message: OutboundMessage | null;
  /** When it was taken (unix s): a pending release left this long by a dead job is taken over. */
  readonly atSec: number;
}

/**
 * Events waiting for a digest or a snooze release, per subscription, in arrival order. Releases
 * of one subscription are mutually exclusive (issue 11): one at a time holds its pending release,
 * and a take succeeds only while every entry it decided on is still held, so nothing is sent by
 * two releases and nothing is lost.
 */
export interface HeldEventStore {
  push(list: HeldList, held: ReadonlyArray<{ subscriptionId: string; events: readonly AlertEvent[] }>): Promise<void>;
  /** Everything held, oldest first, with an opaque token per entry for `take`. */
  read(list: HeldList, subscriptionId: string): Promise<Array<{ event: AlertEvent; token: string }>>;
  /**
   * Atomically: unless a pending release exists ('busy'), removes exactly these entries of each
   * list ('stale', and nothing changes, when one is no longer held) and records `pending` (when
   * non-null) as the subscription's pending release ('taken').
   */
  take(
    subscriptionId: string,
    tokens: Readonly<Partial<Record<HeldList, readonly string[]>>>,
    pending: PendingRelease | null,
  ): Promise<'taken' | 'busy' | 'stale'>;
  /** The subscription's pending release, if one was taken and not yet settled. */
  pending(subscriptionId: string): Promise<PendingRelease | null>;
  /** Forgets the pending release with this ref (it was sent, or found already sent). */
  settle(subscriptionId: string, ref: MessageRef): Promise<void>;
}

/**
 * Freshness (issue 14 item 3): which of a rule's queued messages is the newest, in queue order
 * (evaluation order: across a reorg the replacement block's message can have a lower height than
 * the one it replaces), so an older queued message for the same rule is superseded rather than
 * sent late, and the newer one can say what it replaced. One subscription's keys per call, except
 * `queued`, which takes a whole evaluation batch in one call.
 */
export interface FreshnessStore {
  /** Before the messages are queued: each becomes its rules' newest queued message. */
  queued(
    messages: ReadonlyArray<Pick<OutboundMessage, 'subscriptionId' | 'height' | 'hash' | 'events'>>,
  ): Promise<void>;
  /**
   * At delivery of `subscriptionId`'s `message` for `rules`: the rules a newer queued (or already
   * sent) message supersedes (rule → newest height), and the rules whose older alert, queued just
   * before and never sent, this message replaces (rule → that alert's height). The rules found
   * current are marked as being sent, so a newer message checked meanwhile does not claim to
   * replace them. Also whether a reorg has replaced the message's block since it was queued.
   */
  check(subscriptionId: string, message: MessageAt, rules: readonly string[]): Promise<Freshness>;
  /**
   * After the message settled (sent, or recorded superseded): forgets it for `sent` rules (and the
   * notes it said; older unsettled messages of those rules are never sent now) and records it
   * superseded for `superseded` rules. Idempotent; a rule with nothing unsettled left holds no memory.
   */
  settled(
    subscriptionId: string,
    message: MessageAt,
    sent: readonly string[],
    superseded: readonly string[],
  ): Promise<void>;
}

/** One block's broadcast of an event series (retarget, new-block): which series, which block. */
export interface BroadcastAt {
  readonly series: string;
  readonly height: number;
  readonly hash: string;
}

/** Which message (block height and hash, or `slow-<hash>` for the slow-blocks tick). */
export type MessageAt = Pick<OutboundMessage, 'height' | 'hash'>;

/**
 * One platform's walk of a broadcast: each platform's subscribers (`<platform>-…` in the index)
 * are walked by that platform's notifiers, so each walk keeps its own platform's pace.
 */
export interface WalkAt extends BroadcastAt {
  readonly platform: string;
}

/**
 * Where an older, unfinished broadcast of the series had got to when this one superseded it: its
 * recipients the older one had not reached get this notice with "replaces the alert of block N".
 */
export interface SupersededWalk {
  readonly height: number;
  /** Its origin, its last settled member ('' none) and whether it had wrapped past the end. */
  readonly origin: string;
  readonly cursor: string;
  readonly wrapped: boolean;
}

/** One chunk of a broadcast's walk (BroadcastStore.chunk). */
export type BroadcastChunk =
  /** Nothing stored for this block at this height, the block was replaced (reorg), a newer
   * block's notice took over the walk, or the walk is complete: this job stops. */
  | { readonly status: 'none' | 'reorged' | 'superseded' | 'done' }
  /** The walk is at another chunk (this job's chunk was settled): only that chunk's job goes on. */
  | { readonly status: 'stale'; readonly chunk: number }
  /** The evaluation has not yet stored the next recipients' own lines: come back shortly. */
  | { readonly status: 'wait' }
  | {
      readonly status: 'ok';
      readonly payload: string;
      /** Index members `sub/rule`, whole subscriptions only, in index order. */
      readonly members: readonly string[];
      /** Subscriptions of this chunk already settled (a crashed attempt got that far). */
      readonly settled: ReadonlySet<string>;
      /** Subscription → its own events folded into the notice (JSON AlertEvent[]). */
      readonly extras: ReadonlyMap<string, string>;
      /** Nothing after this chunk in the current pass over the index. */
      readonly exhausted: boolean;
      readonly superseded?: SupersededWalk;
    };

/**
 * Lazy fan-out (issue 14 item 2): one block's notice for an event series stored ONCE per (series,
 * height), and a walk over the series' subscriber index in chunks, each chunk a job of its own, so
 * deliveries interleave, a crash resumes where it stopped, and memory stays bounded: no
 * per-recipient payload or log key, only the cursor and the current chunk's settled set.
 */
export interface BroadcastStore {
  /**
   * Stores the notice. A new (series, height) starts its walk at the index's start — or, when it
   * supersedes an older unfinished broadcast of the series, where that one stopped. The same block
   * again changes nothing; another block at that height (a reorg) replaces the notice in place and
   * the walk goes on where it was (who was told of the replaced block is not told again). Returns
   * the chunk number the walk is at (its job's id).
   */
  put(at: WalkAt, payload: string): Promise<{ readonly chunk: number }>;
  /**
   * The evaluation's progress: every subscription ≤ `upTo` (string order) has its own lines stored
   * (`extras`); `upTo` null: the evaluation is complete. The walk never passes it.
   */
  progress(
    at: WalkAt,
    upTo: string | null,
    extras: ReadonlyArray<{ readonly subscriptionId: string; readonly events: string }>,
  ): Promise<void>;
  chunk(at: WalkAt, chunk: number, count: number): Promise<BroadcastChunk>;
  /** Records one subscription of the current chunk as settled; false when the walk was stopped meanwhile. */
  settle(at: WalkAt, subscriptionId: string): Promise<boolean>;
  /**
   * The subscriptions the evaluator tells before anyone (the operator's broadcast channels it
   * lists): a walk skips them. A channel not listed (stored by an older version) is walked.
   */
  toldFirst(): Promise<ReadonlySet<string>>;
  /** Moves the cursor past `last` (compare-and-set on the chunk number); the new chunk number, or null. */
  advance(at: WalkAt, chunk: number, last: string, exhausted: boolean): Promise<number | null>;
}

/** What FreshnessStore.check found for one message. */
export interface Freshness {
  readonly superseded: ReadonlyMap<string, number>;
  readonly replaced: ReadonlyMap<string, number>;
  /** The main chain has another block at the message's height now (a reorg); absent: not known. */
  readonly blockReplaced?: boolean;
}

/**
 * Forward pointers for moved subscriptions (a Telegram group upgraded to a supergroup): jobs
 * queued under the old id still reach the subscription.
 */
export interface MigrationPointers {
  /** The subscription a job addressed to `id` should reach now (following pointers), or null. */
  resolve(id: string): Promise<Subscription | null>;
}

/** One message to one subscription: everything that fired together for one block, or a digest. */
export interface OutboundMessage {
  readonly subscriptionId: string;
  readonly height: number;
  readonly hash: string;
  readonly events: readonly AlertEvent[];
  /** True for the quiet-hours / mute digest. */
  readonly digest: boolean;
  /** A broadcast channel's post (broadcast.ts): queued ahead of a mass firing's personal messages. */
  readonly broadcast?: true;
}

/** How a delivery failed (DESIGN.md style 4). Retry happens in exactly one layer: BullMQ. */
export type DeliveryFailureKind = 'retryable' | 'permanent' | 'rate-limited';

/** Thrown by a Notifier. Carries context, never a token. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly kind: DeliveryFailureKind,
    message: string,
    readonly context: {
      readonly platform: Platform;
      readonly status?: number;
      readonly code?: number | string;
      /** For 'rate-limited': how long the platform asked us to wait. */
      readonly retryAfterMs?: number;
      /**
       * For 'rate-limited': whose limit it is. 'chat' (one chat's own pacing: Telegram 1/s per
       * chat or 20/min per group, a Discord channel's route bucket) delays only that message;
       * 'platform' (absent: a real 429 or the global cap) pauses the platform's whole queue.
       */
      readonly scope?: 'chat' | 'platform';
      /** For Telegram group→supergroup migration: the new chat id. */
      readonly migrateToId?: string;
    },
  ) {
    super(message);
  }
}

export interface Notifier {
  readonly platform: Platform;
  /** Sends one message; throws DeliveryError on failure. */
  send(sub: Subscription, message: OutboundMessage): Promise<void>;
  /** Tells a subscription's owner something out of band, worded by the platform (e.g. "I lost access to #alerts"). */
  tellOwner?(sub: Subscription, notice: OwnerNotice): Promise<void>;
}
