/**
 * Issue 14 on Telegram, end to end (telegraf against the stand-in, the real engine, Redis):
 * - one sendPhoto per alert, and one upload per picture: the second recipient of the same chart
 *   gets it by the file_id of the first upload (shared through Redis), a failed first upload
 *   leaves the next recipient to upload;
 * - the operator's broadcast channel (BROADCAST_TELEGRAM_CHAT): subscribed at start with the
 *   default rules, one post per alert reaches every reader, /start in a private chat offers it;
 * - permission loss: demoted (my_chat_member) the channel pauses, promoted it resumes; a post
 *   refused for lack of rights is permanent (the subscription pauses, nothing is retried);
 * - paid broadcast: alerts carry allow_paid_broadcast.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChartPointRing, ChartService } from '../../src/charts/index.ts';
import { BROADCAST_OWNER } from '../../src/alerting/broadcast.ts';
import type { FakeChannel, FakeChat, FakeUser } from '../fakes/telegram-bot-api.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedChain } from './replayed-chain.ts';
import {
  ann,
  annDm,
  bob,
  startTelegramWorld,
  waitFor,
  type TelegramWorld,
  type WorldOptions,
} from './telegram-harness.ts';

let w: TelegramWorld | undefined;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const bobDm: FakeChat = { id: bob.id, type: 'private' };
const owner: FakeUser = { id: 1009, first_name: 'Operator' };
const CHANNEL: FakeChannel = {
  id: -1001234567890,
  title: 'hashbell alerts',
  username: 'hashbell_alerts',
  subscribers: 25_000,
};

/** A world with charts fed from the replayed blocks. */
async function world(
  name: string,
  opts: WorldOptions = {},
): Promise<{ world: TelegramWorld; feed(from: number, to: number): Promise<void> }> {
  const history = new ChartPointRing();
  w = await startTelegramWorld(name, { charts: new ChartService({ history }), ...opts });
  const wld = w;
  return {
    world: wld,
    feed: async (from, to) => {
      for (const b of replay.slice(from, to)) {
        history.push(b.snapshot);
        await wld.block(b);
      }
    },
  };
}

const retargetTo = (chatId: number) => (m: { chatId: number; plain: string }) =>
  m.chatId === chatId && m.plain.includes(`Block ${RETARGET_HEIGHT}`);

describe('Telegram: one message per alert, one upload per picture', () => {
  it('two recipients of the same chart: one upload, the second by the first one’s file_id', async () => {
    const { world: wd, feed } = await world('tg-reuse');
    const { fake } = wd;
    await fake.ask(annDm, ann, '/start');
    await fake.ask(bobDm, bob, '/start');
    const since = fake.sent.length;
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const a = await fake.waitForBotMessage(retargetTo(ann.id), { since, timeoutMs: 20_000 });
    const b = await fake.waitForBotMessage(retargetTo(bob.id), { since, timeoutMs: 20_000 });
    expect([a.method, b.method]).toEqual(['sendPhoto', 'sendPhoto']);
    await new Promise((r) => setTimeout(r, 300));
    // Exactly one request per alert (nothing else reached either chat for this block).
    expect(fake.sent.slice(since).filter((m) => m.chatId === ann.id || m.chatId === bob.id)).toHaveLength(2);
    expect([fake.photoUploads, fake.photoReuses]).toEqual([1, 1]);
    const [first, second] = a.fileId === undefined ? [a, b] : [b, a];
    expect(second.fileId).toBe(`photo-${first.chatId}-${first.messageId}`);
    expect(second.photo?.data.equals(first.photo!.data)).toBe(true);
  });

  it('the first upload fails (502): the next delivery uploads, the retried one reuses it', async () => {
    const { world: wd, feed } = await world('tg-upload-fails');
    const { fake } = wd;
    await fake.ask(annDm, ann, '/start');
    await fake.ask(bobDm, bob, '/start');
    const since = fake.sent.length;
    fake.failMethod('sendPhoto', 502, 'Bad Gateway', 1);
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    await fake.waitForBotMessage(retargetTo(ann.id), { since, timeoutMs: 20_000 });
    await fake.waitForBotMessage(retargetTo(bob.id), { since, timeoutMs: 20_000 });
    const photoCalls = fake.calls.filter((c) => c.method.toLowerCase() === 'sendphoto');
    expect(photoCalls.map((c) => c.status)).toEqual([502, 200, 200]);
    expect([fake.photoUploads, fake.photoReuses]).toEqual([1, 1]);
  });
});

