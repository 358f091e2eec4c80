/**
 * The shape every alert kind has, chosen so that one block can be evaluated by index rather than
 * by scanning every rule (issue 4: O(log N + K) for a million subscriptions). See
 * ../index-model.ts for how the Redis layer uses it.
 *
 * A kind splits "what does this block say" from "what does this rule want":
 * - `series(spec)` names the measured quantity (e.g. 'hd-30d-10', a drop detector cell); many rules share one series.
 * - `read(series, snapshot, nowSec)` measures it ONCE per block: `value` is the conservative
 *   figure thresholds are compared with (already "beyond block luck"); the rest is for display.
 * - `fireLevel(spec)` / `resolveLevel(spec)` and the series' `comparison` say where each rule
 *   changes state, so a store can keep levels in sorted sets and touch only crossed rules.
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import type { AlertDetails, AlertState, RuleKind, RuleSpec } from '../types.ts';
import type { Param } from './params.ts';

export type SpecOf<K extends RuleKind> = Extract<RuleSpec, { kind: K }>;

/**
 * 'above': fires when value ≥ fireLevel, resolves when value ≤ resolveLevel.
 * 'below': fires when value ≤ fireLevel, resolves when value ≥ resolveLevel.
 * Both comparisons are inclusive, exactly like a ZRANGEBYSCORE with closed bounds.
 */
export type Comparison = 'above' | 'below';

/**
 * - 'level': ok → firing (a 'firing' message) → ok (a 'resolved' message), with hysteresis.
 * - 'notice-level': the same crossing logic, but firing is a one-off 'notice' and the return to
 *   ok is silent (retarget-soon re-arms when the next epoch starts).
 * - 'event': a 'notice' for each new block on which the event is present (new-block: every
 *   block; retarget: blocks carrying a retarget outcome). The state stays 'ok'.
 */
export type KindMode = 'level' | 'notice-level' | 'event';

/** One series measured on one snapshot. */
export interface Reading {
  /** The number levels are compared with (conservative: beyond block luck). */
  readonly value: number;
  /** What the user is told (the point estimate), in `unit`. */
  readonly shown: number;
  /** 90 % interval of `shown`, when the figure has one. */
  readonly low?: number;
  readonly high?: number;
  readonly unit: string;
  /** Window or lookback in words, e.g. "3d window vs 30d peak". */
  readonly window?: string;
  /** A second figure worth one short phrase, e.g. "812 EH/s now". */
  readonly aside?: string;
  readonly lines?: ReadonlyArray<readonly [string, string]>;
}

/** What a rendered message needs beyond the reading: phrased by the kind. */
export interface Presentation {
  readonly title: string;
  readonly severity: AlertDetails['severity'];
  readonly direction?: 'up' | 'down';
  /** The user's threshold in words ("±5 %", "$43.20/PH/day") when a bare number would mislead. */
  readonly thresholdText?: string;
  /** The figure this title states when it is not the reading's `shown` (it becomes the event's value). */
  readonly shown?: number;
  /** A 'resolved' that is not a recovery (see AlertDetails.ending). */
  readonly ending?: 'new-normal';
}

export interface KindDef<K extends RuleKind = RuleKind> {
  readonly kind: K;
  readonly mode: KindMode;
  readonly comparison: Comparison;
  /** Seconds after a message during which a new firing of the same rule is held back. */
  readonly cooldownSec: number;
  series(spec: SpecOf<K>): string;
  /** Every name `series` can return: the registry measures exactly these on each block. */
  readonly allSeries: readonly string[];
  /** null: no data for this series on this snapshot (e.g. no BTC price): nothing changes. */
  read(series: string, snapshot: Snapshot, nowSec: number): Reading | null;
  /**
   * Just `read(...)?.value ?? null`, without building the words: the index measures every
   * series on every block (replay: 52,560 blocks), and only crossed rules need a full reading.
   * Optional; when given it must agree with `read` exactly (test/unit/alerting/evaluator-index).
   */
  value?(series: string, snapshot: Snapshot, nowSec: number): number | null;
  fireLevel(spec: SpecOf<K>): number;
  /**
   * The user's own threshold, as the event's `threshold` reports it. Default: fireLevel (the
   * same number for every kind whose firing level is the user's parameter).
   */
  threshold?(spec: SpecOf<K>): number;
  resolveLevel(spec: SpecOf<K>): number;
  /**
   * `ctx`, when given: the message repeats a firing (under-water reminder or escalation), and/or
   * when the firing began (block time), so the words can say how long.
   */
  present(spec: SpecOf<K>, reading: Reading, state: AlertState, snapshot: Snapshot, ctx?: PresentContext): Presentation;
}

