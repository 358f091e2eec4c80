/**
 * Keeps outgoing messages inside Telegram's per-chat limits before they are sent, so 429s stay
 * rare: 1/s per chat, 20/min per group (negative chat ids), per process. The overall 30/s (or paid
 * broadcast's 1,000/s) is not this pacer's: every request passes the platform's send gate
 * (platforms/send-timeline.ts, shared by the notifier processes through Redis) when it leaves, so
 * there is one authority for the global pace and nothing here subtracts from it.
 *
 * Division of labour: this pacer only *spaces* sends. Short waits happen inline; a chat whose
 * next slot is further away than `maxInlineWaitMs` is reported back, and the notifier turns that
 * into DeliveryError('rate-limited', scope 'chat') so BullMQ delays THAT job alone (the queue is
 * never paused for one chat's limit) instead of a worker sleeping on it.
 *
 * Isolation inside one chat:
 * - Alerts first. Replies to commands (`kind: 'reply'`) never take a slot an alert is waiting
 *   for, and may use only `groupPerMin − alertReservePerMin` of a group's window, so a group
 *   spamming commands always leaves its alerts room.
 * - Block order. An alert handed back with a `ticket` books the chat's slot it was told to wait
 *   for; a later alert to the same chat queues behind the booking, and the returning job (same
 *   ticket) uses its booking without queueing again.
 */

export interface TelegramLimits {
  /** The overall rate, held by the send gate (send-timeline.ts), not by the pacer. */
  readonly globalPerSec: number;
  readonly chatIntervalMs: number;
  readonly groupPerMin: number;
  /** Longest per-chat/group wait served by sleeping; beyond it the job is handed back. */
  readonly maxInlineWaitMs: number;
  /** Slots of a group's window that replies may not take, kept for alerts (default 5). */
  readonly alertReservePerMin?: number;
  /** Length of the group window (default 60 000 ms; shorter only in tests). */
  readonly groupWindowMs?: number;
}

/** An alert (from the deliver queue) or a reply to a command (from the bot); alerts go first. */
export type SendKind = 'alert' | 'reply';

export interface AcquireOptions {
  readonly kind?: SendKind;
  /**
   * Alerts only: when the wait is too long for inline, book the slot under this ticket (the
   * message's notification key) and return the wait; the same ticket later uses that booking.
   */
  readonly ticket?: string;
}

/** Telegram's Bot FAQ figures. */
export const TELEGRAM_LIMITS: TelegramLimits = {
  globalPerSec: 30,
  chatIntervalMs: 1000,
  groupPerMin: 20,
  maxInlineWaitMs: 3000,
};

/**
 * Messages/s with paid broadcast (TELEGRAM_PAID_BROADCAST): Telegram allows up to 1,000, for 0.1
 * Stars per message beyond the free limits; per-chat and per-group limits still hold.
 */
export const PAID_BROADCAST_PER_SEC = 1000;

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
/** How long a reply steps aside for an alert of its chat before looking again. */
const YIELD_MS = 50;
/** A booking whose job never came back (removed, another process took it) is forgotten after this. */
const BOOKING_TTL_MS = 10 * 60_000;

export class TelegramPacer {
  private readonly chatNext = new Map<number, number>();
  /** Send (and booked) times per group, ascending. */
  private readonly groupSent = new Map<number, number[]>();
  /** Alerts of a chat waiting inline for their slot: replies to that chat wait behind them. */
  private readonly alertsWaiting = new Map<number, number>();
  private readonly bookings = new Map<string, { chatId: number; atMs: number }>();

  constructor(
    readonly limits: TelegramLimits = TELEGRAM_LIMITS,
    private readonly clock: PacerClock = realClock,
  ) {}

  private get windowMs(): number {
    return this.limits.groupWindowMs ?? 60_000;
  }