describe('Telegram broadcast channel (BROADCAST_TELEGRAM_CHAT)', () => {
  it('subscribed at start with the default rules; one post reaches the channel; /start offers it', async () => {
    const { world: wd, feed } = await world('tg-channel', {
      broadcastChat: '@hashbell_alerts',
      prepare: (f) => f.addChannel(CHANNEL),
    });
    const { fake, store } = wd;
    const subId = wd.subIdOf({ id: CHANNEL.id, type: 'group' });
    await waitFor(async () => (await store.get(subId))?.active === true, 10_000);
    const sub = await store.get(subId);
    expect(sub?.ownerId).toBe(BROADCAST_OWNER);
    expect((await store.listRules(subId)).map((r) => r.kind).sort()).toEqual([
      'hashrate-drop',
      'retarget',
      'retarget-estimate',
    ]);

    const start = await fake.ask(annDm, ann, '/start');
    expect(start.plain).toContain('@hashbell_alerts');
    const buttons = (start.replyMarkup?.['inline_keyboard'] ?? []) as Array<Array<{ url?: string }>>;
    expect(buttons.flat().some((b) => b.url === 'https://t.me/hashbell_alerts')).toBe(true);

    const since = fake.sent.length;
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const post = await fake.waitForBotMessage(retargetTo(CHANNEL.id), { since, timeoutMs: 20_000 });
    expect(post.method).toBe('sendPhoto');
    await fake.waitForBotMessage(retargetTo(ann.id), { since, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.slice(since).filter((m) => m.chatId === CHANNEL.id)).toHaveLength(1);
  });

  it('demoted the channel pauses (my_chat_member), promoted it resumes; a refused post is permanent', async () => {
    const { world: wd, feed } = await world('tg-channel-rights', {
      broadcastChat: String(CHANNEL.id),
      prepare: (f) => f.addChannel(CHANNEL),
    });
    const { fake, store } = wd;
    const subId = wd.subIdOf({ id: CHANNEL.id, type: 'group' });
    await waitFor(async () => (await store.get(subId))?.active === true, 10_000);

    fake.setChannelBot(CHANNEL, owner, 'administrator', false); // can no longer post
    await waitFor(async () => (await store.get(subId))?.active === false, 10_000);
    fake.setChannelBot(CHANNEL, owner, 'administrator', true);
    await waitFor(async () => (await store.get(subId))?.active === true, 10_000);

    // Rights lost without an update reaching the bot: the post is refused, which is permanent.
    fake.channels.setBot(CHANNEL.id, 'member');
    const since = fake.calls.length;
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    await waitFor(async () => (await store.get(subId))?.active === false, 20_000);
    const refused = fake.calls.slice(since).filter((c) => Number(c.params['chat_id']) === CHANNEL.id);
    expect(refused.map((c) => c.status)).toEqual([400]); // tried once, not retried
    expect(fake.sent.filter((m) => m.chatId === CHANNEL.id)).toHaveLength(0);
  });

  it('commands typed in the channel: /start and /help say what it is, /status answers, changes are refused', async () => {
    const { world: wd } = await world('tg-channel-cmds', {
      broadcastChat: '@hashbell_alerts',
      prepare: (f) => f.addChannel(CHANNEL),
    });
    const { fake, store } = wd;
    const subId = wd.subIdOf({ id: CHANNEL.id, type: 'group' });
    await waitFor(async () => (await store.get(subId))?.active === true, 10_000);
    const inChannel = async (text: string) => {
      const since = fake.sent.length;
      fake.postInChannel(CHANNEL, text);
      return fake.waitForBotMessage((m) => m.chatId === CHANNEL.id, { since });
    };
    const start = await inChannel('/start');
    expect(start.plain).toContain("@hashbell_alerts is hashbell's broadcast channel");
    expect(start.plain).toContain('Posting');
    expect(start.plain).toMatch(/• 1 .*retarget/);
    expect(start.plain).toMatch(/private chat with me: https:\/\/t\.me\/\w+/);
    expect((await inChannel('/help')).plain).toContain('/status, /retarget and /hashprice');
    const refused = await inChannel('/alert hashprice-below 40');
    expect(refused.plain).toContain('not changed from the channel');
    expect((await inChannel('/stop')).plain).toContain('not changed from the channel');
    expect((await store.listRules(subId)).map((r) => r.kind).sort()).toEqual([
      'hashrate-drop',
      'retarget',
      'retarget-estimate',
    ]);
    expect((await store.get(subId))?.ownerId).toBe(BROADCAST_OWNER);
    expect((await inChannel('/alerts')).plain).toContain('Your alerts (3)');
  });

  it('another channel: a post is an administrator’s command (/start subscribes it); a reader’s button press is refused', async () => {
    const OTHER: FakeChannel = { id: -1009876543210, title: 'a pool’s news', subscribers: 300 };
    const { world: wd } = await world('tg-other-channel', { prepare: (f) => f.addChannel(OTHER) });
    const { fake, store } = wd;
    const since = fake.sent.length;
    fake.postInChannel(OTHER, '/start');
    const start = await fake.waitForBotMessage((m) => m.chatId === OTHER.id, { since });
    expect(start.plain).toContain('Welcome to hashbell');
    const subId = wd.subIdOf({ id: OTHER.id, type: 'group' });
    expect((await store.listRules(subId)).length).toBe(3);
    // A reader (not an administrator) presses a quick-rule button under that post: refused.
    fake.pressButton(
      { id: OTHER.id, type: 'channel' } as unknown as FakeChat,
      bob,
      start.messageId,
      'add:hashprice-below 40',
    );
    await waitFor(() => fake.answeredCallbacks.some((a) => /administrators/.test(a.text ?? '')), 10_000, 'the refusal');
    expect((await store.listRules(subId)).length).toBe(3);
  });

  it('paid broadcast: alerts go with allow_paid_broadcast', async () => {
    const { world: wd, feed } = await world('tg-paid', { paidBroadcast: true });
    const { fake } = wd;
    await fake.ask(annDm, ann, '/start');
    const since = fake.sent.length;
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const alert = await fake.waitForBotMessage(retargetTo(ann.id), { since, timeoutMs: 20_000 });
    expect(alert.paid).toBe(true);
    // Replies to commands are not broadcasts: they stay free.
    expect((await fake.ask(annDm, ann, '/help')).paid).toBeUndefined();
  });
});
