/**
 * Politeness primitives shared by the REST and RPC clients: a token bucket that caps requests per
 * second (public mempool.space asks for a few a second at most) and a capped exponential backoff
 * with jitter, so many watchers that lose the same server do not reconnect in lockstep.
 */

/** Sleeps `ms`, rejecting early with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Token bucket: `ratePerSec` tokens a second with a burst of `burst` (default 1, i.e. evenly
 * spaced requests, so no one-second window ever sees more than ratePerSec + 1). `pauseFor` lets a
 * 429's Retry-After hold every caller, not just the one that got the answer.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private readonly capacity: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly now: () => number = Date.now,
    burst = 1,
  ) {
    if (!(ratePerSec > 0)) throw new RangeError(`ratePerSec must be > 0, got ${ratePerSec}`);
    this.capacity = Math.max(1, burst);
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Waits until a request may go out. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now, signal);
        continue;
      }
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(((1 - this.tokens) / this.ratePerSec) * 1000, signal);
    }
  }

  /** Holds all callers for `ms` (server told us to slow down). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }
}

export interface BackoffOptions {
  /** First delay, ms. */
  readonly baseMs: number;
  /** Largest delay, ms. */
  readonly capMs: number;
  /** Random source in [0, 1) (injectable for tests). */
  readonly random?: () => number;
}

/**
 * Capped exponential backoff with "equal jitter": attempt n waits between half and all of
 * min(cap, base·2^n), so the delay grows but never collapses to zero.
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  const r = (opts.random ?? Math.random)();
  return Math.round(exp / 2 + (exp / 2) * r);
}

/** Parses an HTTP Retry-After header (seconds or HTTP date) into ms; null when absent/invalid. */
export function retryAfterMs(header: string | null, nowMs: number = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}
