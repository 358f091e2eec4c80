/**
 * The snooze release's "Held" line carries its times as data (time tokens), and each surface
 * shows them its own way: Discord as native timestamps (each reader's local time, no zone text),
 * Telegram and the console in the subscriber's zone. Issue 11 item 5.
 */
import { describe, expect, it } from 'vitest';
import { snoozeRelease } from '../../../src/alerting/snooze-release.ts';
import { evaluateRule } from '../../../src/alerting/lifecycle.ts';
import type { AlertEvent, Subscription } from '../../../src/alerting/types.ts';
import type { OutboundMessage } from '../../../src/alerting/ports.ts';
import { renderAlertMessage as discordMessage } from '../../../src/platforms/discord/render.ts';
import { renderAlertMessage as telegramMessage } from '../../../src/platforms/telegram/render.ts';
import { renderConsoleMessage } from '../../../src/platforms/console/console-notifier.ts';
import { hashOf, hashrateFigures, makeSnapshot, rule } from '../alerting/snapshot-factory.ts';

const NOON = Date.parse('2026-06-11T10:00:00Z') / 1000;
const UNTIL = NOON + 86_400;
const sub: Subscription = {
  id: 'discord-channel-9',
  platform: 'discord',
  targetType: 'channel',
  targetId: '9',
  ownerId: '7',
  timeZone: 'Europe/Berlin',
  quiet: null,
  mutedUntilSec: null,
  snoozed: { '1': UNTIL },
  active: true,
  createdSec: 0,
};

function ev(height: number, state: AlertEvent['state']): AlertEvent {
  const s = makeSnapshot({
    height,
    hash: hashOf(height),
    hashprice: { usdPerPhDay: 40 },
    timeSec: NOON + (height - 930_000) * 600,
  });
  const e = evaluateRule(rule({ kind: 'hashprice-below', usd: 45 }, '1', sub.id), null, s).event!;
  return { ...e, state };
}

const release = snoozeRelease(
  sub,
  [ev(930_001, 'firing'), ev(930_010, 'resolved'), ev(930_020, 'firing')],
  new Set(['1']),
  UNTIL + 1,
  UNTIL,
);
const msg: OutboundMessage = {
  subscriptionId: sub.id,
  height: 930_020,
  hash: hashOf(930_020),
  events: release.events,
  digest: false,
};
const at = (h: number) => NOON + (h - 930_000) * 600;

describe('the Held line of a snooze release', () => {
  it('on Discord: timestamps <t:…:f>, no zone-formatted time', () => {
    const { embeds } = discordMessage(msg, sub);
    const heldField = embeds[0]!.fields!.find((f) => f.name === 'Held');
    expect(heldField?.value).toBe(
      `while snoozed until <t:${UNTIL}:f>; fired <t:${at(930_001)}:f> → resolved <t:${at(930_010)}:f> → fired <t:${at(930_020)}:f>`,
    );
    const all = JSON.stringify(embeds);
    expect(all).not.toMatch(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d/);
    expect(all).not.toMatch(/CEST|Europe\/Berlin/);
  });

  it('on Telegram and the console: the subscriber zone (12:10 CEST = 10:10 UTC), no token left', () => {
    const tg = String(telegramMessage(msg, sub, UNTIL + 1));
    expect(tg).toContain('Held: while snoozed until Fri 12:00; fired Thu 12:10 → resolved Thu 13:40 → fired Thu 15:20');
    expect(tg).not.toContain('&lt;t:');
    const text = renderConsoleMessage(msg, sub.timeZone);
    expect(text).toContain(
      'Held: while snoozed until Fri 12:00; fired Thu 12:10 → resolved Thu 13:40 → fired Thu 15:20',
    );
    expect(text).not.toContain('<t:');
  });
});

describe('the Began line of a hash-rate drop', () => {
  const drop = evaluateRule(
    rule({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }, '4', sub.id),
    null,
    makeSnapshot(hashrateFigures(800, 1000)),
  ).event!;
  const one: OutboundMessage = {
    subscriptionId: sub.id,
    height: drop.height,
    hash: drop.hash,
    events: [drop],
    digest: false,
  };
  const began = drop.details.lines?.find(([label]) => label === 'Began')?.[1] ?? '';
  const sec = Number(/<t:(\d+):F>/.exec(began)?.[1]);

  it('carries its moment as data; Discord shows a timestamp, not UTC text', () => {
    expect(began).toMatch(/^block 929,612, <t:\d+:F>$/);
    const field = discordMessage(one, sub).embeds[0]!.fields!.find((f) => f.name === 'Began');
    expect(field?.value).toBe(`block 929,612, <t:${sec}:F>`);
    expect(JSON.stringify(discordMessage(one, sub).embeds)).not.toContain('UTC');
  });

  it('Telegram says it in the subscriber zone; plain text (replay) in UTC as before', () => {
    const utc = new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(drop.text).toContain(`Began: block 929,612, ${utc} UTC`);
    const berlin = new Date((sec + 3600) * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(String(telegramMessage(one, sub, sec))).toContain(`Began: block 929,612, ${berlin} CET`);
  });
});
