/**
 * Keeps outgoing messages inside Telegram's limits before they are sent, so 429s stay rare:
 * ≤ 30 messages/s overall, 1/s per chat, 20/min per group (negative chat ids). Process-local:
 * run one notifier process per bot token, or lower `globalPerSec` for each of several.
 *
 * Division of labour: this pacer only *spaces* sends. Short waits happen inline; a chat whose
 * next slot is further away than `maxInlineWaitMs` is reported back, and the notifier turns that
 * into DeliveryError('rate-limited', retryAfterMs) so BullMQ — the one retry layer — reschedules
 * the job instead of a worker sleeping on it.
 */

export interface TelegramLimits {
  readonly globalPerSec: number;
  readonly chatIntervalMs: number;
  readonly groupPerMin: number;
  /** Longest per-chat/group wait served by sleeping; beyond it the job is handed back. */
  readonly maxInlineWaitMs: number;
}

/** Telegram's Bot FAQ figures. */
export const TELEGRAM_LIMITS: TelegramLimits = { globalPerSec: 30, chatIntervalMs: 1000, groupPerMin: 20, maxInlineWaitMs: 3000 };

/** Clock seam for tests and benches. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Margin on the group window: the server counts arrival times, we count send times. */
const GROUP_MARGIN_MS = 250;

export class TelegramPacer {
  private globalNext = 0;
  private readonly chatNext = new Map<number, number>();
  private readonly groupSent = new Map<number, number[]>();

  constructor(readonly limits: TelegramLimits = TELEGRAM_LIMITS, private readonly clock: PacerClock = realClock) {}

  /** Earliest time the chat (and its group window) allows a send. */
  private chatEarliest(chatId: number, now: number): number {
    let t = Math.max(now, this.chatNext.get(chatId) ?? 0);
    if (chatId < 0) {
      const sent = (this.groupSent.get(chatId) ?? []).filter((s) => s > now - 60_000 - GROUP_MARGIN_MS);
      this.groupSent.set(chatId, sent);
      const n = this.limits.groupPerMin;
      if (sent.length >= n) t = Math.max(t, sent[sent.length - n]! + 60_000 + GROUP_MARGIN_MS);
    }
    return t;
  }

  /**
   * Waits for a slot and reserves it. Returns 0 once the caller may send, or — without
   * reserving anything — how many ms the chat still has to wait when that exceeds `maxWaitMs`.
   */
  async acquire(chatId: number, maxWaitMs = this.limits.maxInlineWaitMs): Promise<number> {
    for (;;) {
      const now = this.clock.now();
      const t = this.chatEarliest(chatId, now);
      if (t - now > maxWaitMs) return t - now;
      if (t > now) {
        await this.clock.sleep(t - now);
        continue;
      }
      // Reserve synchronously (no await since the check), so concurrent sends see each other.
      const at = Math.max(now, this.globalNext);
      this.globalNext = at + 1000 / this.limits.globalPerSec;
      this.chatNext.set(chatId, at + this.limits.chatIntervalMs);
      if (chatId < 0) this.groupSent.get(chatId)!.push(at);
      if (at > now) await this.clock.sleep(at - now);
      if (this.chatNext.size > 50_000) this.forgetIdle(now);
      return 0;
    }
  }

  /** After a 429 for this chat: nothing more to it until `retryAfterMs` has passed. */
  backOff(chatId: number, retryAfterMs: number): void {
    const until = this.clock.now() + retryAfterMs;
    this.chatNext.set(chatId, Math.max(this.chatNext.get(chatId) ?? 0, until));
  }

  /** Bounds memory when alerts go to very many chats. */
  private forgetIdle(now: number): void {
    for (const [id, t] of this.chatNext) if (t < now) this.chatNext.delete(id);
    for (const [id, ts] of this.groupSent) if ((ts[ts.length - 1] ?? 0) < now - 61_000) this.groupSent.delete(id);
  }
}
