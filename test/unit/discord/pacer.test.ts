/**
 * The notifier's pacer hands out evenly spaced slots on absolute time: never more than perSec in
 * any one-second span, and a late timer does not lower the long-run rate.
 */
import { describe, expect, it } from 'vitest';
import { Pacer, type PacerClock } from '../../../src/platforms/discord/pacer.ts';

function fakeClock(lateMs = 0): PacerClock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms + lateMs;
    },
  };
  return c;
}

describe('Pacer', () => {
  it('spaces 200 sequential sends 20 ms apart at 50/s', async () => {
    const clock = fakeClock();
    const p = new Pacer(50, clock);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      await p.slot();
      times.push(clock.t);
    }
    expect(times.slice(0, 3)).toEqual([0, 20, 40]);
    for (let i = 50; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 50] ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('keeps the rate when timers fire late (slots are on absolute time)', async () => {
    const clock = fakeClock(3);
    const p = new Pacer(50, clock);
    for (let i = 0; i < 500; i++) await p.slot();
    // 500 slots at 20 ms end near 10 s, not 500 × 23 ms.
    expect(clock.t).toBeLessThan(10_100);
  });

  it('refuses a non-positive rate', () => {
    expect(() => new Pacer(0)).toThrow(RangeError);
  });
});
