/**
 * Rules, their lifecycle state and the alert events they produce — the vocabulary shared by the
 * evaluator, the stores, the job processors, the chat platforms and replay.
 *
 * Rule parameters are stored normalised (pct as a number, windows as their names), so the same
 * rule parsed from `/alert hashrate-drop 10% 3d`, from a Discord option or from a replay rules
 * file is the same value.
 */
import type { HashrateWindow, Lookback, PriceWindow } from '../domain/types.ts';

export type Direction = 'up' | 'down' | 'both';

/** Every alert kind of PRODUCT.md §5, with its normalised parameters. */
export type RuleSpec =
  | { kind: 'hashrate-drop'; pct: number; window: HashrateWindow; lookback: Lookback }
  | { kind: 'hashrate-below'; ehs: number }
  | { kind: 'retarget-estimate'; pct: number; direction: Direction }
  | { kind: 'retarget' }
  | { kind: 'retarget-soon'; blocks: number }
  | { kind: 'hashprice-move'; pct: number; window: PriceWindow; direction: Direction }
  | { kind: 'hashprice-below'; usd: number }
  | { kind: 'hashprice-above'; usd: number }
  | { kind: 'breakeven'; jth: number; kwh: number; poolfee: number }
  | { kind: 'slow-blocks'; minutes: number }
  | { kind: 'new-block' };

export type RuleKind = RuleSpec['kind'];

/** A stored rule: a spec owned by a subscription, with a short id users type (`/remove 3`). */
export type Rule = RuleSpec & {
  /** Unique within its subscription; short and typeable (replay files may use any string). */
  readonly id: string;
  /** Owning subscription id (see Subscription.id); '' in replay. */
  readonly subscriptionId: string;
  /** Unix seconds the rule was created. */
  readonly createdSec: number;
};

/** Lifecycle states of one rule (an explicit state machine; see lifecycle.ts). */
export type RuleStatus = 'ok' | 'firing';

/** Durable per-rule state; everything the evaluator needs to stay idempotent across restarts. */
export interface RuleState {
  readonly status: RuleStatus;
  /** Highest height this rule has been evaluated at (never evaluate a height twice). */
  readonly lastHeight: number;
  /** Hash of the block at lastHeight (a different hash at the same height = reorg). */
  readonly lastHash: string;
  /** Height/time the current firing started (when status = firing). */
  readonly firingSinceHeight: number | null;
  /** Unix seconds of the last message produced (cooldown). */
  readonly lastNotifiedSec: number | null;
}

export type AlertState = 'firing' | 'resolved' | 'notice';

/**
 * One thing a rule has to say about one block. The replay command prints exactly the fields of
 * PRODUCT.md §3 (`rule, kind, state, height, time, value, threshold, text`); the rest is for the
 * platforms' richer rendering.
 */
export interface AlertEvent {
  readonly rule: string;
  readonly kind: RuleKind;
  readonly state: AlertState;
  readonly height: number;
  /** Block time, unix seconds. */
  readonly time: number;
  readonly value: number;
  readonly threshold: number;
  /** The message a user would get, plain text (platforms re-render from `details`). */
  readonly text: string;
  readonly subscriptionId: string;
  /** Hash of the block the event belongs to (idempotency key with rule + state). */
  readonly hash: string;
  /** Structured figures for rich rendering: unit, window, interval, source, data age… */
  readonly details: AlertDetails;
}

export interface AlertDetails {
  /** Human title, e.g. "Hash rate down 12.4 % (3d window)". */
  readonly title: string;
  readonly unit: string;
  readonly window?: string;
  /** 90 % interval of `value`, same unit. */
  readonly low?: number;
  readonly high?: number;
  readonly source: string;
  /** Seconds between the block time and evaluation. */
  readonly dataAgeSec: number;
  /** Severity drives colours: info (notice/resolved), warn, critical. */
  readonly severity: 'info' | 'warn' | 'critical';
  /** 'up' | 'down' for movement-type alerts. */
  readonly direction?: 'up' | 'down';
  /** Extra labelled lines (e.g. the retarget scorecard). */
  readonly lines?: ReadonlyArray<readonly [label: string, value: string]>;
  /** One short companion phrase, e.g. "812 EH/s now vs peak ≈ 925 EH/s" (added by the alert engine). */
  readonly aside?: string;
}

export type Platform = 'telegram' | 'discord' | 'console';

/**
 * Who receives alerts: a Telegram chat (private or group), a Discord user (DM) or a Discord
 * channel. It owns its rules, time zone, quiet hours and mute.
 */
export interface Subscription {
  /** Stable id: `${platform}-${targetType}-${targetId}` with no `:` (BullMQ ids). */
  readonly id: string;
  readonly platform: Platform;
  readonly targetType: 'chat' | 'user' | 'channel';
  /** Telegram chat id, Discord user id or channel id, as a string. */
  readonly targetId: string;
  /** Platform user id of whoever created it (told about permanent delivery failures). */
  readonly ownerId: string;
  /** IANA zone, e.g. "Europe/Berlin"; "UTC" by default. */
  readonly timeZone: string;
  /** Quiet hours as minutes after local midnight; null when off. end < start spans midnight. */
  readonly quiet: { readonly startMin: number; readonly endMin: number } | null;
  /** Unix seconds until which alerts are held; null when not muted. */
  readonly mutedUntilSec: number | null;
  readonly active: boolean;
  readonly createdSec: number;
}

/** At most this many rules a subscription (PRODUCT/issue 4). */
export const MAX_RULES_PER_SUBSCRIPTION = 25;
