/**
 * The platform-neutral use cases behind every chat command (SubscriptionService). Permission
 * checks (admins only in groups/channels) are the platforms' job; everything about what may be
 * stored lives here, and a bad argument returns a Result and stores nothing.
 */
import { isBroadcast } from '../alerting/broadcast.ts';
import type { SubscriptionStore } from '../alerting/ports.ts';
import { parseRule } from '../alerting/parse.ts';
import { canonicalZone, isValidTimeZone, parseDuration, parseQuiet } from '../alerting/parse-time.ts';
import { clipToken } from '../alerting/problems.ts';
import { err, ok, type Result } from '../alerting/result.ts';
import { MAX_RULES_PER_SUBSCRIPTION, type Rule, type RuleSpec, type Subscription } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { subscriptionId, type PreviewReport, type SubscriptionService, type Target } from './service.ts';

/**
 * What a new subscription gets: the retarget notice (what everyone asks a mining bot for), a
 * 10 % hash-rate drop against the level of 2–4 weeks ago (lookback 14d: on the 2025–26 data it
 * fires in each of the three slow epochs before the −11.16 %, −7.76 % and −10.09 % retargets and
 * nowhere else; a 30d lookback, whose reference still holds the first slow epoch, misses the
 * second — test/integration/cli-demo.test.ts), and the next retarget estimate reaching ±5 %
 * with 90 % confidence (worth planning for either way).
 */
export const DEFAULT_RULES: readonly RuleSpec[] = [
  { kind: 'retarget' },
  { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '14d' },
  { kind: 'retarget-estimate', pct: 5, direction: 'both' },
];

export interface UseCaseDeps {
  readonly store: SubscriptionStore;
  /** Latest snapshot from chain state; null before the first block. */
  readonly latestSnapshot: () => Promise<Snapshot | null>;
  /** Runs one rule over recent history (see preview.ts). */
  readonly preview: (spec: RuleSpec, nowSec: number) => Promise<Result<PreviewReport>>;
  readonly defaultRules?: readonly RuleSpec[];
  /**
   * Releases what a subscription holds sooner than planned (`atSec`; absent: now): a rule woken
   * early (`snooze … null`, or a shorter snooze) or a mute ended or shortened says its held alerts
   * then, not at the original end. The app wires it to the deliver queue's release jobs.
   */
  readonly release?: (sub: Subscription, type: 'digest' | 'snooze', atSec?: number) => Promise<void>;
}

const notSubscribed = <T>(): Result<T> => err('not-subscribed', {});

export class SubscriptionUseCases implements SubscriptionService {
  constructor(private readonly deps: UseCaseDeps) {}

  async start(
    target: Target,
    nowSec: number,
  ): Promise<{ subscription: Subscription; created: boolean; rules: Rule[] }> {
    const { store } = this.deps;
    const id = subscriptionId(target);
    const existing = await store.get(id);
    if (existing) {
      // Someone who blocked the bot and comes back re-activates the same subscription.
      if (!existing.active) await store.setActive(id, true);
      // A channel stored by an older version is listed as one now (evaluated first, skipped by fan-outs).
      if (isBroadcast(existing)) await store.put({ ...existing, active: true });
      return { subscription: { ...existing, active: true }, created: false, rules: await store.listRules(id) };
    }
    const subscription: Subscription = {
      id,
      platform: target.platform,
      targetType: target.targetType,
      targetId: target.targetId,
      ownerId: target.userId,
      timeZone: 'UTC',
      quiet: null,
      mutedUntilSec: null,
      active: true,
      createdSec: nowSec,
    };
    await store.put(subscription);
    for (const spec of this.deps.defaultRules ?? DEFAULT_RULES) await store.addRule(id, spec, nowSec);
    return { subscription, created: true, rules: await store.listRules(id) };
  }

  get(target: Target): Promise<Subscription | null> {
    return this.deps.store.get(subscriptionId(target));
  }

  async addRule(target: Target, kind: string, tokens: readonly string[], nowSec: number): Promise<Result<Rule>> {
    const parsed = parseRule(kind, tokens);
    if (!parsed.ok) return parsed;
    const id = subscriptionId(target);
    if ((await this.deps.store.get(id)) === null) return notSubscribed();
    const rule = await this.deps.store.addRule(id, parsed.value, nowSec);
    if (rule === 'too-many-rules') return err('too-many-rules', { max: MAX_RULES_PER_SUBSCRIPTION });
    return ok(rule);
  }

  listRules(target: Target): Promise<Rule[]> {
    return this.deps.store.listRules(subscriptionId(target));
  }

