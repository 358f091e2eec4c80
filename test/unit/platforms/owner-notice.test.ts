/**
 * The engine tells an owner why alerts stopped as an id (alerting/problems.ts OwnerNotice); each
 * platform words it in its own syntax: Telegram's /start, Discord's `/start` in the channel, and
 * no chat command at all on the console.
 */
import { describe, expect, it } from 'vitest';
import type { OwnerNotice } from '../../../src/alerting/problems.ts';
import { consoleOwnerNotice } from '../../../src/platforms/console/console-notifier.ts';
import { discordOwnerNotice } from '../../../src/platforms/discord/problem-words.ts';
import { telegramOwnerNotice } from '../../../src/platforms/telegram/problem-words.ts';

const paused: OwnerNotice = { notice: 'delivery-paused', params: { reason: 'Missing Access' } };

describe('the delivery-paused owner notice', () => {
  it('each platform says why and how alerts resume, in its own syntax', () => {
    expect(telegramOwnerNotice(paused)).toBe(
      'I could not deliver alerts here (Missing Access); alerts are paused until you /start again.',
    );
    const discord = discordOwnerNotice(paused);
    expect(discord).toContain('(Missing Access)');
    expect(discord).toContain('`/start`');
    expect(discord).not.toMatch(/you \/start/);
    const console = consoleOwnerNotice(paused);
    expect(console).toContain('(Missing Access)');
    expect(console).not.toContain('/');
  });
});
