/**
 * The interfaces the alert engine needs from the outside world. Redis implements them in
 * src/store/, in-memory fakes in test/fakes/; contract tests run the same suite on both.
 */
import type { AlertEvent, Platform, Rule, RuleSpec, RuleState, Subscription } from './types.ts';

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
   * after the move. False when `fromId` does not exist or `toId` already does.
   */
  rename?(fromId: string, toId: string, patch: Pick<Subscription, 'targetId'>): Promise<boolean>;
}

export interface RuleStateStore {
  get(ruleKey: string): Promise<RuleState | null>;
  put(ruleKey: string, state: RuleState): Promise<void>;
}

/**
 * The durable "already notified" fact (DESIGN.md style 9): delivery is idempotent because this
 * log, not a BullMQ job id, says whether a (subscription, block, rule, state) went out.
 */
export interface NotificationLog {
  /** Atomically records the key; false if it was already there (someone delivered it). */
  claim(key: string, ttlSec: number): Promise<boolean>;
  has(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
}

/** One message to one subscription: everything that fired together for one block, or a digest. */
export interface OutboundMessage {
  readonly subscriptionId: string;
  readonly height: number;
  readonly hash: string;
  readonly events: readonly AlertEvent[];
  /** True for the quiet-hours / mute digest. */
  readonly digest: boolean;
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
  /** Tells a subscription's owner something out of band (e.g. "I lost access to #alerts"). */
  tellOwner?(sub: Subscription, text: string): Promise<void>;
}
