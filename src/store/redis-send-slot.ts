/**
 * One platform's global send rate shared by every notifier process through Redis: each send takes
 * the next free slot on a single timeline (`intervalMs` apart, GCRA-style, Redis' own clock), so
 * however many processes send with one bot token, their requests leave evenly spaced. The BullMQ
 * limiter spaces job starts; this spaces the requests themselves, after each job's own work
 * (rendering, claims), whose length varies from process to process.
 */
import type { RedisClient } from './connection.ts';

/** A reserved place on a shared send timeline: how long to wait (ms) before sending. */
export interface SharedSendSlot {
  take(): Promise<number>;
}

/**
 * KEYS: the timeline. ARGV: interval ms, horizon ms. Reserves the next slot when it is at most
 * `horizon` away and returns the wait (≥ 0, whole ms); otherwise reserves nothing and returns
 * −1 − (ms until it is worth asking again). Slots are never booked far ahead: a process that
 * stalls between booking and sending would send late, bunched with others' punctual slots.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local iv = tonumber(ARGV[1])
local at = math.max(now, nxt)
if at - now > tonumber(ARGV[2]) then return -1 - math.ceil(at - now - tonumber(ARGV[2])) end
redis.call('SET', KEYS[1], tostring(at + iv), 'PX', math.ceil(at + iv - now) + 1000)
return math.ceil(at - now)`;

/**
 * Slot spacing for `perSec` sends a second: 4 % over 1000/perSec ms (Telegram 34.7 ms = 28.8/s),
 * so `perSec` consecutive slots span 1040 ms and a request may arrive up to 40 ms later than the
 * one `perSec` slots before it without two seconds' worth landing in one (measured at the
 * stand-in under a loaded machine: 5 ms of margin let 33 arrive in a second).
 */
export function sendSlotIntervalMs(perSec: number): number {
  return (1000 / perSec) * 1.04;
}

/** Connection states in which a command would only wait in the offline queue for a reconnect. */
const DOWN: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

/** The shared timeline under `key` (e.g. `hb:pace:telegram`) for `perSec` sends a second. */
export function redisSendSlot(redis: RedisClient, key: string, perSec: number): SharedSendSlot {
  const intervalMs = sendSlotIntervalMs(perSec);
  return {
    async take() {
      for (;;) {
        // Storage unreachable: pace alone (the caller's own pacer and the BullMQ limiter still bound
        // the rate). An eval queued on a disconnected client would wait for the reconnect, and with
        // it every reply — including the "temporarily unavailable" ones an outage calls for.
        if (DOWN.has(redis.status)) return 0;
        // Horizon 0: a slot is only taken when it is due, and the request leaves at once. A waiter
        // that wakes late takes the slot late and the timeline moves on from there, so a late
        // timer never bunches two requests (sleeping on a booked slot did: 31 in a second).
        const r = Number(await redis.eval(TAKE, 1, key, intervalMs, 0));
        if (r >= 0) return r;
        await new Promise((resolve) => setTimeout(resolve, -1 - r + Math.random() * 2));
      }
    },
  };
}
