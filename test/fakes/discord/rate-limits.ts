/**
 * Discord's two REST rate limits as the stand-in enforces them: a global 50 requests/s per bot
 * (a token bucket, so any client that stays under 50/s on average with bursts ≤ 50 passes) and
 * per-route buckets (fixed windows keyed by route + major parameter) announced through the real
 * X-RateLimit-* headers. A 429 always carries Retry-After, as discord.js needs.
 */

export interface BucketSpec {
  readonly limit: number;
  readonly windowMs: number;
}

/** Global limiter: capacity `perSec`, refilled continuously at `perSec` tokens a second. */
export class GlobalLimiter {
  private tokens: number;
  private lastMs: number;
  constructor(
    private readonly perSec: number,
    now: number,
  ) {
    this.tokens = perSec;
    this.lastMs = now;
  }

  /** Takes one token, or says how long until one is available. */
  take(now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.tokens = Math.min(this.perSec, this.tokens + ((now - this.lastMs) * this.perSec) / 1000);
    this.lastMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - this.tokens) * 1000) / this.perSec) };
  }
}

interface BucketState {
  remaining: number;
  resetAtMs: number;
}

/** Per-route buckets; `key` is the route template plus its major parameter (channel, guild…). */
export class RouteBuckets {
  private readonly states = new Map<string, BucketState>();

  take(key: string, hash: string, spec: BucketSpec, now: number): { ok: boolean; headers: Record<string, string> } {
    let st = this.states.get(key);
    if (st === undefined || st.resetAtMs <= now) {
      st = { remaining: spec.limit, resetAtMs: now + spec.windowMs };
      this.states.set(key, st);
    }
    const ok = st.remaining > 0;
    if (ok) st.remaining -= 1;
    const resetAfterSec = Math.max(0, st.resetAtMs - now) / 1000;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(spec.limit),
      'x-ratelimit-remaining': String(st.remaining),
      'x-ratelimit-reset': (st.resetAtMs / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfterSec.toFixed(3),
      'x-ratelimit-bucket': hash,
    };
    if (!ok) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(resetAfterSec)));
      headers['x-ratelimit-scope'] = 'user';
    }
    return { ok, headers };
  }
}
