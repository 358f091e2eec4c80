/**
 * Delivers alert messages to Telegram chats (the engine's Notifier). One delivery is one
 * sendMessage, so BullMQ's retry of a failed job never repeats a half-sent message.
 *
 * - Pacing: TelegramPacer spaces sends (30/s, 1/s per chat, 20/min per group); a long per-chat
 *   wait comes back as 'rate-limited' with retryAfterMs for BullMQ to reschedule.
 * - 429 → 'rate-limited' (retry_after), and the pacer holds that chat back meanwhile.
 * - 403 blocked/kicked/deactivated, 400 chat not found → 'permanent' (the engine deactivates).
 * - 400 with migrate_to_chat_id → 'permanent' carrying migrateToId: the engine moves the
 *   subscription (SubscriptionService.migrate) and resends to the supergroup.
 * - entity/length refusals are rendering bugs: 'permanent' and an error log line.
 * - 5xx, network, 401 → 'retryable'. No retry happens here: BullMQ is the one retry layer.
 */
import { DeliveryError, type Notifier, type OutboundMessage } from '../../alerting/ports.ts';
import type { Subscription } from '../../alerting/types.ts';
import type { Logger } from '../../app/logger.ts';
import { classifyTelegramError, isRenderingBug } from './errors.ts';
import { escapeHtml } from './html.ts';
import type { TelegramPacer } from './pacer.ts';
import { renderAlertMessage } from './render.ts';

/** The one Bot API call the notifier makes (telegraf's `Telegram` satisfies it). */
export interface TelegramSender {
  sendMessage(chatId: number | string, text: string, extra: { parse_mode: 'HTML'; link_preview_options: { is_disabled: boolean } }): Promise<unknown>;
}

export interface TelegramNotifierDeps {
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
    const text = renderAlertMessage(message, sub, this.deps.nowSec()).value;
    await this.deliver(sub, text, { height: message.height, events: message.events.length });
  }

  async tellOwner(sub: Subscription, text: string): Promise<void> {
    await this.deliver(sub, escapeHtml(text.slice(0, 1000)), { owner: true });
  }

  private async deliver(sub: Subscription, html: string, logCtx: Record<string, unknown>): Promise<void> {
    try {
      await this.sendOnce(sub.targetId, html);
    } catch (e) {
      const failure = classifyTelegramError(e, sub.targetId);
      const log = this.deps.logger.child({ subscription: sub.id, status: failure.context.status, ...logCtx });
      if (isRenderingBug(e)) log.error({ err: failure }, 'telegram refused our HTML: rendering bug, message dropped');
      if (failure.kind !== 'retryable') log.warn({ kind: failure.kind, retryAfterMs: failure.context.retryAfterMs }, 'telegram delivery failed');
      throw failure;
    }
  }

  private async sendOnce(chatIdText: string, html: string): Promise<void> {
    const chatId = Number(chatIdText);
    const waitMs = await this.deps.pacer.acquire(chatId);
    if (waitMs > 0) {
      throw new DeliveryError('rate-limited', `Telegram chat ${chatIdText}: paced, next slot in ${waitMs} ms`, { platform: 'telegram', retryAfterMs: waitMs });
    }
    try {
      await this.deps.telegram.sendMessage(chatId, html, EXTRA);
    } catch (e) {
      const f = classifyTelegramError(e, chatIdText);
      if (f.kind === 'rate-limited') this.deps.pacer.backOff(chatId, f.context.retryAfterMs ?? 1000);
      throw e;
    }
  }
}