/** The pictures a kind's messages can carry (src/charts draws them). */
export type ChartTopic = 'hashrate' | 'retarget' | 'hashprice';

/**
 * Everything outside the engine needs to know about a kind, so that adding one is its module, a
 * line in ./registry.ts, its test and the docs: the chat grammar, the rules-file schema, storage,
 * /help, the Discord options and the chart are all derived from this.
 */
export interface KindSurface<K extends RuleKind = RuleKind> {
  /** One line for menus (Discord's subcommand description: at most 100 characters). */
  readonly title: string;
  /** What it tells you, in a miner's words (/help). */
  readonly what: string;
  /** Parameters in the grammar's order (also the stored order). */
  readonly params: readonly Param[];
  /** Example arguments after the kind, a correct command (`10% 3d`); '' for none. */
  readonly example: string;
  /** Short code rules are stored under (store/codec.ts); never change it once rules exist. */
  readonly code: string;
  /** The chart its messages carry; null: news without a picture. */
  readonly chart: ChartTopic | null;
  /** True when the chart draws the rule's own threshold (so the rule changes the picture). */
  readonly drawsOnChart: boolean;
  /** One line per rule in words (`/alerts`, confirmations, preview). */
  describe(spec: SpecOf<K>): string;
}

/** A kind: how it is evaluated and how it is offered. */
export type KindDescriptor<K extends RuleKind = RuleKind> = KindDef<K> & KindSurface<K>;

/** The parts of a kind that read no spec: what the index and the lifecycle use beside a spec's levels. */
export type KindShape = Pick<KindDef, 'kind' | 'mode' | 'comparison' | 'cooldownSec' | 'read' | 'value' | 'allSeries'>;

/** See KindDef.present. */
export interface PresentContext {
  readonly repeat?: 'reminder' | 'escalation' | undefined;
  readonly sinceSec: number | null;
}

/** Level rules (hash rate, hash price) resolve 5 % of the level back on the good side. */
export const LEVEL_HYSTERESIS = 0.05;

/** Percent rules resolve at half the threshold (PRODUCT.md §5: "half the threshold's distance"). */
export const halfOf = (pct: number): number => pct / 2;

/** Default quiet time between two firings of the same rule (not applied to notices). */
export const DEFAULT_COOLDOWN_SEC = 3600;

/** True when `value` is on the firing side of `level`. */
export function crossesFire(cmp: Comparison, value: number, level: number): boolean {
  return cmp === 'above' ? value >= level : value <= level;
}

/** True when `value` is back on the resolving side of `level`. */
export function crossesResolve(cmp: Comparison, value: number, level: number): boolean {
  return cmp === 'above' ? value <= level : value >= level;
}

type Parts<K extends RuleKind> = Pick<KindDef<K>, 'kind' | 'read' | 'present'> &
  Partial<Pick<KindDef<K>, 'cooldownSec' | 'value'>>;

/**
 * A rule against a level (hash rate or hash price): fires at `level(spec)`, resolves 5 % of the
 * level back on the good side. Hysteresis for every level kind is defined here, once.
 */
export function levelKind<K extends RuleKind>(
  d: Parts<K> & { readonly series: string; readonly comparison: Comparison; level(spec: SpecOf<K>): number },
): KindDef<K> {
  const back = d.comparison === 'below' ? 1 + LEVEL_HYSTERESIS : 1 - LEVEL_HYSTERESIS;
  return {
    kind: d.kind,
    mode: 'level',
    comparison: d.comparison,
    cooldownSec: d.cooldownSec ?? DEFAULT_COOLDOWN_SEC,
    series: () => d.series,
    allSeries: [d.series],
    read: d.read,
    ...(d.value ? { value: d.value } : {}),
    fireLevel: d.level,
    resolveLevel: (spec) => d.level(spec) * back,
    present: d.present,
  };
}

/**
 * A rule on a percentage that grows with trouble (a drop, a move, a confident retarget change):
 * fires at `pct`, resolves at `pct / 2` — PRODUCT.md §5's "half the threshold's distance".
 */
export function pctKind<K extends RuleKind>(
  d: Parts<K> & { series(spec: SpecOf<K>): string; allSeries: readonly string[]; pct(spec: SpecOf<K>): number },
): KindDef<K> {
  return {
    kind: d.kind,
    mode: 'level',
    comparison: 'above',
    cooldownSec: d.cooldownSec ?? DEFAULT_COOLDOWN_SEC,
    series: d.series,
    allSeries: d.allSeries,
    read: d.read,
    ...(d.value ? { value: d.value } : {}),
    fireLevel: d.pct,
    resolveLevel: (spec) => halfOf(d.pct(spec)),
    present: d.present,
  };
}
