/**
 * The send gate (src/platforms/send-timeline.ts) on a simulated clock: whatever the requests'
 * round trips and the timers' lateness, at most `perWindow` requests ARRIVE in any window (a
 * request arrives somewhere between leaving and its answer); consecutive requests leave at least
 * `minSpacingMs` apart; a booked slot never confirmed stops holding the window after
 * `pendingMaxMs`; replies go ahead of waiting alerts; an unreachable shared store falls back to
 * the process's own timeline.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemoryTimeline,
  sendGate,
  timelineSpec,
  type TimelineClock,
  type TimelineSpec,
  type TimelineStore,
} from '../../../src/platforms/send-timeline.ts';

/** Simulated time: timers run in order of due time; `late(ms)` adds each timer's lateness. */
function simClock(late: () => number = () => 0) {
  let now = 1_000_000;
  const timers: Array<{ at: number; fire: () => void }> = [];
  const clock: TimelineClock = {
    now: () => now,
    sleep: (ms) => new Promise<void>((fire) => timers.push({ at: now + Math.max(0, ms) + late(), fire })),
  };
  /** Runs until `done` settles (microtasks between timers). */
  const runUntil = async (done: Promise<unknown>): Promise<void> => {
    let settled = false;
    void done.finally(() => (settled = true));
    for (let idle = 0; !settled;) {
      await new Promise((r) => setImmediate(r));
      if (timers.length === 0) {
        if (++idle > 1000) throw new Error('simulation stuck: no timer and not done');
        continue;
      }
      idle = 0;
      timers.sort((a, b) => a.at - b.at);
      const t = timers.shift()!;
      now = Math.max(now, t.at);
      t.fire();
    }
  };
  return { clock, runUntil, now: () => now };
}

/** The most times inside any half-open window of `windowMs`. */
function densest(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let lo = 0, hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** `n` requests from `workers` concurrent senders; each request arrives after `up` ms and is answered `down` ms later. */
async function drive(
  spec: TimelineSpec,
  n: number,
  workers: number,
  trip: () => { up: number; down: number },
  late: () => number,
  shared?: (clock: TimelineClock) => TimelineStore,
) {
  const sim = simClock(late);
  const gate = sendGate(spec, shared?.(sim.clock), sim.clock);
  const left: number[] = [];
  const arrived: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      await gate.run(async () => {
        left.push(sim.now());
        const { up, down } = trip();
        await sim.clock.sleep(up);
        arrived.push(sim.now());
        await sim.clock.sleep(down);
      });
    }
  };
  await sim.runUntil(Promise.all(Array.from({ length: workers }, worker)));
  return { left, arrived, end: sim.now() };
}

describe('send gate', () => {
  it('never lets more than perWindow requests arrive in any window, whatever the trips and timer lateness', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(30, 50),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        async (perSec, workers, maxTrip, maxLate, seed) => {
          let s = seed;
          const rnd = (): number => (s = (s * 48271) % 2147483647) / 2147483647;
          const spec = timelineSpec(perSec);
          const { left, arrived } = await drive(
            spec,
            3 * perSec,
            workers,
            () => ({ up: rnd() * maxTrip, down: rnd() * maxTrip }),
            () => rnd() * maxLate,
          );
          expect(arrived).toHaveLength(3 * perSec);
          expect(densest(arrived, 1000)).toBeLessThanOrEqual(perSec);
          // Slots are booked minSpacingMs apart; a timer's own lateness may close a gap by that much.
          const sorted = [...left].sort((a, b) => a - b);
          for (let i = 1; i < sorted.length; i++)
            expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(spec.minSpacingMs - maxLate - 1e-6);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('keeps the window, not a margin: with quick trips, perWindow requests leave per window', async () => {
    const spec = timelineSpec(30);
    const { left } = await drive(
      spec,
      301,
      32,
      () => ({ up: 1, down: 1 }),
      () => 0,
    );
    // 301 requests = 10 windows after the first: each window waits only for its first request's
    // answer (2 ms) beyond windowMs.
    const span = Math.max(...left) - Math.min(...left);
    expect(span).toBeLessThanOrEqual(10 * (spec.windowMs + 2) + 1e-6);
    expect(span).toBeGreaterThanOrEqual(10 * spec.windowMs);
  });

  it('a slot booked and never answered holds the window only until pendingMaxMs after it was due', async () => {
    const spec: TimelineSpec = { ...timelineSpec(10), pendingMaxMs: 300 };
    const sim = simClock();
    const store = new MemoryTimeline(spec, sim.clock);
    // Ten slots booked and never confirmed (their process died mid-request).
    const booked: number[] = [];
    const bookAll = (async () => {
      while (booked.length < 10) {
        const r = await store.take();
        if ('retryMs' in r) await sim.clock.sleep(r.retryMs);
        else booked.push(sim.now() + r.waitMs);
      }
    })();
    await sim.runUntil(bookAll);
    const gate = sendGate(spec, store, sim.clock);
    let sentAt = 0;
    await sim.runUntil(gate.run(async () => void (sentAt = sim.now())));
    expect(sentAt).toBeGreaterThanOrEqual(booked[0]! + spec.pendingMaxMs + spec.windowMs);
    expect(sentAt).toBeLessThanOrEqual(booked[0]! + spec.pendingMaxMs + spec.windowMs + spec.horizonMs + 5);
  });

  it('lets a reply (first) go ahead of the alerts waiting in its process', async () => {
    const sim = simClock();
    const gate = sendGate(timelineSpec(30), undefined, sim.clock);
    const order: string[] = [];
    const all = Promise.all([
      ...Array.from({ length: 10 }, (_, i) => gate.run(async () => void order.push(`alert${i}`))),
      gate.run(async () => void order.push('reply'), { first: true }),
    ]);
    await sim.runUntil(all);
    expect(order.indexOf('reply')).toBeLessThanOrEqual(1);
  });

  it('paces on its own timeline while the shared one is unreachable, and confirms where it booked', async () => {
    const sim = simClock();
    const spec = timelineSpec(50);
    const confirmed: string[] = [];
    let reachable = false;
    const inner = new MemoryTimeline(spec, sim.clock);
    const shared: TimelineStore = {
      take: async () => (reachable ? inner.take() : null),
      confirm: async (slot) => {
        confirmed.push(slot);
        await inner.confirm(slot);
      },
    };
    const gate = sendGate(spec, shared, sim.clock);
    const arrived: number[] = [];
    const send = () => gate.run(async () => void arrived.push(sim.now()));
    await sim.runUntil(Promise.all(Array.from({ length: 60 }, send)));
    expect(confirmed).toEqual([]); // nothing was booked on the unreachable store
    reachable = true;
    await sim.runUntil(Promise.all(Array.from({ length: 60 }, send)));
    expect(confirmed).toHaveLength(60);
    expect(densest(arrived.slice(0, 60), 1000)).toBeLessThanOrEqual(50);
  });

  it('refuses a non-positive rate', () => {
    expect(() => timelineSpec(0)).toThrow(RangeError);
  });
});
