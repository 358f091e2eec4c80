/**
 * The Bot API stand-in's sendPhoto, driven by telegraf's own multipart upload: a PNG with a valid
 * caption is recorded; what Telegram refuses (not a picture, too big, caption too long or with
 * broken markup, no photo) gets Telegram's error and records nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Telegram } from 'telegraf';
import { FakeTelegramBotApi } from '../../fakes/telegram-bot-api.ts';
import { makePng, multipartBoundary, parseMultipart } from '../../fakes/multipart.ts';

let fake: FakeTelegramBotApi;
let tg: Telegram;
beforeEach(async () => {
  fake = await FakeTelegramBotApi.start();
  tg = new Telegram(fake.token, { apiRoot: fake.apiRoot });
});
afterEach(async () => {
  await fake.close();
});

const refusal = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'accepted',
    (e: { description?: string; code?: number }) => `${e.code} ${e.description}`,
  );

describe('Bot API stand-in: sendPhoto (multipart)', () => {
  it('accepts a PNG with an HTML caption and records the bytes, size and caption', async () => {
    const png = makePng(1000, 560);
    const res = await tg.sendPhoto(
      42,
      { source: png, filename: 'hashbell-hashrate.png' },
      { caption: '<b>Hash rate</b> &amp; band', parse_mode: 'HTML' },
    );
    expect(res.photo[0]).toMatchObject({ width: 1000, height: 560, file_size: png.length });
    expect(fake.photos).toHaveLength(1);
    const m = fake.photos[0]!;
    expect(m).toMatchObject({ method: 'sendPhoto', chatId: 42, plain: 'Hash rate & band', parseMode: 'HTML' });
    expect(m.photo?.filename).toBe('hashbell-hashrate.png');
    expect(m.photo?.data.equals(png)).toBe(true);
  });

  it('refuses what Telegram refuses, and records nothing', async () => {
    const png = makePng(100, 50);
    expect(
      await refusal(tg.sendPhoto(42, { source: Buffer.from('GIF89a not a png at all, sorry'), filename: 'x.png' })),
    ).toBe('400 Bad Request: IMAGE_PROCESS_FAILED');
    expect(
      await refusal(
        tg.sendPhoto(42, { source: Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]), filename: 'big.png' }),
      ),
    ).toBe('413 Request Entity Too Large');
    expect(await refusal(tg.sendPhoto(42, { source: makePng(2000, 50), filename: 'thin.png' }))).toBe(
      '400 Bad Request: PHOTO_INVALID_DIMENSIONS',
    );
    expect(await refusal(tg.sendPhoto(42, { source: png, filename: 'a.png' }, { caption: 'x'.repeat(1025) }))).toBe(
      '400 Bad Request: message caption is too long',
    );
    // 1,024 characters after parsing are fine even if the markup is longer.
    expect(
      await refusal(
        tg.sendPhoto(
          42,
          { source: png, filename: 'a.png' },
          { caption: `<b>${'&amp;'.repeat(1024)}</b>`, parse_mode: 'HTML' },
        ),
      ),
    ).toBe('accepted');
    expect(
      await refusal(
        tg.sendPhoto(42, { source: png, filename: 'a.png' }, { caption: '<b>unclosed', parse_mode: 'HTML' }),
      ),
    ).toMatch(/^400 Bad Request: can't parse entities/);
    expect(await refusal(tg.sendPhoto(42, 'AgACAgIAAxkBAAIBZ2N0'))).toMatch(
      /^400 Bad Request: wrong remote file identifier/,
    );
    expect(fake.photos).toHaveLength(1);
  });

  it('injected failures and flood control apply to photos as to texts', async () => {
    fake.injectFailure(42, { kind: 'rate-limit', retryAfterSec: 3 }, 1);
    expect(await refusal(tg.sendPhoto(42, { source: makePng(10, 10), filename: 'a.png' }))).toBe(
      '429 Too Many Requests: retry after 3',
    );
    expect(fake.tooManyRequests).toBe(1);
  });

  it('the multipart parser reads parts by the boundary and rejects a truncated body', () => {
    const b = 'XyZ';
    const body = Buffer.from(
      `--${b}\r\ncontent-disposition: form-data; name="chat_id"\r\n\r\n42\r\n--${b}\r\ncontent-disposition: form-data; name="photo"; filename="p.png"\r\ncontent-type: image/png\r\n\r\n\u0000\r\n\u0001\r\n--${b}--\r\n`,
      'latin1',
    );
    expect(multipartBoundary(`multipart/form-data; boundary=${b}`)).toBe(b);
    expect(multipartBoundary('application/json')).toBeNull();
    const parts = parseMultipart(body, b);
    expect(parts.map((p) => [p.name, p.filename, p.contentType, [...p.data]])).toEqual([
      ['chat_id', undefined, undefined, [52, 50]],
      ['photo', 'p.png', 'image/png', [0, 13, 10, 1]],
    ]);
    expect(() => parseMultipart(body.subarray(0, body.length - 9), b)).toThrow(/closing boundary/);
  });
});
