/**
 * The one admission both command gates use (platforms/command-budget.ts), and how each platform
 * delivers its decision: Telegram tells an over-budget chat once and then stays silent; Discord
 * answers every interaction (an unanswered one shows the member an error), ephemerally.
 */
import type { Interaction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { CommandAdmission } from '../../src/platforms/command-budget.ts';
import { discordGate, UNAVAILABLE_TEXT } from '../../src/platforms/discord/command-gate.ts';
import { commandGate } from '../../src/platforms/telegram/command-gate.ts';

describe('CommandAdmission', () => {
  it('spends the chat budget first, then needs storage, except for help; a button always needs storage', () => {
    let up = true;
    const a = new CommandAdmission({ budget: { burst: 3, perMinute: 1 }, available: () => up, nowMs: () => 0 });
    expect(a.admit('c', 'status')).toEqual({ kind: 'run' });
    up = false;
    expect(a.admit('c', 'status')).toEqual({ kind: 'unavailable' });
    expect(a.admit('c', 'help')).toEqual({ kind: 'run' });
    expect(a.admit('c', 'help')).toEqual({ kind: 'over', notice: true, retryInSec: 60 });
    expect(a.admit('c', 'help')).toEqual({ kind: 'over', notice: false, retryInSec: 60 });
    expect(a.admit('other', null)).toEqual({ kind: 'unavailable' });
    up = true;
    expect(a.admit('other', null)).toEqual({ kind: 'run' });
  });
});

/** Just what the Discord gate reads from an interaction. */
function interaction(commandName: string, replies: string[], autocomplete = false): Interaction {
  return {
    isAutocomplete: () => autocomplete,
    isChatInputCommand: () => !autocomplete,
    channelId: 'ch1',
    user: { id: 'u1' },
    commandName,
    reply: async (r: { content: string }) => void replies.push(r.content),
    respond: async (choices: unknown[]) => void replies.push(`choices:${choices.length}`),
  } as unknown as Interaction;
}

describe('the two gates over one admission', () => {
  it('Telegram: the slow-down notice once, then silence; Discord: every time', async () => {
    const limits = { budget: { burst: 1, perMinute: 1 }, nowMs: () => 0 };
    const tg = commandGate(limits, silentLogger());
    expect(tg.admit(1, true, 'status')).toBe('run');
    expect(tg.admit(1, true, 'status')).not.toBeNull();
    expect(tg.admit(1, true, 'status')).toBeNull();

    const replies: string[] = [];
    const dc = discordGate(limits, silentLogger());
    expect(await dc(interaction('status', replies))).toBe(false);
    expect(await dc(interaction('status', replies))).toBe(true);
    expect(await dc(interaction('status', replies))).toBe(true);
    expect(replies).toHaveLength(2);
    for (const r of replies) expect(r).toMatch(/slow down, please\. Try again in 60 s/);
  });

  it('Discord with storage down: "temporarily unavailable", /help still runs, autocomplete offers nothing', async () => {
    const replies: string[] = [];
    const dc = discordGate({ available: () => false }, silentLogger());
    expect(await dc(interaction('alert', replies))).toBe(true);
    expect(await dc(interaction('help', replies))).toBe(false);
    expect(await dc(interaction('alert', replies, true))).toBe(true);
    expect(replies).toEqual([UNAVAILABLE_TEXT, 'choices:0']);
  });
});
