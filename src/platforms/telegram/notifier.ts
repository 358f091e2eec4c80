/**
 * Delivers alert messages to Telegram chats (the engine's Notifier). One delivery is one
 * request, so BullMQ's retry of a failed job never repeats a half-sent message.
 *
 * Charts (optional `charts`): when the alert has a picture and its text fits a caption (1,024
 * characters after parsing), the delivery is ONE sendPhoto with the text as caption; a refused
 * picture falls back to sendMessage in the same attempt. A longer text is delivered by
 * sendMessage exactly as without charts, and only after it succeeded the photo follows with a
 * short caption, best effort: its failure is logged, never thrown, so a retry (which happens only
 * when the text itself failed, i.e. nothing reached the chat) never sends anything twice.
 *
 * - Pacing: TelegramPacer spaces sends (30/s, 1/s per chat, 20/min per group); a long per-chat
 *   wait comes back as 'rate-limited' with scope 'chat' and retryAfterMs: the deliver processor
 *   delays that one job (the queue keeps going), and the pacer has booked the chat's slot for
 *   it under the message's key, so the chat's later messages stay behind it.
 * - 429 → 'rate-limited' (retry_after, platform scope: the queue pauses), and the pacer holds
 *   that chat back meanwhile.
 * - 403 blocked/kicked/deactivated, 400 chat not found → 'permanent' (the engine deactivates).
 * - 400 with migrate_to_chat_id → 'permanent' carrying migrateToId: the engine moves the
 *   subscription (SubscriptionService.migrate) and resends to the supergroup.
 * - entity/length refusals are rendering bugs: 'permanent' and an error log line.
 * - 5xx, network, 401 → 'retryable'. No retry happens here: BullMQ is the one retry layer.
 */
import { DeliveryError, type Notifier, type OutboundMessage } from '../../alerting/ports.ts';
import type { Subscription } from '../../alerting/types.ts';
import type { Logger } from '../../observability/logger.ts';
import { alertChart, type ChartDeps, type ChartPicture } from '../chart-picture.ts';
import { classifyTelegramError, isPhotoRefused, isRenderingBug } from './errors.ts';
import { escapeHtml, fitsCaption, html, truncateHtml, type SafeHtml } from './html.ts';
import type { TelegramPacer } from './pacer.ts';
import { renderAlertMessage } from './render.ts';
import { alertButtons } from './handlers.ts';

/** A photo upload as telegraf takes it (multipart, with a file name). */
export interface PhotoFile {
  readonly source: Buffer;
  readonly filename: string;
}

/** The Bot API calls the notifier makes (telegraf's `Telegram` satisfies it). */
/** Inline buttons under a message (the alert's snooze and settings buttons). */
export interface InlineMarkup {
  inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
}

export interface TelegramSender {
  sendMessage(
    chatId: number | string,
    text: string,
    extra: { parse_mode: 'HTML'; link_preview_options: { is_disabled: boolean }; reply_markup?: InlineMarkup },
  ): Promise<unknown>;
  /** Optional: a sender without it delivers text only. */
  sendPhoto?(
    chatId: number | string,
    photo: PhotoFile,
    extra: { caption?: string; parse_mode?: 'HTML'; reply_markup?: InlineMarkup },
  ): Promise<unknown>;
}

/** Snooze-24-h and settings buttons for the rules of an alert message (none for a digest). */
function alertMarkup(message: OutboundMessage): { reply_markup?: InlineMarkup } {
  if (message.digest) return {};
  const rows = alertButtons(message.events.map((e) => e.rule));
  return rows.length === 0
    ? {}
    : { reply_markup: { inline_keyboard: rows.map((r) => r.map((b) => ({ text: b.text, callback_data: b.data }))) } };
}

export interface TelegramNotifierDeps extends ChartDeps {
  readonly telegram: TelegramSender;
  readonly pacer: TelegramPacer;
  readonly logger: Logger;
  readonly nowSec: () => number;
}

const EXTRA = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

export class TelegramNotifier implements Notifier {
  readonly platform = 'telegram' as const;

  /** Shared with the bot's interactive replies, so both count against the same limits. */
  readonly pacer: TelegramPacer;

  constructor(private readonly deps: TelegramNotifierDeps) {
    this.pacer = deps.pacer;
  }

