/**
 * Delivers alert messages to Telegram chats and channels (the engine's Notifier). One delivery is
 * ONE request, so BullMQ's retry of a failed job never repeats a half-sent message.
 *
 * Charts (optional `charts`): an alert with a picture is ONE sendPhoto whose caption is the alert,
 * fitted to 1,024 characters (caption.ts); without a picture it is one sendMessage. Each picture
 * is uploaded once: the first sendPhoto's answer names the photo's `file_id`, kept in
 * `pictures` (Redis, shared by every notifier process, with a TTL), and every other recipient of
 * the same picture sends that file_id (picture-refs.ts). A file_id Telegram refuses is forgotten
 * and the picture uploaded again in the same attempt; a refused upload falls back to the text.
 *
 * Channels: a Telegram channel where the bot is an administrator allowed to post is a chat like
 * any other (one post reaches every reader). Losing that right ("need administrator rights in the
 * channel chat", "bot is not a member of the channel chat") is permanent: the engine deactivates
 * the subscription and calls tellOwner, which for a channel (nobody there to read it) logs what
 * the operator must do instead of posting.
 *
 * Paid broadcast (`paidBroadcast`): alerts are sent with `allow_paid_broadcast`, which lets the
 * bot send up to 1,000 messages/s for 0.1 Telegram Stars per message beyond the free limits,
 * taken from the bot's balance; the composition root raises the limiter and the send gate to match.
 *
 * - Pacing: every message request takes its slot on the global send gate as it leaves (30/s, or
 *   1,000/s paid; shared by the notifier processes, send-timeline.ts); TelegramPacer keeps each
 *   chat's own limits (1/s per chat, 20/min per group) per process; a long per-chat
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
import type { OwnerNotice } from '../../alerting/problems.ts';
import type { Subscription } from '../../alerting/types.ts';
import { telegramOwnerNotice } from './problem-words.ts';
import type { Logger } from '../../observability/logger.ts';
import { alertChart, type ChartDeps, type ChartPicture } from '../chart-picture.ts';
import { classifyTelegramError, isPhotoRefused, isRenderingBug } from './errors.ts';
import { MemoryPictureRefs, sendPicture, type PictureOutcome, type PictureRefs } from '../picture-refs.ts';
import { isBroadcast } from '../../alerting/broadcast.ts';
import { renderAlertCaption } from './caption.ts';
import { escapeHtml, type SafeHtml } from './html.ts';
import type { TelegramPacer } from './pacer.ts';
import { sendGate, timelineSpec, type SendGate } from '../send-timeline.ts';
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
    extra: {
      parse_mode: 'HTML';
      link_preview_options: { is_disabled: boolean };
      reply_markup?: InlineMarkup;
      allow_paid_broadcast?: boolean;
    },
  ): Promise<unknown>;
  /** Optional: a sender without it delivers text only. `photo` is an upload or a file_id. */
  sendPhoto?(
    chatId: number | string,
    photo: PhotoFile | string,
    extra: { caption?: string; parse_mode?: 'HTML'; reply_markup?: InlineMarkup; allow_paid_broadcast?: boolean },
  ): Promise<unknown>;
}

/** The largest size's file_id of a sendPhoto answer (a Message with `photo: PhotoSize[]`), or null. */
export function photoFileId(answer: unknown): string | null {
  const sizes = (answer as { photo?: unknown } | null)?.photo;
  if (!Array.isArray(sizes) || sizes.length === 0) return null;
  const id = (sizes[sizes.length - 1] as { file_id?: unknown }).file_id;
  return typeof id === 'string' && id !== '' ? id : null;
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
  /** The Bot API client; createTelegramNotifier puts its message requests through `gate`. */
  readonly telegram: TelegramSender;
  readonly pacer: TelegramPacer;
  /** The global send gate (30/s, or paid broadcast's 1,000/s); the bot's replies share it. */
  readonly gate?: SendGate;
  readonly logger: Logger;
  readonly nowSec: () => number;
  /** Where uploaded charts are found again (default: this process only). */
  readonly pictures?: PictureRefs;
  /** Send alerts with `allow_paid_broadcast` (TELEGRAM_PAID_BROADCAST; costs Stars). */
  readonly paidBroadcast?: boolean;
  /** Counts each alert picture's upload or reuse (benches, metrics). */
  readonly onPicture?: (outcome: PictureOutcome) => void;
}

