/**
 * Issue 15, the group-spam half of the hostile suite: a plain member floods a subscribed group
 * with /status, then a block fires alerts for that group and 24 unrelated private chats — through
 * the real telegraf, the real engine and a stand-in that enforces Telegram's flood limits with
 * real 429 bodies. Each case measures a control run (same world, no spam) in the same test and
 * requires the unrelated chats' alert latency to stay within 2 s of it, nothing lost or sent
 * twice, no 429, and the group's own alert ahead of its pending replies.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_BUDGET, type CommandBudgetLimits } from '../../src/platforms/command-budget.ts';
import { TELEGRAM_LIMITS, type TelegramLimits } from '../../src/platforms/telegram/pacer.ts';
import type { FakeChat } from '../fakes/telegram-bot-api.ts';
import { TELEGRAM_FAQ_LIMITS, type FakeLimits } from '../fakes/telegram-limits.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedChain } from './replayed-chain.ts';
import { ann, bob, drained, startTelegramWorld, waitFor } from './telegram-harness.ts';

let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});

const GROUP: FakeChat = { id: -7001, type: 'group', title: 'Farm' };
const PRIVATE = Array.from({ length: 24 }, (_, i) => 7101 + i);
const SPAM = 25;

interface Limits {
  fake: FakeLimits;
  pacer: TelegramLimits;
  budget: CommandBudgetLimits;
}
interface Measured {
  /** ms from the block entering to each private chat's alert at the stand-in. */
  privateMs: number[];
  groupMs: number;
  /** Alerts per chat (group first). */
  alerts: number[];
  /** What the group saw, in order: 'alert', 'notice' or 'reply'. */
  groupSeq: string[];
  /** Replies (and notices) the group received after the block entered but before its alert. */
  repliesAheadOfAlert: number;
  http429: number;
}

/** One world: subscribe, (spam), fire the retarget block, measure, wait for the replies, close. */
async function run(
  name: string,
  limits: Limits,
  spam: null | { repliesFirst: number; answered: number },
): Promise<Measured> {
  const w = await startTelegramWorld(`hostile-${name}`, {
    fakeLimits: limits.fake,
    botLimits: limits.pacer,
    gate: { budget: limits.budget },
  });
  try {
    const now = Math.floor(Date.now() / 1000);
    await w.app.service.start(
      { platform: 'telegram', targetType: 'chat', targetId: String(GROUP.id), userId: String(ann.id) },
      now,
    );
    for (const id of PRIVATE)
      await w.app.service.start(
        { platform: 'telegram', targetType: 'chat', targetId: String(id), userId: String(id) },
        now,
      );
    const [before, retarget] = replay.slice(RETARGET_HEIGHT - 1, RETARGET_HEIGHT);
    await w.block(before!); // the tip /status reads; nothing to tell yet
    await drained(w);
    const inGroup = () => w.fake.sent.filter((m) => m.chatId === GROUP.id);
    if (spam !== null) {
      for (let i = 0; i < SPAM; i++) w.fake.sendUserMessage(GROUP, bob, '/status');
      await waitFor(() => inGroup().length >= spam.repliesFirst, 20_000, 'the first replies to the spam');
    }
    // The retarget alert (a /status answered after the block came in names the block too).
    const isAlert = (text: string) =>
      text.includes(`Block ${RETARGET_HEIGHT}`) && /Difficulty retarget: [+−-]/.test(text);
    const arrived = (chatId: number) => w.fake.sent.find((m) => m.chatId === chatId && isAlert(m.plain))?.atMs;
    const t0 = Date.now();
    await w.block(retarget!);
    const all = [GROUP.id, ...PRIVATE];
    await waitFor(() => all.every((id) => arrived(id) !== undefined), 40_000, 'every alert');
    const notAlerts = () => inGroup().filter((m) => !isAlert(m.plain)).length;
    if (spam !== null) {
      await waitFor(() => notAlerts() >= spam.answered + 1, 60_000, 'the answers and the budget reply').catch(
        (e: unknown) => {
          const seen = inGroup().map((m) => m.plain.slice(0, 30));
          const refused = w.fake.calls.filter((c) => c.status !== 200).map((c) => `${c.method} ${c.status}`);
          throw new Error(
            `${String(e)}; the group saw ${JSON.stringify(seen)}; refused calls ${JSON.stringify(refused)}`,
          );
        },
      );
    }
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would show by now
    return {
      privateMs: PRIVATE.map((id) => arrived(id)! - t0),
      groupMs: arrived(GROUP.id)! - t0,
      alerts: all.map((id) => w.fake.sent.filter((m) => m.chatId === id && isAlert(m.plain)).length),
      groupSeq: inGroup().map((m) => (isAlert(m.plain) ? 'alert' : /slow down/i.test(m.plain) ? 'notice' : 'reply')),
      http429: w.fake.tooManyRequests,
      repliesAheadOfAlert: inGroup().filter((m) => !isAlert(m.plain) && m.atMs > t0 && m.atMs < arrived(GROUP.id)!)
        .length,
    };
  } finally {
    await w.close();
  }
}

