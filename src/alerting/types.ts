/**
 * Rules, their lifecycle state and the alert events they produce — the vocabulary shared by the
 * evaluator, the stores, the job processors, the chat platforms and replay.
 *
 * Rule parameters are stored normalised (pct as a number, windows as their names), so the same
 * rule parsed from `/alert hashrate-drop 10% 3d`, from a Discord option or from a replay rules
 * file is the same value.
 */
import type { Direction } from '../domain/types.ts';
import type { KindSpecs } from './kinds/registry.ts';

export type { Direction };

/**
 * Every alert kind of PRODUCT.md §5, with its normalised parameters: each kind's module declares
 * its spec type, and the registry (kinds/registry.ts KindSpecs) lists them.
 */
export type RuleSpec = KindSpecs[keyof KindSpecs];

export type RuleKind = RuleSpec['kind'];

// Which kinds remind (REMINDER_KINDS) is read from their descriptors: see kinds/registry.ts.
/** Weekly unless the subscriber says otherwise. */
export const DEFAULT_REMIND_SEC = 7 * 86_400;
/** A firing under-water rule speaks again when it is this many points (% of the level) deeper. */
export const ESCALATE_POINTS = 10;

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
  /** Unix seconds of the last message produced (cooldown, reminder cadence). */
  readonly lastNotifiedSec: number | null;
  /** Block time (unix s) the current firing started: how long a rule has been under water. */
  readonly sinceSec?: number | null;
  /**
   * What the last firing message (or reminder) told: the shown figure and its interval, when,
   * and the compared depth (points beyond the level) an escalation is measured from. Kept after
   * a retarget estimate eases, so the retarget notice can say how the epoch's alerts did.
   */
  readonly told?: Told | null;
}

/** The figures one firing message carried (see RuleState.told). */
export interface Told {
  readonly value: number;
  readonly low?: number;
  readonly high?: number;
  /** Block time of the message, unix s. */
  readonly sec: number;
  readonly height: number;
  /** How far beyond the level the compared figure was, % of the level (under-water kinds). */
  readonly depth?: number;
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
  /**
   * The figure the title states (the kind's Reading.shown), in `details.unit`: what renderers,
   * replay JSON and charts show. The engine's compared figure is `details.compared`.
   */
  readonly value: number;
  /** The user's own threshold (the rule's parameter, e.g. 5 for ±5 %), in the same unit. */
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
  /**
   * What the engine compared (Reading.value: conservative, "beyond block luck") and the level it
   * was compared with (fire or resolve level, hysteresis included). Never shown as "the" figure.
   */
  readonly compared?: number;
  readonly comparedLevel?: number;
  /** The user's threshold in words, e.g. "±5 % (90 % likely)"; renderers fall back to `threshold`. */
  readonly thresholdText?: string;
  /**
   * Set on an event that is not a message of its own but a line for another kind's event of the
   * same subscription and block (a closed retarget estimate → the retarget notice). Dropped when
   * there is no such event (see ./fold.ts).
   */
  readonly foldInto?: RuleKind;
  /** Under-water reminders: 'reminder' or 'escalation' (a firing rule repeating itself). */
  readonly repeat?: 'reminder' | 'escalation';
  /**
   * On a 'resolved' event that is NOT a recovery: the condition ended because the rule's own
   * reference moved, not because the figure came back ('new-normal': a hash-rate drop that
   * lasted until the lower level became the rule's recent level). Rendered as a notice, never
   * with the resolved tick or the word "resolved"/"recovered".
   */
  readonly ending?: 'new-normal';
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
  /** Snoozed rules: rule id → unix seconds until which that rule's alerts are not sent. */
  readonly snoozed?: Readonly<Record<string, number>>;
  readonly active: boolean;
  readonly createdSec: number;
}

/** At most this many rules a subscription (PRODUCT/issue 4). */
export const MAX_RULES_PER_SUBSCRIPTION = 25;
