import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTelegramBotApi, type FakeChat } from '../../fakes/telegram-bot-api.ts';
import { TELEGRAM_FAQ_LIMITS } from '../../fakes/telegram-limits.ts';
import { parseHtml, parseMarkdownV2, checkMessageText } from '../../fakes/telegram-markup.ts';

let fake: FakeTelegramBotApi;
beforeEach(async () => {
  fake = await FakeTelegramBotApi.start();
});
afterEach(async () => {
  await fake.close();
});

const user = { id: 42, first_name: 'Ann' };
const dm: FakeChat = { id: 42, type: 'private' };

async function call(
  method: string,
  params: Record<string, unknown> = {},
  token = fake.token,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fake.apiRoot}bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: await res.json() };
}

describe('Bot API stand-in: protocol', () => {
  it('answers getMe, 401 on a wrong token and 404 on an unknown method', async () => {
    expect((await call('getMe')).body.result.username).toBe('hashbell_test_bot');
    expect(await call('getMe', {}, '1:wrong')).toMatchObject({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect(await call('sendSticker')).toMatchObject({ status: 404, body: { description: 'Not Found' } });
  });

  it('holds getUpdates until an update arrives, then confirms by offset', async () => {
    const t0 = Date.now();
    const pending = call('getUpdates', { timeout: 5, offset: 0 });
    await new Promise((r) => setTimeout(r, 150));
    fake.sendUserMessage(dm, user, '/status');
    const first = await pending;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(first.body.result).toHaveLength(1);
    expect(first.body.result[0].message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 7 }]);
    const id = first.body.result[0].update_id as number;
    // Unconfirmed: returned again; confirmed with offset: gone, and the next call is held to its timeout.
    expect((await call('getUpdates', { timeout: 0 })).body.result).toHaveLength(1);
    const t1 = Date.now();
    expect((await call('getUpdates', { timeout: 1, offset: id + 1 })).body.result).toEqual([]);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(900);
  });

  it('terminates the first of two concurrent pollers with 409', async () => {
    const first = call('getUpdates', { timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = call('getUpdates', { timeout: 1 });
    expect((await first).status).toBe(409);
    expect((await first).body.description).toMatch(/terminated by other getUpdates request/);
    expect((await second).status).toBe(200);
  });

  it('accepts urlencoded bodies and query parameters', async () => {
    const res = await fetch(`${fake.apiRoot}bot${fake.token}/sendMessage?chat_id=42`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'text=hello%20there',
    });
    expect(res.status).toBe(200);
    expect(fake.sent[0]).toMatchObject({ chatId: 42, plain: 'hello there' });
  });

  it('validates setMyCommands', async () => {
    expect((await call('setMyCommands', { commands: [{ command: 'Status', description: 'x' }] })).status).toBe(400);
    expect((await call('setMyCommands', { commands: [{ command: 'status', description: '' }] })).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => ({ command: `c${i}`, description: 'd' }));
    expect((await call('setMyCommands', { commands: many })).status).toBe(400);
    expect(
      (await call('setMyCommands', { commands: [{ command: 'status', description: 'Network figures' }] })).status,
    ).toBe(200);
    expect(fake.commands).toEqual([{ command: 'status', description: 'Network figures' }]);
  });

  it('gives injected failures with Telegram bodies', async () => {
    fake.injectFailure(7, { kind: 'migrate', toChatId: -1001234 }, 1);
    expect((await call('sendMessage', { chat_id: 7, text: 'x' })).body).toMatchObject({
      error_code: 400,
      parameters: { migrate_to_chat_id: -1001234 },
    });
    expect((await call('sendMessage', { chat_id: 7, text: 'x' })).status).toBe(200);
    fake.injectFailure(8, { kind: 'blocked' });
    expect((await call('sendMessage', { chat_id: 8, text: 'x' })).body.description).toBe(
      'Forbidden: bot was blocked by the user',
    );
    fake.injectFailure('*', { kind: 'rate-limit', retryAfterSec: 3 }, 1);
    expect((await call('sendMessage', { chat_id: 9, text: 'x' })).body).toMatchObject({
      error_code: 429,
      parameters: { retry_after: 3 },
    });
  });

  it('enforces per-chat and per-group flood limits with retry_after', async () => {
    fake.setLimits(TELEGRAM_FAQ_LIMITS);
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await call('sendMessage', { chat_id: 5, text: `m${i}` })).status);
    expect(results.slice(0, 3)).toEqual([200, 200, 200]);
    expect(results[4]).toBe(429);
    fake.setLimits({ ...TELEGRAM_FAQ_LIMITS, chatPerSec: 100, chatBurst: 100, globalBurst: 100 });
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await call('sendMessage', { chat_id: -77, text: `g${i}` })).status);
    const groupOk = statuses.filter((s) => s === 200).length;
    expect(groupOk).toBe(20);
    expect(fake.tooManyRequests).toBeGreaterThanOrEqual(3);
  });
});

describe('Bot API stand-in: text checks', () => {
  it("rejects unescaped MarkdownV2 reserved characters with Telegram's description", () => {
    const r = parseMarkdownV2('Pool f2pool.com: -12.5%');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.description).toContain("Character '.' is reserved and must be escaped with the preceding '\\'");
    expect(parseMarkdownV2('Pool f2pool\\.com: \\-12\\.5% \\(1h\\) \\[\\!\\]')).toEqual({
      ok: true,
      plain: 'Pool f2pool.com: -12.5% (1h) [!]',
    });
    expect(parseMarkdownV2('*bold _italic_*')).toMatchObject({ ok: true, plain: 'bold italic' });
    expect(parseMarkdownV2('*bold')).toMatchObject({ ok: false });
  });

  it('checks HTML tags and entities', () => {
    expect(parseHtml('<b>Hash rate</b> &lt;3 &amp; &#36;')).toEqual({ ok: true, plain: 'Hash rate <3 & $' });
    expect(parseHtml('a < b')).toMatchObject({ ok: false });
    expect(parseHtml('x & y')).toMatchObject({ ok: false });
    expect(parseHtml('<b>x</i>')).toMatchObject({ ok: false });
    expect(parseHtml('<b>x')).toMatchObject({
      ok: false,
      description: expect.stringContaining('Can\'t find end tag corresponding to start tag "b"'),
    });
    expect(parseHtml('<script>x</script>')).toMatchObject({ ok: false });
  });

  it('limits text to 4096 characters after entity parsing', () => {
    expect(checkMessageText(`<b>${'a'.repeat(4096)}</b>`, 'HTML').ok).toBe(true);
    expect(checkMessageText('a'.repeat(4097), undefined)).toEqual({
      ok: false,
      description: 'Bad Request: message is too long',
    });
    expect(checkMessageText('<b> </b>', 'HTML')).toEqual({
      ok: false,
      description: 'Bad Request: message text is empty',
    });
  });
});
