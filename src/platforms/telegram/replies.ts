/**
 * Sends interactive replies (command answers, button follow-ups). They are not BullMQ jobs, so a
 * 429 or a group migration is retried here, a few times. A reply with a chart goes as one
 * sendPhoto with the text as caption when it fits (1,024 characters); a longer text goes first
 * and the picture follows uncaptioned. A refused picture, or a chart that cannot be drawn, leaves
 * the text exactly as without charts.
 */
import type { Telegram } from 'telegraf';
import type { Logger } from '../../observability/logger.ts';
import type { ChartPicture } from '../chart-picture.ts';
import { classifyTelegramError, isPhotoRefused } from './errors.ts';
import type { Reply } from './handlers.ts';
import { fitsCaption } from './html.ts';
import type { TelegramPacer } from './pacer.ts';

const REPLY_ATTEMPTS = 3;
/** A chat whose next reply slot is further away than this is flooding us: its reply is dropped. */
export const MAX_REPLY_WAIT_MS = 30_000;

type Send = (chatId: number) => Promise<unknown>;

/**
 * The bot's reply function; one per bot so replies share its pacer with alerts (both count
 * against the same per-chat and group limits) as `kind: 'reply'`: an alert waiting for the
 * chat goes first, and replies leave part of a group's window to alerts.
 */
export function replySender(
  telegram: Telegram,
  pacer: TelegramPacer,
  log: Logger,
): (chatId: number, reply: Reply) => Promise<void> {
  /** One request, paced and retried; resolves with the chat it reached (after a migration) or null. */
  async function attempt(chatId: number, send: Send): Promise<number | null> {
    let target = chatId;
    for (let n = 1; ; n++) {
      const waitMs = await pacer.acquire(target, MAX_REPLY_WAIT_MS, { kind: 'reply' });
      if (waitMs > 0) {
        log.warn({ chatId: target, waitMs }, 'reply dropped: chat is over its message limit');
        return null;
      }
      try {
        await send(target);
        return target;
      } catch (e) {
        const f = classifyTelegramError(e, String(target));
        if (f.kind === 'rate-limited' && n < REPLY_ATTEMPTS) {
          pacer.backOff(target, f.context.retryAfterMs ?? 1000);
          continue;
        }
        if (f.context.migrateToId !== undefined && n < REPLY_ATTEMPTS) {
          target = Number(f.context.migrateToId);
          continue;
        }
        log.warn({ err: f, chatId: target }, 'reply not delivered');
        return null;
      }
    }
  }

  const markupOf = (reply: Reply) =>
    reply.buttons !== undefined && reply.buttons.length > 0
      ? {
          reply_markup: {
            inline_keyboard: reply.buttons.map((row) =>
              row.map((b) =>
                b.url !== undefined ? { text: b.text, url: b.url } : { text: b.text, callback_data: b.data },
              ),
            ),
          },
        }
      : {};
  const text =
    (reply: Reply): Send =>
    (chatId) =>
      telegram.sendMessage(chatId, reply.html.value, {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...markupOf(reply),
      });
  const photo =
    (p: ChartPicture, caption?: Reply): Send =>
    (chatId) =>
      telegram.sendPhoto(
        chatId,
        { source: p.png, filename: p.filename },
        caption === undefined ? {} : { caption: caption.html.value, parse_mode: 'HTML', ...markupOf(caption) },
      );

  return async (chatId, reply) => {
    const picture = reply.chart === undefined ? null : await reply.chart();
    if (picture !== null && fitsCaption(reply.html)) {
      await attempt(chatId, async (t) => {
        try {
          return await photo(picture, reply)(t);
        } catch (e) {
          if (!isPhotoRefused(e)) throw e;
          log.warn(
            { err: classifyTelegramError(e, String(t)), chart: picture.kind },
            'telegram refused the chart; replying with the text alone',
          );
          return text(reply)(t);
        }
      });
      return;
    }
    const reached = await attempt(chatId, text(reply));
    if (picture !== null && reached !== null) await attempt(reached, photo(picture));
  };
}
