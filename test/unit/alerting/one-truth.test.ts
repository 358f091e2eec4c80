/**
 * Issue 11, "one truth per event": every kind × state, rendered on Telegram, Discord and the
 * console, shows `value` — the figure the title states — at the precision it prints, and never
 * the engine's compared figure; `threshold` is the user's own. A sequence of snapshots drives
 * each rule through its states with the real lifecycle (fire, repeat, resolve, notice).
 */
import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../src/alerting/lifecycle.ts';
import type { AlertEvent, RuleSpec, RuleState } from '../../../src/alerting/types.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { renderConsoleMessage } from '../../../src/platforms/console/console-notifier.ts';
import { eventEmbed, renderAlertMessage as discordMessage } from '../../../src/platforms/discord/render.ts';
import { renderAlertMessage as telegramMessage, renderEvent } from '../../../src/platforms/telegram/render.ts';
import { freshen } from '../../../src/alerting/pipeline.ts';
import { snoozeRelease } from '../../../src/alerting/snooze-release.ts';
import { ago, estimate, hashrateFigures, makeSnapshot, rule } from './snapshot-factory.ts';

const T0 = 1_764_000_000;
const DAY = 86_400;

/** Numbers as printed ("−9.6", "+12.40", "930,112", "$36.10") with their decimals. */
function numbersIn(text: string): Array<{ n: number; decimals: number }> {
  const out: Array<{ n: number; decimals: number }> = [];
  for (const m of text.matchAll(/([−+-]?)\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?/g)) {
    const sign = m[1] === '−' || m[1] === '-' ? -1 : 1;
    out.push({ n: sign * Number(`${m[2]!.replaceAll(',', '')}.${m[3] ?? '0'}`), decimals: (m[3] ?? '').length });
  }
  return out;
}

/** True when `printed` is `value` rounded to the printed decimals (sign-insensitive when asked). */
function samePrinted(p: { n: number; decimals: number }, value: number, anySign = false): boolean {
  const tol = 0.5 * 10 ** -p.decimals + 1e-9;
  return Math.abs(p.n - value) <= tol || (anySign && Math.abs(Math.abs(p.n) - Math.abs(value)) <= tol);
}

const strip = (html: string): string =>
  html
    .replace(/<[^>]+>/g, '')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');

/** Runs `spec` over `snaps` and returns every event it produced. */
function run(spec: RuleSpec, snaps: Snapshot[]): AlertEvent[] {
  let st: RuleState | null = null;
  const out: AlertEvent[] = [];
  for (const s of snaps) {
    const r = evaluateRule(rule(spec), st, s);
    st = r.state;
    if (r.event) out.push(r.event);
  }
  return out;
}

const at = (i: number, o: Parameters<typeof makeSnapshot>[0] = {}): Snapshot =>
  makeSnapshot({ height: 930_200 + i, timeSec: T0 + i * DAY, ...o });
const hp = (usd: number) => ({ hashprice: { usdPerPhDay: usd } });
const hr = (ehs: number) => ({ ...hashrateFigures(ehs) });

