/**
 * Alert embeds say what happened and stay within Discord's limits whatever the data: checked
 * against the stand-in's own server-side validator (an independent oracle of the same limits).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/alerting/ports.ts';
import type { AlertEvent } from '../../../src/alerting/types.ts';
import { embedSize, fitEmbeds } from '../../../src/platforms/discord/embed-limits.ts';
import {
  COLOURS,
  eventColour,
  eventEmbed,
  renderAlertMessage,
  rulesEmbed,
} from '../../../src/platforms/discord/render.ts';
import { hashpriceEmbed, helpEmbed, retargetEmbed, statusEmbed } from '../../../src/platforms/discord/render-info.ts';
import { checkMessage } from '../../fakes/discord/message-checks.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';

const event = (over: Partial<AlertEvent> = {}, details: Partial<AlertEvent['details']> = {}): AlertEvent => ({
  rule: '2',
  kind: 'hashrate-drop',
  state: 'firing',
  height: 900_101,
  time: 1_750_000_000,
  value: 12.4,
  threshold: 10,
  text: 'Hash rate is 12.4 % below its 30d peak over the 3d window.',
  subscriptionId: 'discord-user-1',
  hash: 'ab'.repeat(32),
  details: {
    title: 'Hash rate down 12.4 % (3d window)',
    unit: '%',
    window: '3d',
    low: 8.1,
    high: 16.2,
    source: 'mempool',
    dataAgeSec: 42,
    severity: 'warn',
    direction: 'down',
    ...details,
  },
  ...over,
});
const msg = (events: AlertEvent[], digest = false): OutboundMessage => ({
  subscriptionId: 'discord-user-1',
  height: 900_101,
  hash: 'ab'.repeat(32),
  events,
  digest,
});

describe('alert embeds', () => {
  it('carry the title, value, window, 90 % interval, threshold and a footer with source and data age', () => {
    const e = eventEmbed(event(), 'UTC');
    // Issue 11: one icon per severity (warn ⚠️), the statement once (no description repeating
    // it), times as Discord timestamps, source and data age as fields.
    expect(e.title).toBe('⚠️ Hash rate down 12.4 % (3d window)');
    expect(e.description).toBeUndefined();
    expect(e.color).toBe(COLOURS.warnDown);
    expect(e.fields?.map((f) => [f.name, f.value])).toEqual([
      ['Value', '+12.4 %'],
      ['90 % interval', '+8.1 % to +16.2 %'],
      ['Your threshold', '10 %'],
      ['Window', '3d'],
      ['Block', '900101 · <t:1750000000:f>'],
      ['Source', 'mempool'],
      ['Data age', '42 s'],
    ]);
    expect(e.footer?.text).toBe('alert 2');
    expect(e.timestamp).toBe('2025-06-15T15:06:40.000Z');
  });

  it('colour by state, severity and direction', () => {
    expect(eventColour(event({ state: 'resolved' }))).toBe(COLOURS.resolved);
    expect(eventColour(event({ state: 'notice' }, { severity: 'info' }))).toBe(COLOURS.info);
    expect(eventColour(event({}, { severity: 'critical' }))).toBe(COLOURS.critical);
    expect(eventColour(event({}, { direction: 'up' }))).toBe(COLOURS.warnUp);
    expect(eventColour(event({}, { direction: 'down' }))).toBe(COLOURS.warnDown);
  });

  it('an end that is not a recovery (a drop that became the normal) is blue and never says recovered', () => {
    const e = event(
      { state: 'resolved' },
      { severity: 'info', ending: 'new-normal', title: 'Hash rate still 15 % below' },
    );
    expect(eventColour(e)).toBe(COLOURS.info);
    const embed = eventEmbed(e);
    expect(embed.title?.startsWith('ℹ️')).toBe(true);
    expect(JSON.stringify(embed)).not.toMatch(/recovered|✅/);
    expect(eventEmbed(event({ state: 'resolved' })).fields?.[0]?.name).toBe('Now (recovered)');
  });

  it('a digest of 30 alerts becomes 10 embeds with a summary of the rest, within 6000 characters', () => {
    const events = Array.from({ length: 30 }, (_, i) => event({ rule: String(i + 1) }));
    const m = renderAlertMessage(msg(events, true), { timeZone: 'Europe/Berlin' });
    expect(m.content).toBe('🌙 Held while muted or in quiet hours: 30 alerts');
    expect(m.embeds.length).toBe(10);
    expect(m.embeds[9]?.title).toBe('…and 21 more alerts');
    expect(checkMessage(m)).toBeNull();
  });

  it('any events, however long their texts, make a message Discord accepts', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 9000 });
    const arbEvent = fc.record({
      title: text,
      body: text,
      label: text,
      line: text,
      n: fc.integer({ min: 0, max: 40 }),
      zone: fc.constantFrom('UTC', 'Asia/Kolkata', 'Nope/Zone'),
    });
    fc.assert(
      fc.property(fc.array(arbEvent, { minLength: 1, maxLength: 25 }), fc.boolean(), (es, digest) => {
        const events = es.map((x) =>
          event(
            { text: x.body },
            { title: x.title, source: x.label, lines: Array.from({ length: x.n }, () => [x.label, x.line] as const) },
          ),
        );
        const m = renderAlertMessage(msg(events, digest), { timeZone: es[0]?.zone ?? 'UTC' });
        expect(checkMessage(m)).toBeNull();
        expect(m.embeds.reduce((n, e) => n + embedSize(e), 0)).toBeLessThanOrEqual(6000);
      }),
      { numRuns: 60 },
    );
  });

  it('fitEmbeds keeps what fits and summarises the rest', () => {
    const big = Array.from({ length: 4 }, (_, i) => ({ title: `t${i}`, description: 'x'.repeat(2500) }));
    const out = fitEmbeds(big, (left) => ({ title: `+${left}` }));
    expect(out.map((e) => e.title)).toEqual(['t0', 't1', '+2']);
  });
});

describe('replies', () => {
  it('status, retarget, hash price, help and rule lists fit Discord', () => {
    const s = makeSnapshot({ height: 900_000, changePct: -4.2, usd: 47.25 });
    for (const e of [
      statusEmbed(s, s.timeSec + 30),
      retargetEmbed(s, s.timeSec),
      hashpriceEmbed(s, s.timeSec),
      helpEmbed(),
    ]) {
      expect(checkMessage({ embeds: [e] })).toBeNull();
    }
    expect(retargetEmbed(s, s.timeSec).title).toBe('Next difficulty retarget: −4.2 %');
    expect(retargetEmbed(s, s.timeSec).color).toBe(COLOURS.warnDown);
    const rules = Array.from({ length: 25 }, (_, i) => ({
      id: String(i + 1),
      subscriptionId: 's',
      createdSec: 0,
      kind: 'breakeven' as const,
      jth: 17,
      kwh: 0.06,
      poolfee: 2,
    }));
    const sub = {
      id: 's',
      platform: 'discord' as const,
      targetType: 'user' as const,
      targetId: '1',
      ownerId: '1',
      timeZone: 'UTC',
      quiet: { startMin: 1380, endMin: 420 },
      mutedUntilSec: null,
      active: true,
      createdSec: 0,
    };
    const list = rulesEmbed(rules, sub, 'your DMs', 0);
    expect(list.fields?.[0]).toEqual({ name: 'Quiet hours', value: '23:00–07:00 UTC', inline: true });
    expect(checkMessage({ embeds: [list] })).toBeNull();
  });
});