  async removeRule(target: Target, ruleIdIn: string): Promise<Result<Rule>> {
    const ruleId = String(ruleIdIn).trim().replace(/^#/, '');
    if (!/^\d{1,6}$/.test(ruleId)) return err('bad-rule-id', { token: clipToken(ruleId, 20) });
    const id = subscriptionId(target);
    const rule = (await this.deps.store.listRules(id)).find((r) => r.id === ruleId);
    if (!rule || !(await this.deps.store.removeRule(id, ruleId))) return err('unknown-rule', { id: ruleId });
    return ok(rule);
  }

  async mute(target: Target, duration: string, nowSec: number): Promise<Result<{ untilSec: number }>> {
    const d = parseDuration(duration);
    if (!d.ok) return d;
    const sub = await this.get(target);
    if (!sub) return notSubscribed();
    const untilSec = nowSec + d.value;
    await this.deps.store.put({ ...sub, mutedUntilSec: untilSec });
    // A shorter mute than before: what it held goes out at its new end.
    if (sub.mutedUntilSec !== null && sub.mutedUntilSec > untilSec) await this.deps.release?.(sub, 'digest', untilSec);
    return ok({ untilSec });
  }

  async unmute(target: Target): Promise<Result<void>> {
    const sub = await this.get(target);
    if (!sub) return notSubscribed();
    await this.deps.store.put({ ...sub, mutedUntilSec: null });
    // Held alerts go out now (or when quiet hours end), not at the mute's original end.
    if (sub.mutedUntilSec !== null) await this.deps.release?.(sub, 'digest');
    return ok(undefined);
  }

  async quiet(target: Target, args: readonly string[]): Promise<Result<Subscription['quiet']>> {
    const q = parseQuiet(args);
    if (!q.ok) return q;
    const sub = await this.get(target);
    if (!sub) return notSubscribed();
    await this.deps.store.put({ ...sub, quiet: q.value.quiet, timeZone: q.value.timeZone ?? sub.timeZone });
    return ok(q.value.quiet);
  }

  async snooze(target: Target, ruleIdIn: string, untilSec: number | null, nowSec: number): Promise<Result<Rule>> {
    const sub = await this.get(target);
    if (!sub) return notSubscribed();
    const ruleId = String(ruleIdIn).trim();
    const rule = (await this.deps.store.listRules(sub.id)).find((r) => r.id === ruleId);
    if (!rule) return err('unknown-rule', { id: clipToken(ruleId, 20) });
    // Expired snoozes are dropped on every change, so the field stays small.
    const kept = Object.entries(sub.snoozed ?? {}).filter(([id, until]) => id !== ruleId && until > nowSec);
    if (untilSec !== null) kept.push([ruleId, untilSec]);
    const { snoozed: _old, ...rest } = sub;
    await this.deps.store.put(kept.length > 0 ? { ...rest, snoozed: Object.fromEntries(kept) } : rest);
    // Woken early (or snoozed for less than before): what it held is told now / at the new end.
    const was = sub.snoozed?.[ruleId];
    if (was !== undefined && was > nowSec && (untilSec === null || untilSec < was))
      await this.deps.release?.(sub, 'snooze', untilSec ?? nowSec);
    return ok(rule);
  }

  async setTimeZone(target: Target, zoneIn: string): Promise<Result<string>> {
    const zone = String(zoneIn).trim();
    if (!isValidTimeZone(zone)) return err('unknown-zone', { token: clipToken(zone), command: 'timezone' });
    const sub = await this.get(target);
    if (!sub) return notSubscribed();
    const canonical = canonicalZone(zone);
    await this.deps.store.put({ ...sub, timeZone: canonical });
    return ok(canonical);
  }

  async preview(kind: string, tokens: readonly string[], nowSec: number): Promise<Result<PreviewReport>> {
    const parsed = parseRule(kind, tokens);
    if (!parsed.ok) return parsed;
    return this.deps.preview(parsed.value, nowSec);
  }

  async stop(target: Target): Promise<boolean> {
    const id = subscriptionId(target);
    if ((await this.deps.store.get(id)) === null) return false;
    await this.deps.store.remove(id);
    return true;
  }

  /** The bot was blocked or removed: keep the rules, stop delivering until `start` again. */
  async deactivate(target: Target): Promise<void> {
    await this.deps.store.setActive(subscriptionId(target), false);
  }

  latestSnapshot(): Promise<Snapshot | null> {
    return this.deps.latestSnapshot();
  }

  /**
   * Moves the subscription to the new chat id. Stores that can rename keep rule ids, states and
   * held alerts (a firing rule does not fire again); otherwise rules are re-added in order.
   */
  async migrate(from: Target, newTargetId: string): Promise<void> {
    const { store } = this.deps;
    const oldId = subscriptionId(from);
    const sub = await store.get(oldId);
    if (!sub) return;
    const to: Target = { ...from, targetId: newTargetId };
    const newId = subscriptionId(to);
    if (newId === oldId) return;
    if (store.rename) {
      await store.rename(oldId, newId, { targetId: newTargetId });
      return;
    }
    const rules = await store.listRules(oldId);
    await store.put({ ...sub, id: newId, targetId: newTargetId });
    for (const r of rules) {
      const { id: _id, subscriptionId: _s, createdSec, ...spec } = r;
      await store.addRule(newId, spec as RuleSpec, createdSec);
    }
    await store.remove(oldId);
  }
}
