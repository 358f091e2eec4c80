/**
 * The stand-in's flood control, shaped like Telegram's Bot FAQ: about 30 messages/s overall,
 * about 1/s per chat with short bursts tolerated, 20/min per group. Token buckets (global, chat)
 * and a sliding window (group); the answer is how many whole seconds to wait, as `retry_after`.
 */

export interface FakeLimits {
  /** Global refill rate and bucket size (messages/s). */
  readonly globalPerSec: number;
  readonly globalBurst: number;
  /** Per chat refill rate (messages/s) and burst size. */
  readonly chatPerSec: number;
  readonly chatBurst: number;
  /** Per group (negative chat id) messages per sliding minute. */
  readonly groupPerMin: number;
  /** The group window's length (default a minute; shorter only to keep a test fast). */
  readonly groupWindowMs?: number;
}

export const TELEGRAM_FAQ_LIMITS: FakeLimits = {
  globalPerSec: 30,
  globalBurst: 30,
  chatPerSec: 1,
  chatBurst: 3,
  groupPerMin: 20,
};

/** Limits so loose that only explicitly injected 429s happen (conversation tests). */
export const RELAXED_LIMITS: FakeLimits = {
  globalPerSec: 1000,
  globalBurst: 1000,
  chatPerSec: 100,
  chatBurst: 100,
  groupPerMin: 10_000,
};

class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly rate: number,
    private readonly size: number,
    now: number,
  ) {
    this.tokens = size;
    this.at = now;
  }
  /** 0 when a token was taken, else ms until one is available. */
  take(now: number): number {
    this.tokens = Math.min(this.size, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return ((1 - this.tokens) / this.rate) * 1000;
  }
  /** Puts back a token taken for a request that was refused by a later check. */
  refund(): void {
    this.tokens = Math.min(this.size, this.tokens + 1);
  }
}

/** allow_paid_broadcast: up to 1,000 messages/s for 0.1 Stars each beyond the free limits. */
export const PAID_PER_SEC = 1000;

export class FloodControl {
  private global: Bucket;
  private readonly paid: Bucket;
  /** Paid-broadcast messages that went beyond the free global limit (what Telegram bills). */
  billed = 0;
  private readonly chats = new Map<number, Bucket>();
  private readonly groups = new Map<number, number[]>();

  constructor(
    private readonly limits: FakeLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.global = new Bucket(limits.globalPerSec, limits.globalBurst, now());
    this.paid = new Bucket(PAID_PER_SEC, PAID_PER_SEC, now());
  }

  /**
   * Records one message to `chatId`; returns 0 if allowed, else seconds to wait (≥ 1). A paid
   * message (allow_paid_broadcast) beyond the free global limit takes the paid allowance instead
   * and is billed; per-chat and per-group limits hold either way.
   */
  admit(chatId: number, paid = false): number {
    const now = this.now();
    let g = this.global.take(now);
    let billed = false;
    if (g > 0 && paid) {
      g = this.paid.take(now);
      billed = g === 0;
    }
    if (g > 0) return Math.max(1, Math.ceil(g / 1000));
    const refundGlobal = (): void => (billed ? this.paid.refund() : this.global.refund());
    let chat = this.chats.get(chatId);
    if (chat === undefined) {
      chat = new Bucket(this.limits.chatPerSec, this.limits.chatBurst, now);
      this.chats.set(chatId, chat);
    }
    const c = chat.take(now);
    if (c > 0) {
      refundGlobal();
      return Math.max(1, Math.ceil(c / 1000));
    }
    if (chatId < 0) {
      const windowMs = this.limits.groupWindowMs ?? 60_000;
      const recent = (this.groups.get(chatId) ?? []).filter((t) => now - t < windowMs);
      if (recent.length >= this.limits.groupPerMin) {
        refundGlobal();
        chat.refund();
        this.groups.set(chatId, recent);
        return Math.max(1, Math.ceil((windowMs - (now - recent[0]!)) / 1000));
      }
      recent.push(now);
      this.groups.set(chatId, recent);
    }
    if (billed) this.billed += 1;
    return 0;
  }
}
