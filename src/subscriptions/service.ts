/**
 * The platform-neutral use cases both chat platforms call. Telegram and Discord only translate
 * their updates/interactions into these calls and render the results; all rules about what is
 * allowed and stored live behind this interface (implemented in ./use-cases.ts).
 */
import type { Result } from '../alerting/result.ts';
import type { Platform, Rule, RuleKind, Subscription } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';

/** Who is talking, and where alerts for this conversation go. */
export interface Target {
  readonly platform: Platform;
  readonly targetType: Subscription['targetType'];
  readonly targetId: string;
  /** Platform user id of the person issuing the command. */
  readonly userId: string;
}

/** Outcome of `preview`: how often a rule would have fired over recent history. */
export interface PreviewReport {
  readonly fromHeight: number;
  readonly toHeight: number;
  readonly fromSec: number;
  readonly toSec: number;
  /** Firing events (time order), at most the last few kept in `recent`. */
  readonly firings: number;
  readonly resolutions: number;
  readonly recent: ReadonlyArray<{ readonly height: number; readonly time: number; readonly text: string }>;
  /** Where the history came from: live chain state or the bundled fixture. */
  readonly source: 'chain-state' | 'fixture';
  /** What the rule can do, from simulation (hash-rate drops: how soon drops are seen); see ruleAdvice. */
  readonly advice?: string;
}

export interface SubscriptionService {
  /** Subscribes the target (idempotent) with the default rules on first use. */
  start(target: Target, nowSec: number): Promise<{ subscription: Subscription; created: boolean; rules: Rule[] }>;
  get(target: Target): Promise<Subscription | null>;
  /** `tokens` are the words after the kind, e.g. ['10%', '3d']; parsed by alerting/parse.ts. */
  addRule(target: Target, kind: string, tokens: readonly string[], nowSec: number): Promise<Result<Rule>>;
  listRules(target: Target): Promise<Rule[]>;
  removeRule(target: Target, ruleId: string): Promise<Result<Rule>>;
  /** `duration` like '6h', '30m', '2d'. */
  mute(target: Target, duration: string, nowSec: number): Promise<Result<{ untilSec: number }>>;
  unmute(target: Target): Promise<Result<void>>;
  /** `args` like ['23:00-07:00', 'Europe/Berlin'] or ['off']. */
  quiet(target: Target, args: readonly string[]): Promise<Result<Subscription['quiet']>>;
  preview(kind: string, tokens: readonly string[], nowSec: number): Promise<Result<PreviewReport>>;
  /** Forgets the subscription and all its rules. */
  stop(target: Target): Promise<boolean>;
  /** Optional addition: one rule says nothing until `untilSec` (null: unsnooze). */
  snooze?(target: Target, ruleId: string, untilSec: number | null, nowSec: number): Promise<Result<Rule>>;
  /** Optional addition: the subscription's IANA time zone (`/timezone Europe/Berlin`). */
  setTimeZone?(target: Target, zone: string): Promise<Result<string>>;
  /** Latest snapshot for status/retarget/hashprice replies; null before the first block. */
  latestSnapshot(): Promise<Snapshot | null>;
  /** Telegram group → supergroup: move the subscription to the new chat id. */
  migrate(from: Target, newTargetId: string): Promise<void>;
  /**
   * The platform told us the bot was blocked/kicked (Telegram my_chat_member): mark the
   * subscription inactive but keep its rules, so `start` restores it. Optional addition.
   */
  deactivate?(target: Target): Promise<void>;
}

/** Stable subscription id for a target; no ':' so it can appear in BullMQ job ids. */
export function subscriptionId(t: Pick<Target, 'platform' | 'targetType' | 'targetId'>): string {
  return `${t.platform}-${t.targetType}-${t.targetId}`;
}

export type { RuleKind };