  /** Earliest time the chat (and its group window, of which replies get less) allows a send. */
  private chatEarliest(chatId: number, now: number, kind: SendKind): number {
    let t = Math.max(now, this.chatNext.get(chatId) ?? 0);
    if (chatId < 0) {
      const sent = (this.groupSent.get(chatId) ?? []).filter((s) => s > now - this.windowMs - GROUP_MARGIN_MS);
      this.groupSent.set(chatId, sent);
      const full = this.limits.groupPerMin;
      const n = kind === 'alert' ? full : Math.max(1, full - (this.limits.alertReservePerMin ?? Math.min(5, full - 1)));
      if (sent.length >= n) t = Math.max(t, sent[sent.length - n]! + this.windowMs + GROUP_MARGIN_MS);
    }
    if (kind === 'reply' && (this.alertsWaiting.get(chatId) ?? 0) > 0) t = Math.max(t, now + YIELD_MS);
    return t;
  }

  /** Takes the chat's slot at `at` (per-chat spacing and the group window). */
  private reserveChat(chatId: number, at: number): void {
    this.chatNext.set(chatId, Math.max(this.chatNext.get(chatId) ?? 0, at + this.limits.chatIntervalMs));
    if (chatId < 0) {
      const sent = this.groupSent.get(chatId) ?? [];
      let i = sent.length;
      while (i > 0 && sent[i - 1]! > at) i--;
      sent.splice(i, 0, at);
      this.groupSent.set(chatId, sent);
    }
  }

  /**
   * Waits for a slot and reserves it. Returns 0 once the caller may send, or how many ms the
   * chat still has to wait when that exceeds `maxWaitMs` — then nothing is reserved, unless an
   * alert brought a `ticket`, whose slot is booked for its return.
   */
  async acquire(chatId: number, maxWaitMs = this.limits.maxInlineWaitMs, opts: AcquireOptions = {}): Promise<number> {
    const kind = opts.kind ?? 'alert';
    if (opts.ticket !== undefined) {
      const booked = this.bookings.get(opts.ticket);
      if (booked !== undefined && booked.chatId === chatId) return this.useBooking(opts.ticket, booked.atMs, maxWaitMs);
    }
    if (kind === 'alert') this.alertsWaiting.set(chatId, (this.alertsWaiting.get(chatId) ?? 0) + 1);
    try {
      for (;;) {
        const now = this.clock.now();
        const t = this.chatEarliest(chatId, now, kind);
        if (t - now > maxWaitMs) {
          if (opts.ticket !== undefined && kind === 'alert') {
            this.reserveChat(chatId, t);
            this.bookings.set(opts.ticket, { chatId, atMs: t });
          }
          return t - now;
        }
        if (t > now) {
          await this.clock.sleep(t - now);
          continue;
        }
        // Reserve synchronously (no await since the check), so concurrent sends see each other.
        this.reserveChat(chatId, now);
        if (this.chatNext.size > 50_000) this.forgetIdle(now);
        return 0;
      }
    } finally {
      if (kind === 'alert') {
        const left = (this.alertsWaiting.get(chatId) ?? 1) - 1;
        if (left > 0) this.alertsWaiting.set(chatId, left);
        else this.alertsWaiting.delete(chatId);
      }
    }
  }

  /** A returning alert: its chat slot is already taken; it only waits for that slot's time. */
  private async useBooking(ticket: string, atMs: number, maxWaitMs: number): Promise<number> {
    const now = this.clock.now();
    if (atMs - now > maxWaitMs) return atMs - now; // back too early: keep the booking
    this.bookings.delete(ticket);
    if (atMs > now) await this.clock.sleep(atMs - now);
    return 0;
  }

  /** After a 429 for this chat: nothing more to it until `retryAfterMs` has passed. */
  backOff(chatId: number, retryAfterMs: number): void {
    const until = this.clock.now() + retryAfterMs;
    this.chatNext.set(chatId, Math.max(this.chatNext.get(chatId) ?? 0, until));
  }

  /** Bounds memory when alerts go to very many chats. */
  private forgetIdle(now: number): void {
    for (const [id, t] of this.chatNext) if (t < now) this.chatNext.delete(id);
    for (const [id, ts] of this.groupSent)
      if ((ts[ts.length - 1] ?? 0) < now - this.windowMs - 1000) this.groupSent.delete(id);
    for (const [ticket, b] of this.bookings) if (b.atMs < now - BOOKING_TTL_MS) this.bookings.delete(ticket);
  }
}
