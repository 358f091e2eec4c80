/**
 * Isolation inside the Telegram pacer (issue 15, item 2): a chat's long wait is booked for the
 * message handed back (block order per chat), alerts go before replies, replies leave part of a
 * group's window to alerts; and the per-chat command budget.
 */
import { describe, expect, it } from 'vitest';
import { CommandBudget } from '../../../src/platforms/command-budget.ts';
import {
  TELEGRAM_LIMITS,
  TelegramPacer,
  realClock,
  type PacerClock,
  type TelegramLimits,
} from '../../../src/platforms/telegram/pacer.ts';

/** A clock that only moves when someone sleeps (sequential use only). */
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

const GROUP = -100;

describe('TelegramPacer isolation', () => {
  it('books the slot of an alert handed back, so the chat’s next alert queues behind it and the returning one goes at once', async () => {
    const clock = fakeClock();
    const limits: TelegramLimits = { ...TELEGRAM_LIMITS, groupPerMin: 3 };
    const p = new TelegramPacer(limits, clock);
    for (let i = 0; i < 3; i++) expect(await p.acquire(GROUP, Number.POSITIVE_INFINITY)).toBe(0);
    const booked = clock.t;
    const waitA = await p.acquire(GROUP, undefined, { ticket: 'block-1' });
    expect(waitA).toBeGreaterThan(limits.maxInlineWaitMs);
    const waitB = await p.acquire(GROUP, undefined, { ticket: 'block-2' });
    // block 2 is behind block 1's booking (the group window lets one more in a minute later)
    expect(waitB).toBeGreaterThan(waitA);
    // without a ticket nothing is booked: the same answer twice
    const probe = await p.acquire(GROUP);
    expect(await p.acquire(GROUP)).toBe(probe);
    // back too early: still told to wait, booking kept
    expect(await p.acquire(GROUP, undefined, { ticket: 'block-1' })).toBe(waitA);
    clock.t += waitA;
    const t0 = clock.t;
    expect(await p.acquire(GROUP, undefined, { ticket: 'block-1' })).toBe(0);
    expect(clock.t - t0).toBeLessThan(100); // its slot was kept: no second queueing
    // block 2 returns a second behind it (one chat slot) and uses its own booking
    const t1 = clock.t;
    expect(await p.acquire(GROUP, undefined, { ticket: 'block-2' })).toBe(0);
    expect(clock.t - t1).toBeGreaterThanOrEqual(limits.chatIntervalMs - 100);
    expect(clock.t - booked).toBeGreaterThanOrEqual(waitB); // exactly where it was booked (plus the global spacing)
    expect(clock.t - booked).toBeLessThan(waitB + 100);
  });

  it('replies may use only part of a group window: an alert still gets a slot at once', async () => {
    const clock = fakeClock();
    const p = new TelegramPacer({ ...TELEGRAM_LIMITS, alertReservePerMin: 5 }, clock);
    let replies = 0;
    while ((await p.acquire(GROUP, 30_000, { kind: 'reply' })) === 0) replies++;
    expect(replies).toBe(15);
    const t0 = clock.t;
    expect(await p.acquire(GROUP)).toBe(0);
    expect(clock.t - t0).toBeLessThanOrEqual(TELEGRAM_LIMITS.chatIntervalMs);
  });

  it('an alert waiting for its chat goes before a reply that was waiting first', async () => {
    const p = new TelegramPacer({ ...TELEGRAM_LIMITS, chatIntervalMs: 150 }, realClock);
    const order: string[] = [];
    expect(await p.acquire(7)).toBe(0); // the chat's slot is taken for 150 ms
    const reply = p.acquire(7, 30_000, { kind: 'reply' }).then(() => order.push('reply'));
    await new Promise((r) => setTimeout(r, 20));
    const alert = p.acquire(7).then(() => order.push('alert'));
    await Promise.all([reply, alert]);
    expect(order).toEqual(['alert', 'reply']);
  });
});

describe('CommandBudget', () => {
  it('answers a burst, tells the chat once when it is spent, then stays silent until a command is earned back', () => {
    let now = 0;
    const b = new CommandBudget({ burst: 3, perMinute: 6 }, () => now);
    expect([b.take('g'), b.take('g'), b.take('g')].map((d) => d.kind)).toEqual(['run', 'run', 'run']);
    expect(b.take('g')).toEqual({ kind: 'notice', retryInSec: 10 });
    for (let i = 0; i < 20; i++) expect(b.take('g').kind).toBe('silent');
    expect(b.take('other').kind).toBe('run'); // another chat never pays
    now += 10_000;
    expect(b.take('g').kind).toBe('run');
    expect(b.take('g')).toEqual({ kind: 'notice', retryInSec: 10 });
  });

  it('refuses a budget that could never run a command', () => {
    expect(() => new CommandBudget({ burst: 0, perMinute: 6 })).toThrow(RangeError);
  });
});
