/**
 * Alert delivery through the real engine (alertJudge, the real index plan, chain state in Redis)
 * and telegraf's Telegram client against the stand-in's failures: a 429 storm delays but loses
 * nothing, a blocked bot deactivates the subscription, a group that becomes a supergroup keeps
 * its subscription (service message and send-time 400). The alert each time is the replayed
 * chain's retarget at block 951552, told by every subscription's default `retarget` rule.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/subscriptions/service.ts';
import type { FakeChat } from '../fakes/telegram-bot-api.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedChain } from './replayed-chain.ts';
import { ann, annDm, bob, startTelegramWorld, waitFor, type TelegramWorld } from './telegram-harness.ts';

let w: TelegramWorld;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
beforeEach(async () => {
  w = await startTelegramWorld('delivery');
});
afterEach(async () => {
  await w.close();
});

const target = (chatId: number): Target => ({
  platform: 'telegram',
  targetType: 'chat',
  targetId: String(chatId),
  userId: String(ann.id),
});
const alertsTo = (chatId: number, height: number): number =>
  w.fake.sent.filter((m) => m.chatId === chatId && m.plain.includes(`Block ${height}`)).length;

/** The last block of epoch 471 (nothing to tell), then the retarget block. */
async function replayRetarget(): Promise<number> {
  for (const b of replay.slice(RETARGET_HEIGHT - 1, RETARGET_HEIGHT)) await w.block(b);
  return RETARGET_HEIGHT;
}

describe('Telegram delivery failures', () => {
  it('a 429 storm delays delivery but every chat gets its alert exactly once', async () => {
    const chats = Array.from({ length: 20 }, (_, i) => 5000 + i);
    for (const id of chats) await w.app.service.start(target(id), Math.floor(Date.now() / 1000));
    w.fake.injectFailure('*', { kind: 'rate-limit', retryAfterSec: 1 }, 4);
    const t0 = Date.now();
    const h = await replayRetarget();
    await waitFor(() => chats.every((id) => alertsTo(id, h) >= 1), 25_000, 'all alerts');
    expect(w.fake.tooManyRequests).toBe(4);
    // retry_after was honoured: nothing could be delivered before it had passed once.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    await new Promise((r) => setTimeout(r, 300));
    expect(chats.map((id) => alertsTo(id, h))).toEqual(chats.map(() => 1));
    const told = w.fake.sent.filter((m) => chats.includes(m.chatId) && m.plain.includes(`Block ${h}`));
    expect(told.every((m) => m.plain.includes('Difficulty retarget: +1.72 %'))).toBe(true);
  });

  it('deactivates on my_chat_member "kicked" and on 403 at send time; /start restores', async () => {
    await w.fake.ask(annDm, ann, '/start');
    w.fake.blockBot(annDm, ann);
    await waitFor(
      async () => (await w.store.get(w.subIdOf(annDm)))?.active === false,
      5000,
      'deactivation by my_chat_member',
    );

    const bobDm: FakeChat = { id: bob.id, type: 'private' };
    await w.app.service.start({ ...target(bob.id), userId: String(bob.id) }, Math.floor(Date.now() / 1000));
    w.fake.injectFailure(bob.id, { kind: 'blocked' });
    const h = await replayRetarget();
    await waitFor(async () => (await w.store.get(w.subIdOf(bobDm)))?.active === false, 10_000, 'deactivation by 403');
    expect(alertsTo(bob.id, h)).toBe(0);
    expect(alertsTo(ann.id, h)).toBe(0);

    w.fake.clearFailure(ann.id);
    expect((await w.fake.ask(annDm, ann, '/start')).plain).toContain('subscribed already');
    expect((await w.store.get(w.subIdOf(annDm)))?.active).toBe(true);
  });

  it('a group that becomes a supergroup keeps its subscription and rules', async () => {
    const group: FakeChat = { id: -4002, type: 'group', title: 'Farm' };
    w.fake.setAdmin(group.id, ann.id);
    await w.fake.ask(group, ann, '/start');
    await w.fake.ask(group, ann, '/alert hashprice-below 40');
    const sup = w.fake.migrateGroup(group, -1_004_002, ann);
    await waitFor(async () => (await w.store.get(w.subIdOf(sup))) !== null, 5000, 'moved subscription');
    expect(await w.store.get(w.subIdOf(group))).toBeNull();
    expect((await w.store.listRules(w.subIdOf(sup))).map((r) => r.kind)).toEqual([
      'retarget',
      'hashrate-drop',
      'retarget-estimate',
      'hashprice-below',
    ]);

    // Send-time migration: the first alert to the old id gets 400 migrate_to_chat_id.
    const old: FakeChat = { id: -4003, type: 'group' };
    await w.app.service.start(target(old.id), Math.floor(Date.now() / 1000));
    w.fake.injectFailure(old.id, { kind: 'migrate', toChatId: -1_004_003 });
    const h = await replayRetarget();
    await waitFor(() => alertsTo(-1_004_003, h) === 1, 10_000, 'alert in the supergroup');
    await waitFor(() => alertsTo(sup.id, h) === 1, 10_000, 'alert in the moved group');
    expect(await w.store.get(w.subIdOf(old))).toBeNull();
    expect((await w.store.get(w.subIdOf({ id: -1_004_003, type: 'supergroup' })))?.active).toBe(true);
  });
});
