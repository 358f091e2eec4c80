/**
 * One platform's global send rate shared by every notifier process through Redis: the timeline
 * of platforms/send-timeline.ts (`takeSlot`/`confirmSlot`, the rule and why it holds) kept in one
 * hash and run in Lua on Redis' own clock (µs), so however many processes send with one bot
 * token, at most `perWindow` of their requests arrive at the platform in any window.
 *
 * Hash fields: `n` (next sequence number), `last` (the last slot booked), and `seq % perWindow` →
 * the slot's time, negative while its request has not been answered (booked, pending).
 */
import { createHash } from 'node:crypto';
import type { RedisClient } from './connection.ts';

/** The rule's parameters (platforms/send-timeline.ts TimelineSpec; ms). */
export interface SendTimelineSpec {
  readonly perWindow: number;
  readonly windowMs: number;
  readonly minSpacingMs: number;
  readonly horizonMs: number;
  readonly pendingMaxMs: number;
}

/** A booked slot: wait `waitMs`, send, then confirm `slot`; or try again in `retryMs`. */
export type SendSlotTake = { readonly waitMs: number; readonly slot: string } | { readonly retryMs: number };

/** The shared timeline (structurally platforms/send-timeline.ts TimelineStore). */
export interface SharedSendTimeline {
  /** Null while Redis is unreachable (the caller paces alone meanwhile). */
  take(): Promise<SendSlotTake | null>;
  confirm(slot: string): Promise<void>;
}

/**
 * KEYS: the hash. ARGV: perWindow, window µs, min spacing µs, horizon µs, pending max µs, pending
 * retry µs. Returns {1, wait µs, seq, at} when a slot was booked, {0, retry µs} otherwise.
 * The same steps as takeSlot in platforms/send-timeline.ts.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local k = tonumber(ARGV[1])
local win, gap, hor, pmax = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local st = redis.call('HMGET', KEYS[1], 'n', 'last')
local n = tonumber(st[1]) or 0
local idx = n % k
local old = tonumber(redis.call('HGET', KEYS[1], idx)) or 0
local at = now
if st[2] then at = math.max(now, tonumber(st[2]) + gap) end
if old < 0 then
  local deadline = -old + pmax
  if now < deadline then
    local earliest = math.max(at, now + win)
    return {0, math.ceil(math.max(tonumber(ARGV[6]), earliest - now - hor))}
  end
  old = deadline
end
at = math.max(at, old + win)
if at - now > hor then return {0, math.ceil(at - now - hor)} end
redis.call('HSET', KEYS[1], 'n', n + 1, 'last', at, idx, -at)
redis.call('PEXPIRE', KEYS[1], math.ceil((at - now + win + pmax) / 1000) + 1000)
return {1, math.ceil(at - now), n, at}`;

/** KEYS: the hash. ARGV: perWindow, seq, at (µs). The slot's request was answered: confirm it now. */
const CONFIRM = `
local idx = tonumber(ARGV[2]) % tonumber(ARGV[1])
local v = tonumber(redis.call('HGET', KEYS[1], idx))
if v == nil or v ~= -tonumber(ARGV[3]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('HSET', KEYS[1], idx, math.max(now, tonumber(ARGV[3])))
return 1`;

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');
const TAKE_SHA = sha1(TAKE);
const CONFIRM_SHA = sha1(CONFIRM);

/** EVALSHA, loading the script on NOSCRIPT (a restarted or failed-over Redis). */
async function run(redis: RedisClient, sha: string, body: string, key: string, args: Array<string | number>) {
  try {
    return await redis.evalsha(sha, 1, key, ...args);
  } catch (e) {
    if (!String(e).includes('NOSCRIPT')) throw e;
    return redis.eval(body, 1, key, ...args);
  }
}

/** Connection states in which a command would only wait in the offline queue for a reconnect. */
const DOWN: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end']);

const US = 1000;

/** The shared timeline under `key` (e.g. `hb:pace:telegram:30`). */
export function redisSendSlot(redis: RedisClient, key: string, spec: SendTimelineSpec): SharedSendTimeline {
  const takeArgs = [
    spec.perWindow,
    Math.round(spec.windowMs * US),
    Math.round(spec.minSpacingMs * US),
    Math.round(spec.horizonMs * US),
    Math.round(spec.pendingMaxMs * US),
    2 * US,
  ];
  return {
    async take() {
      // Storage unreachable: the caller paces alone. An eval queued on a disconnected client would
      // wait for the reconnect, and with it every reply — including the "temporarily unavailable"
      // ones an outage calls for.
      if (DOWN.has(redis.status)) return null;
      const r = (await run(redis, TAKE_SHA, TAKE, key, takeArgs)) as number[];
      if (Number(r[0]) !== 1) return { retryMs: Number(r[1]) / US };
      return { waitMs: Number(r[1]) / US, slot: `${r[2]}:${r[3]}` };
    },
    async confirm(slot) {
      if (DOWN.has(redis.status)) return;
      const [seq, at] = slot.split(':');
      await run(redis, CONFIRM_SHA, CONFIRM, key, [spec.perWindow, seq!, at!]);
    },
  };
}