const CASES: Array<[string, RuleSpec, Snapshot[]]> = [
  [
    'hashrate-below',
    { kind: 'hashrate-below', ehs: 900 },
    [at(0, hr(950)), at(1, hr(800)), at(9, hr(800)), at(10, hr(700)), at(11, hr(990))],
  ],
  [
    'hashprice-below',
    { kind: 'hashprice-below', usd: 40 },
    [at(0, hp(45)), at(1, hp(36.1)), at(9, hp(36.1)), at(10, hp(31)), at(11, hp(44))],
  ],
  ['hashprice-above', { kind: 'hashprice-above', usd: 60 }, [at(0, hp(50)), at(1, hp(61.23)), at(2, hp(55))]],
  [
    'breakeven',
    { kind: 'breakeven', jth: 30, kwh: 0.06, poolfee: 0 },
    [at(0, hp(45)), at(1, hp(36.1)), at(9, hp(36.1)), at(10, hp(30)), at(11, hp(46))],
  ],
  [
    'hashprice-move',
    { kind: 'hashprice-move', pct: 10, window: '24h', direction: 'both' },
    [
      at(0, { ...hp(50), hashpriceAgo: ago('24h', 50, T0) }),
      at(1, { ...hp(43.7), hashpriceAgo: ago('24h', 50, T0 + DAY) }),
      at(2, { ...hp(49), hashpriceAgo: ago('24h', 50, T0 + 2 * DAY) }),
    ],
  ],
  [
    'retarget-estimate',
    { kind: 'retarget-estimate', pct: 5, direction: 'both' },
    [
      at(0),
      at(1, { retarget: { changePct: -9.63, lowPct: -14.03, highPct: -5.09 } }),
      at(2, { retarget: { changePct: -1.8, lowPct: -4, highPct: 0.5 } }),
    ],
  ],
  [
    'retarget',
    { kind: 'retarget' },
    [
      at(0, {
        retargetOutcome: {
          height: 930_200,
          previousBits: 0x1702796c,
          bits: 0x1702796c,
          changePct: -11.16,
          scorecard: [],
        },
      }),
    ],
  ],
  ['retarget-soon', { kind: 'retarget-soon', blocks: 144 }, [makeSnapshot({ height: 933_308, timeSec: T0 })]],
  [
    'slow-blocks',
    { kind: 'slow-blocks', minutes: 60 },
    [at(0), makeSnapshot({ height: 930_200, timeSec: T0, computedAtSec: T0 })],
  ],
  ['new-block', { kind: 'new-block' }, [at(0)]],
  [
    'hashrate-drop',
    { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' },
    [at(0, hashrateFigures(1000, 1000)), at(1, hashrateFigures(800, 1000)), at(2, hashrateFigures(1000, 1000))],
  ],
  [
    // Over while still 4 % below the level: the value is signed like the words ("−4 %", "4 % below").
    'hashrate-drop over below its level',
    { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' },
    [at(1, hashrateFigures(800, 1000)), at(2, hashrateFigures(960, 1000))],
  ],
];

describe('one truth per event: what every platform shows is `value`', () => {
  // Every event of every case, for the wrapped messages below.
  const all: AlertEvent[] = [];
  const seen = new Set<string>();
  it.each(CASES)('%s: every state, Telegram + Discord + console', (_name, spec, snaps) => {
    let events = run(spec, snaps);
    if (spec.kind === 'slow-blocks') {
      // The tick: the same tip judged 75 minutes later.
      const tip = snaps[0]!;
      const fired = evaluateRule(rule(spec), evaluateRule(rule(spec), null, tip).state, tip, tip.timeSec + 75 * 60);
      events = fired.event ? [fired.event] : [];
    }
    expect(events.length).toBeGreaterThan(0);
    all.push(...events);
    for (const e of events) {
      seen.add(`${e.kind}/${e.state}${e.details.repeat ? `/${e.details.repeat}` : ''}`);
      // The title states the value (sign may be in words: "down 12 %").
      expect(
        numbersIn(e.details.title).some((p) => samePrinted(p, e.value, true)),
        `${e.details.title} vs ${e.value}`,
      ).toBe(true);
      // Telegram "Now:" line: the first number is the value.
      const tg = strip(renderEvent(e, 'UTC', e.time + 5).toString());
      const now = /Now: ([^\n(]+)/.exec(tg)?.[1] ?? '';
      expect(samePrinted(numbersIn(now)[0]!, e.value), `telegram ${now} vs ${e.value}`).toBe(true);
      // Discord "Value" field.
      const field = eventEmbed(e).fields?.find((f) => f.name === 'Value' || f.name === 'Now (recovered)')?.value ?? '';
      expect(samePrinted(numbersIn(field)[0]!, e.value), `discord ${field} vs ${e.value}`).toBe(true);
      // Console: the plain text carries the same title.
      const consoleText = renderConsoleMessage({
        subscriptionId: 's',
        height: e.height,
        hash: e.hash,
        events: [e],
        digest: false,
      });
      expect(consoleText).toContain(e.details.title);
      // The threshold is the user's own number.
      const own = spec as { pct?: number; usd?: number; ehs?: number; blocks?: number; minutes?: number };
      const expected = own.pct ?? own.usd ?? own.ehs ?? own.blocks ?? own.minutes;
      if (expected !== undefined) expect(e.threshold).toBe(expected);
    }
  });

  it('the cases cover every kind and the states each has (reminders and escalations included)', () => {
    for (const want of [
      'hashrate-below/firing',
      'hashrate-below/firing/reminder',
      'hashrate-below/firing/escalation',
      'hashrate-below/resolved',
      'hashprice-below/firing',
      'hashprice-below/firing/reminder',
      'hashprice-below/resolved',
      'breakeven/firing',
      'breakeven/firing/reminder',
      'breakeven/firing/escalation',
      'breakeven/resolved',
      'hashprice-above/firing',
      'hashprice-above/resolved',
      'hashprice-move/firing',
      'hashprice-move/resolved',
      'retarget-estimate/firing',
      'retarget-estimate/resolved',
      'retarget/notice',
      'retarget-soon/notice',
      'slow-blocks/firing',
      'new-block/notice',
      'hashrate-drop/firing',
      'hashrate-drop/resolved',
    ])
      expect(seen, want).toContain(want);
  });

  it('a drop over below its level reads −4 % everywhere, not +4 %', () => {
    const [, over] = run({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }, [
      at(1, hashrateFigures(800, 1000)),
      at(2, hashrateFigures(960, 1000)),
    ]);
    expect(over!.details.title).toContain('4 % below its level');
    expect(over!.value).toBeCloseTo(-4, 6);
    expect(strip(renderEvent(over!, 'UTC', T0).toString())).toContain('Now: −4 %');
  });

  it('the estimate of the issue: "Now" carries −9.6 %, inside its own interval, never the bound', () => {
    const [fired] = run({ kind: 'retarget-estimate', pct: 5, direction: 'both' }, [
      at(1, { retarget: { changePct: -9.63, lowPct: -14.03, highPct: -5.09 } }),
    ]);
    expect(fired!.value).toBe(-9.63);
    expect(fired!.details.compared).toBe(5.09);
    const tg = strip(renderEvent(fired!, 'UTC', T0).toString());
    expect(tg).toContain('Now: −9.63 % (90 %: −14.03 % to −5.09 %)');
    expect(tg).toContain('Your threshold: ±5 % (90 % likely)');
    expect(estimate('7d', 1).blocks).toBe(1008);
  });

  it('wrapped messages too: a snooze release (Held line), a digest, a late or replacing message, on every platform', () => {
    expect(all.length).toBeGreaterThan(20);
    const sub = {
      id: 's',
      platform: 'telegram' as const,
      targetType: 'chat' as const,
      targetId: '1',
      ownerId: '1',
      timeZone: 'Europe/Berlin',
      quiet: null,
      mutedUntilSec: null,
      active: true,
      createdSec: 0,
    };
    for (const e of all) {
      const held = snoozeRelease({ ...sub, snoozed: { [e.rule]: e.time } }, [e], new Set([e.rule]), e.time + 1, e.time)
        .events[0];
      const late = freshen(
        { subscriptionId: 's', height: e.height, hash: e.hash, events: [e], digest: false },
        { superseded: new Map(), replaced: new Map([[e.rule, e.height - 1]]) },
        e.time + 3600,
      )!.events[0]!;
      // A resolution told before a snooze is released; one fired and resolved inside it is not.
      const wrapped = [late, ...(held !== undefined ? [held] : [])];
      for (const w of wrapped) {
        for (const digest of [false, true]) {
          const msg = { subscriptionId: 's', height: w.height, hash: w.hash, events: [w], digest };
          const tg = strip(telegramMessage(msg, sub, w.time + 5).toString());
          const now = /Now: ([^\n(]+)/.exec(tg)?.[1] ?? '';
          expect(samePrinted(numbersIn(now)[0]!, e.value), `telegram ${now} vs ${e.value}`).toBe(true);
          const field =
            discordMessage(msg, sub).embeds[0]?.fields?.find((f) => f.name === 'Value' || f.name === 'Now (recovered)')
              ?.value ?? '';
          expect(samePrinted(numbersIn(field)[0]!, e.value), `discord ${field} vs ${e.value}`).toBe(true);
          // Discord shows times as timestamps only (each reader's local time), never zone text.
          const embeds = JSON.stringify(discordMessage(msg, sub).embeds);
          expect(embeds, `${e.kind} on Discord`).not.toMatch(
            /\bUTC\b|\bCES?T\b|\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d/,
          );
          expect(tg, `${e.kind} on Telegram`).not.toContain('<t:');
          expect(renderConsoleMessage(msg, sub.timeZone)).toContain(e.details.title);
          expect(renderConsoleMessage(msg, sub.timeZone)).not.toContain('<t:');
        }
      }
    }
  });
});
