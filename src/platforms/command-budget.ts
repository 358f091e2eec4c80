/**
 * A per-chat command budget: a token bucket per chat (Telegram chat, Discord channel or DM).
 * Why: every command answer is a message in that chat, and a chat's messages share its platform
 * limits with its alerts (Telegram 20/min per group). A member spamming commands must cost that
 * chat a few refused commands — never its alerts, never anyone else's. Normal use (a handful of
 * commands while setting up) never meets it.
 *
 * Over budget the chat gets ONE polite "slow down, try again in N s" and then silence until the
 * bucket has a token again (the next overflow earns one more notice). Process-local on purpose:
 * only one process receives a bot's updates, and it must work while Redis is down.
 */

export interface CommandBudgetLimits {
  /** Commands a chat may send at once. */
  readonly burst: number;
  /** Commands per minute it regains. */
  readonly perMinute: number;
}

/** A few commands beyond what setting up alerts takes; ~6/min sustained. */
export const COMMAND_BUDGET: CommandBudgetLimits = { burst: 8, perMinute: 6 };

export type BudgetDecision =
  | { readonly kind: 'run' }
  /** Over budget for the first time since the last command ran: tell them once. */
  | { readonly kind: 'notice'; readonly retryInSec: number }
  /** Over budget and already told: say nothing (Discord says it anyway, ephemerally). */
  | { readonly kind: 'silent'; readonly retryInSec: number };

interface Bucket {
  tokens: number;
  atMs: number;
  noticed: boolean;
}

/** How many idle chats are remembered before full buckets are forgotten (memory bound). */
const MAX_TRACKED = 10_000;

export class CommandBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly limits: CommandBudgetLimits = COMMAND_BUDGET,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (!(limits.burst >= 1) || !(limits.perMinute > 0))
      throw new RangeError('command budget needs burst ≥ 1 and perMinute > 0');
    this.perMs = limits.perMinute / 60_000;
  }

  /** Spends one command of `chat`'s budget, or says how to refuse it. */
  take(chat: string): BudgetDecision {
    const now = this.nowMs();
    const b = this.refill(chat, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.noticed = false;
      return { kind: 'run' };
    }
    const retryInSec = Math.max(1, Math.ceil((1 - b.tokens) / this.perMs / 1000));
    if (b.noticed) return { kind: 'silent', retryInSec };
    b.noticed = true;
    return { kind: 'notice', retryInSec };
  }

  private refill(chat: string, now: number): Bucket {
    let b = this.buckets.get(chat);
    if (b === undefined) {
      if (this.buckets.size >= MAX_TRACKED) this.forgetFull(now);
      b = { tokens: this.limits.burst, atMs: now, noticed: false };
      this.buckets.set(chat, b);
      return b;
    }
    b.tokens = Math.min(this.limits.burst, b.tokens + (now - b.atMs) * this.perMs);
    b.atMs = now;
    return b;
  }

  /** Chats whose bucket has refilled are indistinguishable from new ones: drop them. */
  private forgetFull(now: number): void {
    for (const [chat, b] of this.buckets) {
      if (b.tokens + (now - b.atMs) * this.perMs >= this.limits.burst) this.buckets.delete(chat);
    }
  }
}

/** What a command gate needs to know, on every platform. */
export interface GateOptions {
  /** Per-chat command budget (default COMMAND_BUDGET). */
  readonly budget?: CommandBudgetLimits;
  /** False while storage is unreachable (production: the app's Redis is not `ready`). */
  readonly available?: () => boolean;
  readonly nowMs?: () => number;
}

/** Commands answered without storage (from memory) while Redis is unreachable. */
const WITHOUT_STORAGE: ReadonlySet<string> = new Set(['help']);

export type GateDecision =
  | { readonly kind: 'run' }
  /** Over the chat's budget; `notice` is true the first time since its last command ran. */
  | { readonly kind: 'over'; readonly notice: boolean; readonly retryInSec: number }
  /** Storage is unreachable and this command needs it. */
  | { readonly kind: 'unavailable' };

/**
 * The checks every platform makes before a command's handler runs — the chat's budget first
 * (a flood costs that chat only), then storage (a handler that would hang on Redis is answered
 * "temporarily unavailable" at once; /help still answers). Each platform words the answer and
 * decides how to deliver it (Telegram: the notice once, then silence; Discord: every time,
 * ephemerally — an unanswered interaction shows the user an error).
 */
export class CommandAdmission {
  private readonly budget: CommandBudget;
  readonly available: () => boolean;

  constructor(
    opts: GateOptions,
    private readonly log?: { info(obj: object, msg: string): void },
  ) {
    this.budget = new CommandBudget(opts.budget ?? COMMAND_BUDGET, opts.nowMs ?? Date.now);
    this.available = opts.available ?? (() => true);
  }

  /** Spends one of `chat`'s commands; `command` null for a button press (always needs storage). */
  admit(chat: string, command: string | null): GateDecision {
    const d = this.budget.take(chat);
    if (d.kind !== 'run') {
      if (d.kind === 'notice')
        this.log?.info({ chat, retryInSec: d.retryInSec }, 'chat over its command budget; told once, then silent');
      return { kind: 'over', notice: d.kind === 'notice', retryInSec: d.retryInSec };
    }
    if ((command === null || !WITHOUT_STORAGE.has(command)) && !this.available()) return { kind: 'unavailable' };
    return { kind: 'run' };
  }
}
