/**
 * Notification stages, each alone: quiet hours (across midnight, across both 2026 DST changes in
 * Europe/Berlin), mute expiry, dedupe keys, grouping per block, the digest and its text.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  dedupe,
  digest,
  freshen,
  group,
  LATE_AFTER_SEC,
  isQuiet,
  notificationKey,
  quietEndsAtSec,
  releaseAtSec,
  route,
} from '../../../src/alerting/pipeline.ts';
import { renderMessage } from '../../../src/alerting/render.ts';
import { evaluateRule } from '../../../src/alerting/lifecycle.ts';
import type { AlertEvent, Subscription } from '../../../src/alerting/types.ts';
import { hashOf, makeSnapshot, rule } from './snapshot-factory.ts';

const utc = (iso: string) => Date.parse(iso) / 1000;
const iso = (sec: number) => new Date(sec * 1000).toISOString().replace('.000', '');

function sub(o: Partial<Subscription> = {}): Subscription {
  return {
    id: 'telegram-chat-42',
    platform: 'telegram',
    targetType: 'chat',
    targetId: '42',
    ownerId: '7',
    timeZone: 'Europe/Berlin',
    quiet: { startMin: 23 * 60, endMin: 7 * 60 },
    mutedUntilSec: null,
    active: true,
    createdSec: 0,
    ...o,
  };
}

describe('quiet hours 23:00–07:00 Europe/Berlin', () => {
  const rows: Array<[string, boolean, string | null, string]> = [
    ['2026-06-10T20:59:00Z', false, null, '22:59 CEST: not yet'],
    ['2026-06-10T21:00:00Z', true, '2026-06-11T05:00:00Z', '23:00 CEST: starts (start inclusive)'],
    ['2026-06-10T23:30:00Z', true, '2026-06-11T05:00:00Z', '01:30 CEST: after midnight, still quiet'],
    ['2026-06-11T05:00:00Z', false, null, '07:00 CEST: over (end exclusive)'],
    ['2026-01-15T22:30:00Z', true, '2026-01-16T06:00:00Z', '23:30 CET in winter: ends 06:00 UTC'],
    ['2026-03-28T22:30:00Z', true, '2026-03-29T05:00:00Z', 'spring forward night: 23:30 CET → 07:00 CEST, only 6.5 h'],
    ['2026-10-24T21:30:00Z', true, '2026-10-25T06:00:00Z', 'fall back night: 23:30 CEST → 07:00 CET, 8.5 h'],
    ['2026-10-25T01:30:00Z', true, '2026-10-25T06:00:00Z', 'inside the repeated hour (02:30 CET)'],
  ];
  it.each(rows)('%s quiet=%s ends %s (%s)', (at, quiet, ends, _why) => {
    const s = sub();
    expect(isQuiet(s, utc(at))).toBe(quiet);
    expect(iso(quietEndsAtSec(s, utc(at)))).toBe(ends ?? at.replace('.000', ''));
  });

  it('an end time inside the spring-forward gap ends at the first minute after it', () => {
    // 01:00–02:30 local; on 2026-03-29 02:00–03:00 does not exist: quiet ends at 03:00 CEST.
    const s = sub({ quiet: { startMin: 60, endMin: 150 } });
    expect(isQuiet(s, utc('2026-03-29T00:30:00Z'))).toBe(true);
    expect(iso(quietEndsAtSec(s, utc('2026-03-29T00:30:00Z')))).toBe('2026-03-29T01:00:00Z');
  });

  it('same-day windows and other zones work too', () => {
    const ny = sub({ timeZone: 'America/New_York', quiet: { startMin: 9 * 60, endMin: 17 * 60 } });
    expect(isQuiet(ny, utc('2026-07-01T13:00:00Z'))).toBe(true); // 09:00 EDT
    expect(iso(quietEndsAtSec(ny, utc('2026-07-01T13:00:00Z')))).toBe('2026-07-01T21:00:00Z');
    expect(isQuiet(ny, utc('2026-07-01T12:59:00Z'))).toBe(false);
    expect(isQuiet(sub({ quiet: null }), utc('2026-07-01T01:00:00Z'))).toBe(false);
  });

  it('quietEndsAtSec always lands on a non-quiet instant right after a quiet one (any zone, any time)', () => {
    const zones = [
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
      'UTC',
      'America/Santiago',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 1_735_689_600, max: 1_798_761_600 }),
        (timeZone, startMin, endMin, now) => {
          fc.pre(startMin !== endMin);
          const s = sub({ timeZone, quiet: { startMin, endMin } });
          const end = quietEndsAtSec(s, now);
          expect(isQuiet(s, end)).toBe(false);
          if (isQuiet(s, now)) {
            expect(end).toBeGreaterThan(now);
            expect(end - now).toBeLessThanOrEqual(25 * 3600);
            expect(isQuiet(s, end - 60)).toBe(true);
          } else expect(end).toBe(now);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('mute and routing', () => {
  const ev = (height: number, ruleId = '1', state: AlertEvent['state'] = 'firing'): AlertEvent => {
    const s = makeSnapshot({
      height,
      hash: hashOf(height),
      hashprice: { usdPerPhDay: 40 },
      timeSec: utc('2026-06-11T00:13:00Z') + (height - 930_000) * 600,
    });
    const r = evaluateRule(rule({ kind: 'hashprice-below', usd: 45 }, ruleId, 'telegram-chat-42'), null, s);
    return { ...(r.event as AlertEvent), state };
  };
  const noon = utc('2026-06-11T10:00:00Z');

  it('holds while muted and releases exactly when the mute expires', () => {
    const s = sub({ quiet: null, mutedUntilSec: noon + 3600 });
    const held = route(s, [ev(930_001)], noon);
    expect(held).toMatchObject({ now: [], reason: 'muted', releaseAtSec: noon + 3600 });
    expect(held.hold).toHaveLength(1);
    const after = route(s, [ev(930_002)], noon + 3600);
    expect(after.now).toHaveLength(1);
    expect(after.reason).toBeNull();
  });

  it('a mute ending inside quiet hours releases when the quiet hours end', () => {
    const s = sub({ mutedUntilSec: utc('2026-06-11T00:00:00Z') }); // 02:00 CEST
    expect(iso(releaseAtSec(s, utc('2026-06-10T18:00:00Z')))).toBe('2026-06-11T05:00:00Z');
  });

  it('an inactive subscription gets nothing', () => {
    expect(route(sub({ active: false, quiet: null }), [ev(930_001)], noon)).toMatchObject({ now: [], hold: [] });
  });

  it('groups everything of one block into one message per subscription, rules in numeric order', () => {
    const a10 = ev(930_005, '10');
    const a2 = ev(930_005, '2');
    const b1 = { ...ev(930_005, '1'), subscriptionId: 'discord-user-9' };
    const msgs = group([a10, b1, a2]);
    expect(msgs).toHaveLength(2);
    const mine = msgs.find((m) => m.subscriptionId === 'telegram-chat-42');
    expect(mine?.events.map((e) => e.rule)).toEqual(['2', '10']);
    expect(mine?.digest).toBe(false);
    expect(renderMessage(mine as NonNullable<typeof mine>)).toMatch(/^hashbell — block 930,005: 2 alerts\n\n/);
  });

  it('dedupe drops repeats of the same event within a batch (same block, rule and state)', () => {
    const e1 = ev(930_001);
    const e2 = ev(930_002);
    const r1 = ev(930_001, '1', 'resolved');
    const { fresh, duplicates } = dedupe([e1, e2, e2, r1, e1]);
    expect(fresh).toEqual([e1, e2, r1]);
    expect(duplicates).toHaveLength(2);
  });

  it("the digest collapses per rule with the path it took, in the subscriber's zone", () => {
    const fired = ev(930_000, '1', 'firing'); // 02:13 CEST
    const resolved = ev(930_020, '1', 'resolved'); // 200 min later: 05:33 CEST
    const other = ev(930_005, '3', 'firing');
    const d = digest([resolved, other, fired, fired]);
    expect(d).not.toBeNull();
    if (!d) return;
    expect(d.digest).toBe(true);
    expect(d.events.map((e) => `${e.rule}:${e.state}`)).toEqual(['1:firing', '3:firing', '1:resolved']);
    expect(d.height).toBe(930_020);
    const text = renderMessage(d, 'Europe/Berlin');
    expect(text.startsWith('🌙 While you were away: 3 alerts from 2 rules')).toBe(true);
    expect(text).toContain('firing 02:13 → resolved 05:33');
    expect(digest([])).toBeNull();
  });
});

describe('notificationKey', () => {
  it('one scheme for every message: block, digest, snooze release', () => {
    const sub = 'telegram-chat-1';
    expect(notificationKey({ subscriptionId: sub, type: 'block', id: 'ab' })).toBe('telegram-chat-1|b|ab');
    expect(notificationKey({ subscriptionId: sub, type: 'block', id: 'slow-ab' })).toBe('telegram-chat-1|b|slow-ab');
    expect(notificationKey({ subscriptionId: sub, type: 'digest', id: '1750000000' })).toBe(
      'telegram-chat-1|d|1750000000',
    );
    expect(notificationKey({ subscriptionId: sub, type: 'snooze', id: '1750000000' })).toBe(
      'telegram-chat-1|z|1750000000',
    );
  });

  it('distinct messages never share a key (subscription ids never contain "|")', () => {
    const type = fc.constantFrom<'block' | 'digest' | 'snooze'>('block', 'digest', 'snooze');
    const subId = fc.string().filter((x) => !x.includes('|'));
    fc.assert(
      fc.property(fc.tuple(subId, type, fc.string()), fc.tuple(subId, type, fc.string()), (a, b) => {
        const ka = notificationKey({ subscriptionId: a[0], type: a[1], id: a[2] });
        const kb = notificationKey({ subscriptionId: b[0], type: b[1], id: b[2] });
        expect(ka === kb).toBe(a.join('\u0000') === b.join('\u0000'));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('freshen (issue 14 item 3)', () => {
  const ev = (height: number, ruleId: string): AlertEvent => {
    const s = makeSnapshot({ height, hash: hashOf(height), hashprice: { usdPerPhDay: 40 }, timeSec: 1_750_000_000 });
    return evaluateRule(rule({ kind: 'hashprice-below', usd: 45 }, ruleId, 'telegram-chat-42'), null, s)
      .event as AlertEvent;
  };
  const msg = (events: AlertEvent[]) => ({
    subscriptionId: 'telegram-chat-42',
    height: 935_425,
    hash: hashOf(935_425),
    events,
    digest: false,
  });
  const none = { superseded: new Map<string, number>(), replaced: new Map<string, number>() };

  it('drops superseded rules, notes what the rest replaced, and returns null when nothing is left', () => {
    const [a, b] = [ev(935_425, '1'), ev(935_425, '2')];
    const out = freshen(
      msg([a, b]),
      { superseded: new Map([['1', 935_426]]), replaced: new Map([['2', 935_424]]) },
      a.time + a.details.dataAgeSec,
    );
    expect(out?.events.map((e) => e.rule)).toEqual(['2']);
    expect(out?.events[0]?.details.lines).toContainEqual(['Replaces', 'the alert of block 935,424']);
    expect(out?.events[0]?.text).toMatch(/\(replaces the alert of block 935,424\)$/);
    expect(freshen(msg([a]), { ...none, superseded: new Map([['1', 935_426]]) }, a.time)).toBeNull();
  });

  it("says the block's age only when the message is late", () => {
    const a = ev(935_425, '1');
    const sentAt = a.time + a.details.dataAgeSec;
    expect(freshen(msg([a]), none, sentAt + LATE_AFTER_SEC - 1)?.events[0]).toBe(a);
    const late = freshen(msg([a]), none, a.time + 41 * 60 + Math.max(0, a.details.dataAgeSec))?.events[0];
    expect(late?.details.lines).toContainEqual([
      'Late',
      `block 935,425, ${41 + Math.floor(Math.max(0, a.details.dataAgeSec) / 60)} min ago`,
    ]);
  });

  it('says when a reorg replaced the block of a message nothing newer superseded', () => {
    const a = ev(935_425, '1');
    const sentAt = a.time + a.details.dataAgeSec;
    const out = freshen(msg([a]), { ...none, blockReplaced: true }, sentAt)?.events[0];
    expect(out?.details.lines).toContainEqual(['Reorg', 'block 935,425 is no longer in the chain']);
    expect(out?.text).toMatch(/\(reorg block 935,425 is no longer in the chain\)$/);
    expect(freshen(msg([a]), { ...none, blockReplaced: false }, sentAt)?.events[0]).toBe(a);
  });
});
