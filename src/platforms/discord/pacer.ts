/**
 * Spaces the notifier's requests evenly under Discord's global 50 requests/s.
 *
 * @discordjs/rest enforces the global limit as a fixed one-second window opened by the first
 * request, so it may send 50 at the end of one window and 50 more at the start of the next:
 * 100 within a few milliseconds. Measured against a stand-in that enforces "50 per second" as a
 * token bucket, that produced global 429s under load (bench/discord-throughput.ts). Evenly spaced
 * slots (one every 1000/perSec ms, scheduled on absolute time so a late timer does not lower the
 * rate) stay within any reasonable reading of "50 per second" and keep the REST client's own
 * window from ever engaging. Per-route buckets are still left to @discordjs/rest.
 */

export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export class Pacer {
  private nextAtMs = Number.NEGATIVE_INFINITY;
  private readonly intervalMs: number;

  constructor(
    perSec: number,
    private readonly clock: PacerClock = realClock,
  ) {
    if (!(perSec > 0)) throw new RangeError(`perSec must be positive, got ${perSec}`);
    this.intervalMs = 1000 / perSec;
  }

  /** Resolves when the caller may send; slots are handed out in call order. */
  async slot(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.nextAtMs);
    this.nextAtMs = at + this.intervalMs;
    if (at > now) await this.clock.sleep(at - now);
  }
}
