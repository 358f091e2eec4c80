/**
 * Every Telegram request that posts a message passes the send gate (src/platforms/telegram/
 * send-gate.ts), whichever path sends it; the rest of the Bot API does not wait there.
 */
import type { Telegram } from 'telegraf';
import { describe, expect, it } from 'vitest';
import type { SendGate } from '../../../src/platforms/send-timeline.ts';
import { gateTelegram, postsMessage } from '../../../src/platforms/telegram/send-gate.ts';

describe('gateTelegram', () => {
  it('puts message requests, and only those, through the gate (replies first when asked)', async () => {
    const gated: Array<{ method: string; first: boolean }> = [];
    let current = '';
    const gate: SendGate = {
      run: async (request, opts) => {
        gated.push({ method: current, first: opts?.first === true });
        return request();
      },
    };
    const called: string[] = [];
    const client = {
      callApi: async (method: string) => {
        called.push(method);
        return { ok: method };
      },
    };
    const wrapped = gateTelegram(client as unknown as Telegram, gate, { first: true });
    for (const m of [
      'sendMessage',
      'sendPhoto',
      'copyMessage',
      'getUpdates',
      'answerCallbackQuery',
      'sendChatAction',
    ]) {
      current = m;
      expect(await (wrapped.callApi as unknown as (m: string, p: unknown) => Promise<unknown>)(m, {})).toEqual({
        ok: m,
      });
    }
    expect(called).toEqual([
      'sendMessage',
      'sendPhoto',
      'copyMessage',
      'getUpdates',
      'answerCallbackQuery',
      'sendChatAction',
    ]);
    expect(gated).toEqual([
      { method: 'sendMessage', first: true },
      { method: 'sendPhoto', first: true },
      { method: 'copyMessage', first: true },
    ]);
  });

  it('names the posting methods', () => {
    expect(['sendMessage', 'sendPhoto', 'sendDocument', 'forwardMessage'].every(postsMessage)).toBe(true);
    expect(['getMe', 'editMessageText', 'sendChatAction', 'setMyCommands'].some(postsMessage)).toBe(false);
  });
});