/** Control and spam runs under the same limits; the assertions both cases share. */
async function compare(
  name: string,
  limits: Limits,
  repliesFirst: number,
): Promise<{ control: Measured; spammed: Measured }> {
  const control = await run(`${name}-control`, limits, null);
  const spammed = await run(`${name}-spam`, limits, { repliesFirst, answered: limits.budget.burst });
  const worst = (m: Measured) => Math.max(...m.privateMs);
  console.info(
    JSON.stringify({
      case: name,
      controlWorstPrivateMs: worst(control),
      spamWorstPrivateMs: worst(spammed),
      controlGroupMs: control.groupMs,
      spamGroupMs: spammed.groupMs,
      groupSeq: spammed.groupSeq.join(','),
      repliesAheadOfAlert: spammed.repliesAheadOfAlert,
    }),
  );
  // Unrelated chats do not pay for the group's spam.
  expect(worst(spammed)).toBeLessThanOrEqual(worst(control) + 2000);
  // Nothing lost, nothing twice, never over Telegram's limits.
  expect(spammed.alerts).toEqual([1, ...PRIVATE.map(() => 1)]);
  expect(control.alerts).toEqual(spammed.alerts);
  expect([control.http429, spammed.http429]).toEqual([0, 0]);
  // The group's own alert is not starved by its replies: it takes the chat's next free slot,
  // ahead of every reply still pending (at most the one already holding the slot goes first).
  expect(spammed.repliesAheadOfAlert).toBeLessThanOrEqual(1);
  // The budget: its answers, one polite reply, then silence.
  expect(spammed.groupSeq.filter((s) => s === 'notice')).toHaveLength(1);
  expect(spammed.groupSeq.filter((s) => s === 'reply')).toHaveLength(limits.budget.burst);
  return { control, spammed };
}

describe('a plain member spamming commands in a subscribed group', () => {
  it('with Telegram’s limits and the production command budget: a few answers, one "slow down", alerts on time everywhere', async () => {
    const { spammed } = await compare(
      'faq',
      { fake: TELEGRAM_FAQ_LIMITS, pacer: TELEGRAM_LIMITS, budget: COMMAND_BUDGET },
      1,
    );
    expect(spammed.groupSeq.length).toBe(COMMAND_BUDGET.burst + 2); // answers, the notice, the alert
  }, 120_000);

  it('when the group’s own window is spent, only the group waits: its alert is delayed alone, the queue is never paused', async () => {
    // A short group window (5 per 10 s, at the stand-in and in the pacer, replies may take all of
    // it) so the group's alert must wait longer than the pacer serves inline.
    const window = { groupPerMin: 5, groupWindowMs: 10_000 };
    const limits: Limits = {
      fake: { ...TELEGRAM_FAQ_LIMITS, ...window },
      pacer: { ...TELEGRAM_LIMITS, ...window, alertReservePerMin: 0 },
      budget: { burst: 5, perMinute: 1 },
    };
    const { control, spammed } = await compare('window', limits, 5);
    // the group itself did wait for its window (it was delayed, not sent over the limit)
    expect(spammed.groupMs).toBeGreaterThan(control.groupMs + TELEGRAM_LIMITS.maxInlineWaitMs);
  }, 120_000);
});
