/**
 * One platform's global send rate (Telegram 30 messages/s, Discord 50 requests/s, paid broadcast
 * 1,000/s), held by every request of every notifier process: the ONE authority for the pace.
 *
 * The rule (a sliding window with confirmations): request k may leave no earlier than
 * - `windowMs` after request k − `perWindow` was CONFIRMED — its response had come back, so it had
 *   arrived at the platform — and
 * - `minSpacingMs` after request k − 1 left (no bursts: close to even, a little faster than the
 *   average, so the window is what binds).
 * So any `windowMs` at the platform holds at most `perWindow` arrivals, whatever the network,
 * the event loops or the platform's own stalls do: request k + perWindow leaves after request k's
 * answer plus a window, and request k was counted before it was answered. Nothing is spent on a
 * margin against jitter (the old fixed spacing lost 4 %), and a late timer costs only its own
 * delay once per window (chain k, k + perWindow, …), not once per request (an even grid that
 * restarts from a late send lost 10–15 %).
 *
 * A slot may be booked up to `horizonMs` ahead (the requester sleeps until it), so waiters do not
 * poll. A slot booked and never confirmed (the process died mid-request) counts as confirmed
 * `pendingMaxMs` after it was due.
 *
 * Storage: one Redis hash for all processes (store/redis-send-slot.ts, the same rule in Lua on
 * Redis' clock), or MemoryTimeline below for one process; while Redis is unreachable each process
 * falls back to its own MemoryTimeline, so replies still go out during an outage.
 */

/** The rule's parameters. */
export interface TimelineSpec {
  /** At most this many requests … */
  readonly perWindow: number;
  /** … in any window this long (ms): the platform's 1 s plus a guard for clock reading. */
  readonly windowMs: number;
  /** Least gap between consecutive requests (ms). */
  readonly minSpacingMs: number;
  /** How far ahead a slot may be booked (ms). */
  readonly horizonMs: number;
  /** A booked slot never confirmed counts as confirmed this long after it was due (ms). */
  readonly pendingMaxMs: number;
}

/** Guard on the window (ms): Redis' µs clock against a platform that stamps whole milliseconds. */
export const WINDOW_GUARD_MS = 2;

/** The spacing floor as a share of the average gap: a little faster, so the window binds. */
export const MIN_SPACING_SHARE = 0.9;

/** How far ahead a slot may be booked (ms). */
export const HORIZON_MS = 250;

/** The rule for `perSec` requests a second. */
export function timelineSpec(perSec: number): TimelineSpec {
  if (!(perSec > 0)) throw new RangeError(`perSec must be positive, got ${perSec}`);
  const avgMs = 1000 / perSec;
  return {
    perWindow: Math.max(1, Math.round(perSec)),
    windowMs: 1000 + WINDOW_GUARD_MS,
    minSpacingMs: avgMs * MIN_SPACING_SHARE,
    // Booking ahead is safe (a late send only delays its own confirmation) and absorbs a late
    // timer of the process booking: a quarter of a window (Telegram: about 7 slots).
    horizonMs: HORIZON_MS,
    pendingMaxMs: 5000,
  };
}

/** A booked slot: wait `waitMs`, send, then confirm `slot`; or try again in `retryMs`. */
export type TakeResult = { readonly waitMs: number; readonly slot: string } | { readonly retryMs: number };

/** Where the timeline lives. `take` gives null while that storage is unreachable. */
export interface TimelineStore {
  take(): Promise<TakeResult | null>;
  confirm(slot: string): Promise<void>;
}

/** Clock seam (ms). */
export interface TimelineClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTimelineClock: TimelineClock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The state the rule reads: next sequence number, last slot, and the last `perWindow` slots. */
export interface TimelineState {
  n: number;
  last: number;
  /** Slot times by `seq % perWindow`: positive = confirmed at, negative = −booked at (pending). */
  readonly ring: Map<number, number>;
}

/** How long to look again when the window waits on a request whose answer is not back yet (ms). */
export const PENDING_RETRY_MS = 2;

/**
 * The rule itself (store/redis-send-slot.ts runs the same in Lua): books the next slot when it is
 * within the horizon (mutating `st`) and says when it is, or says when to ask again.
 */
