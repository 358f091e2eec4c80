import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/alerting/ports.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import { classifyTelegramError } from '../../../src/platforms/telegram/errors.ts';
import { TelegramNotifier } from '../../../src/platforms/telegram/notifier.ts';
import { TELEGRAM_LIMITS, TelegramPacer, type PacerClock } from '../../../src/platforms/telegram/pacer.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { checkMessageText } from '../../fakes/telegram-markup.ts';
import type { Subscription } from '../../../src/alerting/types.ts';

/** A clock that only moves when someone sleeps: pacing decisions become exact. */
function fakeClock(): PacerClock & { t: number } {
  const c = {
    t: 1_000_000,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

const tgError = (error_code: number, description: string, parameters?: Record<string, number>) =>
  Object.assign(new Error(`${error_code}: ${description}`), {
    response: { ok: false, error_code, description, ...(parameters ? { parameters } : {}) },
  });

describe('TelegramPacer', () => {
  it('leaves the overall 30/s to the send gate: different chats are not held back here', async () => {
    const clock = fakeClock();
    const p = new TelegramPacer(TELEGRAM_LIMITS, clock);
    const start = clock.t;
    for (let i = 0; i < 90; i++) expect(await p.acquire(10_000 + i)).toBe(0);
    // A second limiter at the same rate would subtract from the gate's (send-timeline.ts).
    expect(clock.t - start).toBe(0);
  });

  it('keeps one chat to 1/s and a group to 20/min, handing long waits back', async () => {
    const clock = fakeClock();
    const p = new TelegramPacer(TELEGRAM_LIMITS, clock);
    const t0 = clock.t;
    await p.acquire(42);
    await p.acquire(42);
    expect(clock.t - t0).toBe(1000);
    const g0 = clock.t;
    for (let i = 0; i < 20; i++) expect(await p.acquire(-99, Number.POSITIVE_INFINITY)).toBe(0);
    expect(clock.t - g0).toBeGreaterThanOrEqual(19 * 1000);
    expect(clock.t - g0).toBeLessThan(19 * 1000 + 100);
    const wait = await p.acquire(-99);
    expect(wait).toBeGreaterThan(TELEGRAM_LIMITS.maxInlineWaitMs);
    expect(wait).toBeLessThanOrEqual(60_000 + 250);
    p.backOff(7, 5000);
    expect(await p.acquire(7)).toBe(5000);
  });
});

describe('classifyTelegramError', () => {
  const cases: Array<[string, unknown, DeliveryError['kind'], Partial<DeliveryError['context']>]> = [
    [
      '429 with retry_after',
      tgError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }),
      'rate-limited',
      { retryAfterMs: 7000 },
    ],
    ['blocked', tgError(403, 'Forbidden: bot was blocked by the user'), 'permanent', { status: 403 }],
    ['kicked', tgError(403, 'Forbidden: bot was kicked from the group chat'), 'permanent', {}],
    ['deactivated user', tgError(403, 'Forbidden: user is deactivated'), 'permanent', {}],
    ['chat not found', tgError(400, 'Bad Request: chat not found'), 'permanent', { status: 400 }],
    [
      'migrated',
      tgError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -100123 }),
      'permanent',
      { migrateToId: '-100123' },
    ],
    [
      'entity bug',
      tgError(400, 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3'),
      'permanent',
      {},
    ],
    ['too long', tgError(400, 'Bad Request: message is too long'), 'permanent', {}],
    ['bad gateway (telegraf: statusText only)', tgError(502, 'Bad Gateway'), 'retryable', { status: 502 }],
    ['bad token: never deactivate everyone', tgError(401, 'Unauthorized'), 'retryable', {}],
    [
      'network',
      Object.assign(new Error('request to http://h/bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/sendMessage failed'), {
        name: 'FetchError',
      }),
      'retryable',
      {},
    ],
  ];
  it.each(cases)('%s', (_name, e, kind, ctx) => {
    const d = classifyTelegramError(e, '42');
    expect(d.kind).toBe(kind);
    expect(d.context).toMatchObject({ platform: 'telegram', ...ctx });
    expect(d.message).not.toMatch(/AAAAAAAAAAAAAAAAAAAA/);
  });
});

describe('TelegramNotifier', () => {
  const sub: Subscription = {
    id: 'telegram-chat-42',
    platform: 'telegram',
    targetType: 'chat',
    targetId: '42',
    ownerId: '42',
    timeZone: 'Asia/Tokyo',
    quiet: null,
    mutedUntilSec: null,
    active: true,
    createdSec: 0,
  };
  const s = makeSnapshot({ height: 900_000 });
  const event = {
    rule: '2',
    kind: 'hashrate-drop' as const,
    state: 'firing' as const,
    height: s.height,
    time: s.timeSec,
    value: 12.4,
    threshold: 10,
    text: 'x',
    subscriptionId: sub.id,
    hash: s.hash,
    details: {
      title: 'Hash rate down 12.4 % <3d>',
      unit: '%',
      window: '3d window',
      low: 8.1,
      high: 16.2,
      source: 'mempool',
      dataAgeSec: 42,
      severity: 'warn' as const,
    },
  };
  const message = { subscriptionId: sub.id, height: s.height, hash: s.hash, events: [event], digest: false };

  it("sends one HTML message in the subscriber's zone with window, interval, source and age", async () => {
    const sent: Array<{ chatId: number | string; text: string }> = [];
    const n = new TelegramNotifier({
      telegram: {
        sendMessage: async (chatId, text) => {
          sent.push({ chatId, text });
        },
      },
      pacer: new TelegramPacer(TELEGRAM_LIMITS, fakeClock()),
      logger: silentLogger(),
      nowSec: () => s.timeSec + 50,
    });
    await n.send(sub, message);
    expect(sent).toHaveLength(1);
    const check = checkMessageText(sent[0]!.text, 'HTML');
    expect(check.ok).toBe(true);
    const plain = check.ok ? check.plain : '';
    expect(plain).toContain('Hash rate down 12.4 % <3d>');
    expect(plain).toContain('Now: +12.4 % (90 %: +8.1 % to +16.2 %) · 3d window');
    expect(plain).toMatch(/GMT\+9|JST/);
    expect(plain).toContain('source mempool, data 42 s old');
  });

  it('throws classified errors and backs the chat off after a 429', async () => {
    const clock = fakeClock();
    const pacer = new TelegramPacer(TELEGRAM_LIMITS, clock);
    const n = new TelegramNotifier({
      telegram: {
        sendMessage: async () => {
          throw tgError(429, 'Too Many Requests: retry after 9', { retry_after: 9 });
        },
      },
      pacer,
      logger: silentLogger(),
      nowSec: () => 0,
    });
    // Telegram's own 429: the platform's word, the whole queue pauses (no 'chat' scope).
    const first = await n.send(sub, message).catch((e: unknown) => e);
    expect(first).toMatchObject({ kind: 'rate-limited', context: { retryAfterMs: 9000 } });
    expect((first as DeliveryError).context.scope).toBeUndefined();
    // The next attempt for this chat is handed back to the queue instead of hitting Telegram
    // again — as this chat's own wait, which delays only its message.
    await expect(n.send(sub, message)).rejects.toMatchObject({ kind: 'rate-limited', context: { scope: 'chat' } });
    expect(await pacer.acquire(42, Number.POSITIVE_INFINITY)).toBe(0);
  });
});