const EXTRA = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

export class TelegramNotifier implements Notifier {
  readonly platform = 'telegram' as const;

  /** Shared with the bot's interactive replies, so both count against the same limits. */
  readonly pacer: TelegramPacer;

  /** The global send gate, shared with the bot's replies (a gate of its own when none is given). */
  readonly gate: SendGate;

  private readonly pictures: PictureRefs;

  constructor(private readonly deps: TelegramNotifierDeps) {
    this.pacer = deps.pacer;
    this.gate = deps.gate ?? sendGate(timelineSpec(deps.pacer.limits.globalPerSec));
    this.pictures = deps.pictures ?? new MemoryPictureRefs();
  }

  async send(sub: Subscription, message: OutboundMessage): Promise<void> {
    const now = this.deps.nowSec();
    const logCtx = { height: message.height, events: message.events.length };
    const markup = { ...alertMarkup(message), ...this.paid };
    const picture =
      this.deps.telegram.sendPhoto === undefined ? null : await alertChart(this.deps, sub, message, this.deps.logger);
    const ticket = `${message.subscriptionId}|${message.digest ? 'd' : 'b'}|${message.hash}`;
    const text = (): SafeHtml => renderAlertMessage(message, sub, now);
    const request =
      picture === null
        ? (chatId: number) => this.deps.telegram.sendMessage(chatId, text().value, { ...EXTRA, ...markup })
        : (chatId: number) => this.photoOrText(chatId, picture, renderAlertCaption(message, sub, now), text, markup);
    await this.deliver(sub, logCtx, request, ticket);
  }

  async tellOwner(sub: Subscription, notice: OwnerNotice): Promise<void> {
    const text = telegramOwnerNotice(notice);
    if (isBroadcast(sub)) {
      // Nobody reads a channel the bot cannot post to: the operator learns it from the log.
      this.deps.logger.error(
        { subscription: sub.id, chatId: sub.targetId },
        `broadcast channel ${sub.targetId} (BROADCAST_TELEGRAM_CHAT): ${text} Make the bot an administrator of the channel with the right to post ` +
          'messages; its alerts resume when it is (or at the next start).',
      );
      return;
    }
    const owner = escapeHtml(text.slice(0, 1000));
    await this.deliver(sub, { owner: true }, (chatId) => this.deps.telegram.sendMessage(chatId, owner, EXTRA));
  }

  private get paid(): { allow_paid_broadcast?: boolean } {
    return this.deps.paidBroadcast === true ? { allow_paid_broadcast: true } : {};
  }

  /**
   * The chart with the alert as its caption, by file_id when this picture was uploaded before;
   * a refused upload (nothing was sent) → the full text alone.
   */
  private async photoOrText(
    chatId: number,
    picture: ChartPicture,
    caption: SafeHtml,
    text: () => SafeHtml,
    markup: { reply_markup?: InlineMarkup; allow_paid_broadcast?: boolean },
  ): Promise<unknown> {
    const sendPhoto = this.deps.telegram.sendPhoto!.bind(this.deps.telegram);
    const extra = { caption: caption.value, parse_mode: 'HTML' as const, ...markup };
    try {
      const { result, outcome } = await sendPicture(
        this.pictures,
        picture.key,
        {
          reuse: (fileId) => sendPhoto(chatId, fileId, extra),
          upload: async () => {
            const answer = await sendPhoto(chatId, { source: picture.png, filename: picture.filename }, extra);
            return { result: answer, ref: photoFileId(answer) };
          },
          isStaleRef: isPhotoRefused,
        },
        this.deps.logger,
      );
      this.deps.onPicture?.(outcome);
      return result;
    } catch (e) {
      if (!isPhotoRefused(e)) throw e;
      this.deps.logger.warn(
        { err: classifyTelegramError(e, String(chatId)), chart: picture.kind },
        'telegram refused the chart; sending the text alone',
      );
      return this.deps.telegram.sendMessage(chatId, text().value, { ...EXTRA, ...markup });
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
