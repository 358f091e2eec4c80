/**
 * Escaping, as a property: arbitrary strings and numbers through every message path (alerts,
 * digests, rule lists, problems, previews, figures, every command handler and button) give HTML
 * that the stand-in's Telegram check accepts, within 4096 characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/alerting/ports.ts';
import { ok } from '../../../src/alerting/result.ts';
import type { AlertEvent, Rule, Subscription } from '../../../src/alerting/types.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { COMMANDS } from '../../../src/platforms/telegram/commands.ts';
import { handleButton, handleCommand, type HandlerDeps } from '../../../src/platforms/telegram/handlers.ts';
import { escapeHtml, html } from '../../../src/platforms/telegram/html.ts';
import {
  renderAlertMessage,
  renderPreview,
  renderProblem,
  renderRules,
} from '../../../src/platforms/telegram/render.ts';
import { renderHashprice, renderRetarget, renderStatus } from '../../../src/platforms/telegram/render-figures.ts';
import { SubscriptionUseCases } from '../../../src/subscriptions/use-cases.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { MemorySubscriptionStore } from '../../fakes/memory-stores.ts';
import { checkMessageText } from '../../fakes/telegram-markup.ts';

const RUNS = { numRuns: 150 };
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('<b>', '&amp;', '</i>', '&', '<', '>', '\\', '*_[]()~`>#+-=|{}.!', '<a href="x">'),
);
const longText = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 3000 });
const num = fc.oneof(fc.double(), fc.integer(), fc.constant(Number.NaN));

function accepted(h: { value: string }): void {
  const r = checkMessageText(h.value, 'HTML');
  if (!r.ok && r.description === 'Bad Request: message text is empty') return;
  expect(r, h.value.slice(0, 300)).toMatchObject({ ok: true });
  expect(h.value.length).toBeLessThanOrEqual(4096);
}

const eventArb: fc.Arbitrary<AlertEvent> = fc.record({
  rule: text,
  kind: fc.constant('hashrate-drop' as const),
  state: fc.constantFrom('firing' as const, 'resolved' as const, 'notice' as const),
  height: fc.nat(),
  time: fc.integer({ min: 0, max: 4_000_000_000 }),
  value: num,
  threshold: num,
  text: longText,
  subscriptionId: text,
  hash: fc.constantFrom('a', 'b'),
  details: fc.record({
    title: longText,
    unit: text,
    window: text,
    low: num,
    high: num,
    source: text,
    dataAgeSec: fc.nat(),
    severity: fc.constantFrom('info' as const, 'warn' as const, 'critical' as const),
    lines: fc.array(fc.tuple(text, longText), { maxLength: 4 }),
  }),
});

const sub = (zone: string): Subscription => ({
  id: 's',
  platform: 'telegram',
  targetType: 'chat',
  targetId: '1',
  ownerId: '1',
  timeZone: zone,
  quiet: { startMin: 1380, endMin: 420 },
  mutedUntilSec: 4_000_000_000,
  active: true,
  createdSec: 0,
});

describe('every message path escapes arbitrary data', () => {
  it("escapeHtml round-trips through Telegram's HTML parser", () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1 }), (s) => {
        const r = checkMessageText(escapeHtml(s), 'HTML');
        if (r.ok) expect(r.plain).toBe(s);
        else expect(r.description).toMatch(/empty|too long/);
      }),
      RUNS,
    );
  });

  it('alert messages and digests (any number of events, any strings, any zone)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 30 }), fc.boolean(), text, (events, digest, zone) => {
        const msg: OutboundMessage = { subscriptionId: 's', height: 1, hash: 'a', events, digest };
        accepted(renderAlertMessage(msg, sub(zone), 1_800_000_000));
      }),
      RUNS,
    );
  });

  it('rule lists, problems and previews', () => {
    const rules = fc.array(
      fc.record({
        id: text,
        subscriptionId: text,
        createdSec: fc.nat(),
        kind: fc.constant('breakeven' as const),
        jth: num,
        kwh: num,
        poolfee: num,
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(rules, text, longText, text, (rs, zone, message, example) => {
        accepted(renderRules(rs as Rule[], sub(zone), 0));
        accepted(renderProblem(message, example));
        const recent = Array.from({ length: 30 }, (_, i) => ({ height: i, time: i, text: message }));
        accepted(
          renderPreview(
            message,
            { fromHeight: 1, toHeight: 2, fromSec: 0, toSec: 1, firings: 3, resolutions: 1, recent, source: 'fixture' },
            zone,
          ),
        );
      }),
      RUNS,
    );
  });

  it('status, retarget and hash price with any figures', () => {
    fc.assert(
      fc.property(num, num, fc.option(num, { nil: null }), text, (drop, change, usd, zone) => {
        const s: Snapshot = makeSnapshot({ height: 900_000, dropPct: drop, changePct: change, usd, retarget: true });
        for (const r of [renderStatus, renderRetarget, renderHashprice]) accepted(r(s, zone, 1_800_000_000));
      }),
      RUNS,
    );
  });

  it('every command and button, with any arguments, in private chats and groups', async () => {
    const store = new MemorySubscriptionStore();
    const service = new SubscriptionUseCases({
      store,
      latestSnapshot: async () => makeSnapshot({ height: 5 }),
      preview: async () =>
        ok({
          fromHeight: 1,
          toHeight: 2,
          fromSec: 0,
          toSec: 1,
          firings: 1,
          resolutions: 0,
          recent: [{ height: 1, time: 1, text: '<b>&' }],
          source: 'chain-state',
        }),
    });
    const deps: HandlerDeps = { service, isAdmin: async (_c, u) => u % 2 === 0, nowSec: () => 1_800_000_000 };
    const names = fc.oneof(fc.constantFrom(...COMMANDS.map((c) => c.command)), text);
    await fc.assert(
      fc.asyncProperty(
        names,
        fc.array(text, { maxLength: 5 }),
        fc.integer({ min: -5, max: 5 }),
        fc.nat(10),
        async (name, args, chatId, userId) => {
          const chat = { id: chatId === 0 ? 1 : chatId, type: chatId < 0 ? ('group' as const) : ('private' as const) };
          const reply = await handleCommand(deps, chat, userId, name, args);
          if (reply !== null) accepted(reply.html);
          const out = await handleButton(deps, chat, userId, `${args[0] ?? 'rm:'}${args[1] ?? ''}`);
          if (out.edit) accepted(out.edit.html);
          if (out.follow) accepted(out.follow.html);
          expect(out.toast.length).toBeLessThanOrEqual(200);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the html tag escapes interpolations but keeps its own markup', () => {
    expect(html`<b>${'<i>x</i> & y'}</b>`.value).toBe('<b>&lt;i&gt;x&lt;/i&gt; &amp; y</b>');
  });
});