export function takeSlot(
  st: TimelineState,
  spec: TimelineSpec,
  now: number,
): { readonly at: number; readonly seq: number } | { readonly retryMs: number } {
  const idx = st.n % spec.perWindow;
  let old = st.ring.get(idx) ?? 0;
  let at = Math.max(now, st.last + spec.minSpacingMs);
  if (old < 0) {
    const deadline = -old + spec.pendingMaxMs;
    if (now < deadline) {
      // Its answer will come no earlier than now: the slot cannot be before now + window.
      const earliest = Math.max(at, now + spec.windowMs);
      return { retryMs: Math.max(PENDING_RETRY_MS, earliest - now - spec.horizonMs) };
    }
    old = deadline;
  }
  at = Math.max(at, old + spec.windowMs);
  if (at - now > spec.horizonMs) return { retryMs: at - now - spec.horizonMs };
  const seq = st.n;
  st.n += 1;
  st.last = at;
  st.ring.set(idx, -at);
  return { at, seq };
}

/** Marks slot `seq` booked at `at` as answered at `now` (nothing if it was overtaken). */
export function confirmSlot(st: TimelineState, spec: TimelineSpec, seq: number, at: number, now: number): void {
  const idx = seq % spec.perWindow;
  if (st.ring.get(idx) === -at) st.ring.set(idx, Math.max(now, at));
}

/** The timeline of one process (no shared storage, or the shared one unreachable). */
export class MemoryTimeline implements TimelineStore {
  private readonly st: TimelineState = { n: 0, last: Number.NEGATIVE_INFINITY, ring: new Map() };

  constructor(
    readonly spec: TimelineSpec,
    private readonly clock: TimelineClock = realTimelineClock,
  ) {}

  async take(): Promise<TakeResult> {
    const now = this.clock.now();
    const r = takeSlot(this.st, this.spec, now);
    return 'retryMs' in r ? r : { waitMs: r.at - now, slot: `${r.seq}:${r.at}` };
  }

  async confirm(slot: string): Promise<void> {
    const [seq, at] = slot.split(':').map(Number);
    confirmSlot(this.st, this.spec, seq!, at!, this.clock.now());
  }
}

/** Runs each request in its slot. `first`: ahead of the others waiting in this process (replies). */
export interface SendGate {
  run<T>(request: () => Promise<T>, opts?: { readonly first?: boolean }): Promise<T>;
}

interface Waiter {
  readonly go: (booked: { waitMs: number; slot: string; store: TimelineStore }) => void;
}

/**
 * The gate every request of a platform passes: this process's waiters line up (replies first),
 * and the one at the head books the next slot on the shared timeline (else the local one), so a
 * process has one booking in flight, not one poll per waiter.
 */
export function sendGate(
  spec: TimelineSpec,
  shared?: TimelineStore,
  clock: TimelineClock = realTimelineClock,
): SendGate {
  const local = new MemoryTimeline(spec, clock);
  const lanes: [Waiter[], Waiter[]] = [[], []];
  let pumping = false;

  const book = async (): Promise<TakeResult & { store?: TimelineStore }> => {
    const r = shared === undefined ? null : await shared.take().catch(() => null);
    if (r !== null) return { ...r, store: shared! };
    return { ...(await local.take()), store: local };
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (lanes[0].length + lanes[1].length > 0) {
        const r = await book();
        if ('retryMs' in r) {
          await clock.sleep(r.retryMs);
          continue;
        }
        const w = lanes[0].shift() ?? lanes[1].shift();
        w!.go({ waitMs: r.waitMs, slot: r.slot, store: r.store! });
      }
    } finally {
      pumping = false;
    }
  };

  return {
    async run(request, opts) {
      const booked = await new Promise<{ waitMs: number; slot: string; store: TimelineStore }>((go) => {
        lanes[opts?.first === true ? 0 : 1].push({ go });
        void pump();
      });
      if (booked.waitMs > 0) await clock.sleep(booked.waitMs);
      try {
        return await request();
      } finally {
        // The answer is back (or the request failed): the platform counted it by now.
        void booked.store.confirm(booked.slot).catch(() => undefined);
      }
    },
  };
}
