/**
 * Figure replies with charts: the handler attaches a chart (drawn lazily, in the chat's zone and
 * with its rules) only to /status, /retarget and /hashprice, and the reply sender turns it into
 * one sendPhoto with the text as caption, or text then photo when the text is too long.
 */
import type { Telegram } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { ok } from '../../../src/alerting/result.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { ChartRequest } from '../../../src/charts/index.ts';
import type { ChartPicture, ChartRenderer } from '../../../src/platforms/chart-picture.ts';
import { handleCommand, type ChatRef, type HandlerDeps, type Reply } from '../../../src/platforms/telegram/handlers.ts';
import { html } from '../../../src/platforms/telegram/html.ts';
import { TELEGRAM_LIMITS, TelegramPacer } from '../../../src/platforms/telegram/pacer.ts';
import { replySender } from '../../../src/platforms/telegram/replies.ts';
import { SubscriptionUseCases } from '../../../src/subscriptions/use-cases.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { MemorySubscriptionStore } from '../../fakes/memory-stores.ts';
import { makePng } from '../../fakes/multipart.ts';

const snap = makeSnapshot({ height: 900_000 });
const PNG = makePng(20, 10);
const dm: ChatRef = { id: 42, type: 'private' };

function deps(charts?: ChartRenderer): HandlerDeps {
  const service = new SubscriptionUseCases({
    store: new MemorySubscriptionStore(),
    latestSnapshot: async () => snap,
    preview: async () =>
      ok({
        fromHeight: 0,
        toHeight: 0,
        fromSec: 0,
        toSec: 0,
        firings: 0,
        resolutions: 0,
        recent: [],
        source: 'fixture',
      }),
  });
  return { service, isAdmin: async () => true, nowSec: () => snap.timeSec + 60, ...(charts ? { charts } : {}) };
}

describe('Telegram figure replies with charts', () => {
  it('status/retarget/hashprice carry their chart, drawn in the chat zone with its rules; others none', async () => {
    const seen: Array<[string, ChartRequest]> = [];
    const d = deps({
      render: async (kind, req) => {
        seen.push([kind, req]);
        return PNG;
      },
    });
    await handleCommand(d, dm, 42, 'start', []);
    await d.service.quiet({ platform: 'telegram', targetType: 'chat', targetId: '42', userId: '42' }, [
      '23:00-07:00',
      'Asia/Tokyo',
    ]);
    const pics: Array<ChartPicture | null> = [];
    for (const c of ['status', 'retarget', 'hashprice'])
      pics.push(await (await handleCommand(d, dm, 42, c, []))!.chart!());
    expect(pics.map((p) => p?.filename)).toEqual([
      'hashbell-hashrate.png',
      'hashbell-retarget.png',
      'hashbell-hashprice.png',
    ]);
    expect(seen[0]?.[1]).toMatchObject({ height: snap.height, hash: snap.hash, timeZone: 'Asia/Tokyo' });
    expect(seen[0]?.[1].thresholds?.map((r) => r.kind)).toEqual(['retarget', 'hashrate-drop', 'retarget-estimate']);
    expect((await handleCommand(d, dm, 42, 'alerts', []))?.chart).toBeUndefined();
    expect((await handleCommand(deps(), dm, 42, 'status', []))?.chart).toBeUndefined();
  });
});

type Call = { method: string; caption?: string; markup: boolean };
function stubTelegram(photoError?: Error): { telegram: Telegram; calls: Call[] } {
  const calls: Call[] = [];
  const telegram = {
    sendMessage: async (_c: number, _t: string, extra: { reply_markup?: unknown }) => {
      calls.push({ method: 'sendMessage', markup: extra.reply_markup !== undefined });
    },
    sendPhoto: async (_c: number, _p: unknown, extra: { caption?: string; reply_markup?: unknown }) => {
      calls.push({
        method: 'sendPhoto',
        ...(extra.caption !== undefined ? { caption: extra.caption } : {}),
        markup: extra.reply_markup !== undefined,
      });
      if (photoError) throw photoError;
    },
  };
  return { telegram: telegram as unknown as Telegram, calls };
}
const picture: ChartPicture = { kind: 'hashrate', filename: 'hashbell-hashrate.png', png: PNG, key: 'k' };
const reply = (text: string, chart: ChartPicture | null): Reply => ({
  html: html`${text}`,
  buttons: [[{ text: 'b', data: 'd' }]],
  chart: async () => chart,
});
const pacer = () => new TelegramPacer({ ...TELEGRAM_LIMITS, chatIntervalMs: 0 });

describe('replySender with charts', () => {
  it('short text: one sendPhoto, the text as caption with the buttons', async () => {
    const { telegram, calls } = stubTelegram();
    await replySender(telegram, pacer(), silentLogger())(42, reply('Block 900000 & more', picture));
    expect(calls).toEqual([{ method: 'sendPhoto', caption: 'Block 900000 &amp; more', markup: true }]);
  });

  it('text over 1,024 characters: the text (with buttons) first, then the photo alone', async () => {
    const { telegram, calls } = stubTelegram();
    await replySender(telegram, pacer(), silentLogger())(42, reply('x'.repeat(1025), picture));
    expect(calls).toEqual([
      { method: 'sendMessage', markup: true },
      { method: 'sendPhoto', markup: false },
    ]);
  });

  it('no chart, or a refused picture: the text alone', async () => {
    const none = stubTelegram();
    await replySender(none.telegram, pacer(), silentLogger())(42, reply('hi', null));
    expect(none.calls.map((c) => c.method)).toEqual(['sendMessage']);
    const err = Object.assign(new Error('x'), {
      response: { ok: false, error_code: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' },
    });
    const refused = stubTelegram(err);
    await replySender(refused.telegram, pacer(), silentLogger())(42, reply('hi', picture));
    expect(refused.calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']);
  });
});
