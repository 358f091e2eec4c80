/**
 * The snooze stages alone: route holds a snoozed rule's events (and only those), and the release
 * says each rule's latest state once when its snooze ends — what a miner who pressed "snooze 24 h"
 * expects to read, not every event of the day.
 */
import { describe, expect, it } from 'vitest';
import { route } from '../../../src/alerting/pipeline.ts';
import { snoozeRelease } from '../../../src/alerting/snooze-release.ts';
import type { AlertEvent, Subscription } from '../../../src/alerting/types.ts';
import { evaluateRule } from '../../../src/alerting/lifecycle.ts';
import { hashOf, makeSnapshot, rule } from './snapshot-factory.ts';

const utc = (iso: string) => Date.parse(iso) / 1000;
const NOON = utc('2026-06-11T10:00:00Z');
const UNTIL = NOON + 86_400;

function sub(o: Partial<Subscription> = {}): Subscription {
  return {
    id: 'telegram-chat-42',
    platform: 'telegram',
    targetType: 'chat',
    targetId: '42',
    ownerId: '7',
    timeZone: 'Europe/Berlin',
    quiet: null,
    mutedUntilSec: null,
    snoozed: { '1': UNTIL },
    active: true,
    createdSec: 0,
    ...o,
  };
}

/** A hashprice-below 45 event of rule `ruleId` at `height` (10 minutes a block from noon). */
function ev(height: number, state: AlertEvent['state'], ruleId = '1', repeat?: 'reminder'): AlertEvent {
  const s = makeSnapshot({
    height,
    hash: hashOf(height),
    hashprice: { usdPerPhDay: 40 },
    timeSec: NOON + (height - 930_000) * 600,
  });
  const e = evaluateRule(rule({ kind: 'hashprice-below', usd: 45 }, ruleId, 'telegram-chat-42'), null, s).event!;
  return { ...e, state, ...(repeat ? { details: { ...e.details, repeat } } : {}) };
}

const tell = (events: readonly AlertEvent[]) => events.map((e) => `${e.rule}:${e.state}@${e.height}`);
const rules = new Set(['1', '2']);
const after = UNTIL + 1;

describe('route: snoozed rules', () => {
  it('holds only the snoozed rule, until its snooze ends; the others go out', () => {
    const r = route(sub(), [ev(930_001, 'firing', '1'), ev(930_001, 'firing', '2')], NOON);
    expect(tell(r.now)).toEqual(['2:firing@930001']);
    expect(tell(r.snoozed ?? [])).toEqual(['1:firing@930001']);
    expect(r.snoozeEndsAtSec).toBe(UNTIL);
    expect(r.hold).toEqual([]);
  });

  it('an ended snooze holds nothing; a snooze wins over a mute', () => {
    expect(route(sub(), [ev(930_001, 'firing')], UNTIL).now).toHaveLength(1);
    const muted = route(
      sub({ mutedUntilSec: NOON + 3600 }),
      [ev(930_001, 'firing', '1'), ev(930_001, 'firing', '2')],
      NOON,
    );
    expect(tell(muted.snoozed ?? [])).toEqual(['1:firing@930001']);
    expect(tell(muted.hold)).toEqual(['2:firing@930001']);
    expect(muted.reason).toBe('muted');
  });
});

describe('snoozeRelease', () => {
  it('still firing (fired, resolved, fired again): the latest firing, once, with the path in local time', () => {
    const held = [ev(930_001, 'firing'), ev(930_010, 'resolved'), ev(930_020, 'firing')];
    const r = snoozeRelease(sub(), held, rules, after, UNTIL);
    expect(tell(r.events)).toEqual(['1:firing@930020']);
    expect(r.consumed).toEqual([0, 1, 2]);
    expect(r.nextAtSec).toBeNull();
    // The line carries the times as data (time tokens); each renderer formats them.
    const t = (h: number) => `<t:${NOON + (h - 930_000) * 600}:f>`;
    expect(r.events[0]!.details.lines?.at(-1)).toEqual([
      'Held',
      `while snoozed until <t:${UNTIL}:f>; fired ${t(930_001)} → resolved ${t(930_010)} → fired ${t(930_020)}`,
    ]);
    // The plain text (console, CLI) says them in the subscriber's zone: 10:10 UTC = 12:10 CEST on
    // Thursday 11 June 2026.
    expect(r.events[0]!.text).toContain(
      '\n  Held: while snoozed until Fri 12:00; fired Thu 12:10 → resolved Thu 13:40 → fired Thu 15:20',
    );
  });

  it('a crossing that came and went inside the snooze says nothing, and is consumed', () => {
    const r = snoozeRelease(sub(), [ev(930_001, 'firing'), ev(930_010, 'resolved')], rules, after);
    expect(r.events).toEqual([]);
    expect(r.consumed).toEqual([0, 1]);
  });

  it('the resolution of a firing told before the snooze is said; reminders count as still firing', () => {
    expect(tell(snoozeRelease(sub(), [ev(930_010, 'resolved')], rules, after).events)).toEqual(['1:resolved@930010']);
    const reminded = [ev(930_005, 'firing', '1', 'reminder'), ev(930_010, 'resolved')];
    expect(tell(snoozeRelease(sub(), reminded, rules, after).events)).toEqual(['1:resolved@930010']);
    const still = snoozeRelease(sub(), [ev(930_005, 'firing', '1', 'reminder')], rules, after);
    expect(tell(still.events)).toEqual(['1:firing@930005']);
  });

  it('many changes are counted, not listed; exact repeats (re-held after a crash) are one', () => {
    const held = [930_001, 930_002, 930_003, 930_004, 930_005].map((h, i) => ev(h, i % 2 ? 'resolved' : 'firing'));
    const r = snoozeRelease(sub(), [...held, held[4]!], rules, after);
    expect(r.events[0]!.text).toContain('Held: while this alert was snoozed; 5 changes from Thu 12:10 to Thu 12:50');
    expect(r.consumed).toHaveLength(6);
  });

  it('rules still snoozed wait (next look at their end); removed rules are dropped', () => {
    const s = sub({ snoozed: { '1': UNTIL, '2': UNTIL + 3600 } });
    const held = [ev(930_001, 'firing', '1'), ev(930_001, 'firing', '2'), ev(930_001, 'firing', '9')];
    const r = snoozeRelease(s, held, rules, after);
    expect(tell(r.events)).toEqual(['1:firing@930001']);
    expect(r.consumed).toEqual([0, 2]);
    expect(r.nextAtSec).toBe(UNTIL + 3600);
  });

  it('a release inside mute or quiet hours waits for them and consumes nothing', () => {
    const r = snoozeRelease(sub({ mutedUntilSec: after + 600 }), [ev(930_001, 'firing')], rules, after);
    expect(r).toEqual({ events: [], consumed: [], nextAtSec: after + 600 });
  });
});