  async send(sub: Subscription, message: OutboundMessage): Promise<void> {
    const text = renderAlertMessage(message, sub, this.deps.nowSec());
    const logCtx = { height: message.height, events: message.events.length };
    const markup = alertMarkup(message);
    const picture =
      this.deps.telegram.sendPhoto === undefined ? null : await alertChart(this.deps, sub, message, this.deps.logger);
    const ticket = `${message.subscriptionId}|${message.digest ? 'd' : 'b'}|${message.hash}`;
    if (picture !== null && fitsCaption(text)) {
      await this.deliver(sub, logCtx, (chatId) => this.photoOrText(chatId, picture, text, markup), ticket);
      return;
    }
    await this.deliver(
      sub,
      logCtx,
      (chatId) => this.deps.telegram.sendMessage(chatId, text.value, { ...EXTRA, ...markup }),
      ticket,
    );
    if (picture !== null) await this.photoAfterText(sub, picture, message);
  }

  async tellOwner(sub: Subscription, text: string): Promise<void> {
    const owner = escapeHtml(text.slice(0, 1000));
    await this.deliver(sub, { owner: true }, (chatId) => this.deps.telegram.sendMessage(chatId, owner, EXTRA));
  }

  /** The chart with the alert as its caption; a refused picture (nothing was sent) → the text alone. */
  private async photoOrText(
    chatId: number,
    picture: ChartPicture,
    text: SafeHtml,
    markup: { reply_markup?: InlineMarkup },
  ): Promise<unknown> {
    try {
      return await this.deps.telegram.sendPhoto!(
        chatId,
        { source: picture.png, filename: picture.filename },
        { caption: text.value, parse_mode: 'HTML', ...markup },
      );
    } catch (e) {
      if (!isPhotoRefused(e)) throw e;
      this.deps.logger.warn(
        { err: classifyTelegramError(e, String(chatId)), chart: picture.kind },
        'telegram refused the chart; sending the text alone',
      );
      return this.deps.telegram.sendMessage(chatId, text.value, { ...EXTRA, ...markup });
    }
  }

  /** After a text too long for a caption went out: the chart, best effort (never thrown, never retried). */
  private async photoAfterText(sub: Subscription, picture: ChartPicture, message: OutboundMessage): Promise<void> {
    const chatId = Number(sub.targetId);
    const title = message.events[0]?.details.title ?? 'Alert';
    const caption = truncateHtml(html`📈 ${title} · block ${message.height}`, 200);
    try {
      const waitMs = await this.deps.pacer.acquire(chatId);
      if (waitMs > 0) {
        this.deps.logger.warn({ subscription: sub.id, waitMs }, 'chart skipped: chat is over its message limit');
        return;
      }
      await this.deps.telegram.sendPhoto!(
        chatId,
        { source: picture.png, filename: picture.filename },
        { caption: caption.value, parse_mode: 'HTML' },
      );
    } catch (e) {
      const f = classifyTelegramError(e, sub.targetId);
      if (f.kind === 'rate-limited') this.deps.pacer.backOff(chatId, f.context.retryAfterMs ?? 1000);
      this.deps.logger.warn({ subscription: sub.id, err: f }, 'chart after a long alert not delivered (the alert was)');
    }
  }

  private async deliver(
    sub: Subscription,
    logCtx: Record<string, unknown>,
    request: (chatId: number) => Promise<unknown>,
    ticket?: string,
  ): Promise<void> {
    try {
      await this.sendOnce(sub.targetId, request, ticket);
    } catch (e) {
      const failure = classifyTelegramError(e, sub.targetId);
      const log = this.deps.logger.child({ subscription: sub.id, status: failure.context.status, ...logCtx });
      if (isRenderingBug(e)) log.error({ err: failure }, 'telegram refused our HTML: rendering bug, message dropped');
      if (failure.kind === 'permanent' || failure.context.scope !== 'chat')
        log.warn({ kind: failure.kind, retryAfterMs: failure.context.retryAfterMs }, 'telegram delivery failed');
      throw failure;
    }
  }

  private async sendOnce(
    chatIdText: string,
    request: (chatId: number) => Promise<unknown>,
    ticket?: string,
  ): Promise<void> {
    const chatId = Number(chatIdText);
    const waitMs = await this.deps.pacer.acquire(chatId, undefined, ticket === undefined ? {} : { ticket });
    if (waitMs > 0) {
      throw new DeliveryError('rate-limited', `Telegram chat ${chatIdText}: paced, next slot in ${waitMs} ms`, {
        platform: 'telegram',
        retryAfterMs: waitMs,
        scope: 'chat',
      });
    }
    try {
      await request(chatId);
    } catch (e) {
      const f = classifyTelegramError(e, chatIdText);
      if (f.kind === 'rate-limited') this.deps.pacer.backOff(chatId, f.context.retryAfterMs ?? 1000);
      throw e;
    }
  }
}
