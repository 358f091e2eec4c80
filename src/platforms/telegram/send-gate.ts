/**
 * Puts a telegraf client's message-posting requests (sendMessage, sendPhoto, copy…, forward…)
 * through the platform's send gate (platforms/send-timeline.ts): each takes its slot on the
 * global timeline when it leaves, whichever code path sends it (an alert, its text fallback, a
 * re-upload, a reply). Other calls (getUpdates, answerCallbackQuery, getChat…) are not messages
 * and pass untouched.
 */
import type { Telegram } from 'telegraf';
import type { SendGate } from '../send-timeline.ts';

/** Bot API methods that post a message (sendChatAction only shows "typing…"). */
export function postsMessage(method: string): boolean {
  return /^(send|copy|forward)/i.test(method) && !/^sendChatAction$/i.test(method);
}

/**
 * Wraps `telegram.callApi` in place (one client per use: the notifier's, the bot's) and returns it.
 * `first`: these requests go ahead of the others waiting in this process (the bot's replies).
 */
export function gateTelegram(telegram: Telegram, gate: SendGate, opts: { readonly first?: boolean } = {}): Telegram {
  const callApi = telegram.callApi.bind(telegram);
  const gated = (method: string, payload: unknown, extra?: unknown): Promise<unknown> =>
    postsMessage(method)
      ? gate.run(
          () => (callApi as (m: string, p: unknown, e?: unknown) => Promise<unknown>)(method, payload, extra),
          opts,
        )
      : (callApi as (m: string, p: unknown, e?: unknown) => Promise<unknown>)(method, payload, extra);
  telegram.callApi = gated as typeof telegram.callApi;
  return telegram;
}
