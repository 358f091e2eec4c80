/**
 * Webhook mode, once: setWebhook registers the public URL with the secret token, updates POSTed
 * with the right secret are answered, a request with a wrong secret is refused and ignored.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ok } from '../../src/alerting/result.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createTelegramBot, type TelegramBot } from '../../src/platforms/telegram/bot.ts';
import { SubscriptionUseCases } from '../../src/subscriptions/use-cases.ts';
import { MemorySubscriptionStore } from '../fakes/memory-stores.ts';
import { FakeTelegramBotApi, type FakeChat } from '../fakes/telegram-bot-api.ts';

let fake: FakeTelegramBotApi;
let bot: TelegramBot;
const store = new MemorySubscriptionStore();
beforeEach(async () => {
  fake = await FakeTelegramBotApi.start();
  const service = new SubscriptionUseCases({
    store,
    latestSnapshot: async () => null,
    preview: async () =>
      ok({
        fromHeight: 1,
        toHeight: 2,
        fromSec: 0,
        toSec: 600,
        firings: 0,
        resolutions: 0,
        recent: [],
        source: 'fixture',
      }),
  });
  bot = createTelegramBot({
    token: fake.token,
    apiRoot: fake.apiRoot,
    service,
    logger: silentLogger(),
    webhook: { url: 'https://bot.example.org/tg/hook', secretToken: 'Sec_ret-42', port: 0 },
  });
  await bot.start();
  fake.webhookTarget = `http://127.0.0.1:${bot.webhookPort()}`;
});
afterEach(async () => {
  await bot.stop();
  await fake.close();
});

it('receives updates by webhook, checking the secret token', async () => {
  expect(fake.webhook).toEqual({ url: 'https://bot.example.org/tg/hook', secretToken: 'Sec_ret-42' });
  const chat: FakeChat = { id: 77, type: 'private' };
  const reply = await fake.ask(chat, { id: 77, first_name: 'Wes' }, '/status');
  expect(reply.plain).toContain('No chain data yet');

  const forged = await fetch(`${fake.webhookTarget}/tg/hook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
    body: JSON.stringify({
      update_id: 999,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: 78, type: 'private' },
        from: { id: 78, is_bot: false, first_name: 'M' },
        text: '/start',
        entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      },
    }),
  });
  expect(forged.status).toBe(403);
  await new Promise((r) => setTimeout(r, 200));
  expect(fake.sent.filter((m) => m.chatId === 78)).toHaveLength(0);
  expect(await store.get('telegram-chat-78')).toBeNull();
});
