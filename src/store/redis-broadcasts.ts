/**
 * BroadcastStore on Redis (issue 14 item 2). Per (series, height, platform) — one walk per platform
 * over its own subscribers, `<platform>-…` in the index — `bc:<series>:<height>:<platform>` holds:
 * `h` the block hash, `p` the notice stored once, the walk — `s` its origin (a member; '' the
 * index's start), `c` the last member settled ('' none yet), `w` '1' once it wrapped past the end
 * back to the start (only when the origin is not the start), `k` the chunk number, `d` '1' when
 * complete — the evaluation's progress — `m` the last subscription whose own lines are stored, `e`
 * '1' when the evaluation is complete — `x` the newer height that superseded the walk, and `r`,
 * `oc`, `os`, `ow`: where the walk this one superseded had got to.
 *
 * The walk reads the sorted event index with ZRANGEBYLEX from `c` (exclusive), which never
 * returns a member twice and skips nothing that stays in the index; `bcs:<series>:<height>` is
 * the set of subscriptions settled in the current chunk, deleted when the cursor moves. So the
 * exactly-once record of a fan-out costs one small hash plus at most one chunk of ids, whatever
 * the number of recipients (the per-recipient log keys it replaces took ≈ 200 B each). Every key
 * is built by ./keys.ts, so on a cluster all of them share the engine's slot.
 */
import type { RedisClient } from './connection.ts';
import type { BroadcastChunk, BroadcastStore, SupersededWalk, WalkAt } from '../alerting/ports.ts';
import { NOTIFICATION_TTL_SEC } from '../alerting/pipeline.ts';
import { MAX_RULES_PER_SUBSCRIPTION } from '../alerting/types.ts';
import type { EngineKeys } from './keys.ts';

/**
 * KEYS: bc, latest, bc of the latest height, extras. ARGV: height, hash, payload, ttl, latest as
 * read ('' none). Returns the chunk number, or -1 when `latest` moved meanwhile (read it again).
 */
const PUT = `
local cur = redis.call('HMGET', KEYS[1], 'h', 'k')
if cur[1] then
  if cur[1] ~= ARGV[2] then
    redis.call('HSET', KEYS[1], 'h', ARGV[2], 'p', ARGV[3], 'e', '0', 'm', '')
    redis.call('DEL', KEYS[4])
  end
  return tonumber(cur[2])
end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[5] then return -1 end
local h = tonumber(ARGV[1])
local s, r, oc, os, ow, x = '', '', '', '', '', false
if ARGV[5] ~= '' and tonumber(ARGV[5]) > h then x = true end
if ARGV[5] ~= '' and tonumber(ARGV[5]) < h then
  local o = redis.call('HMGET', KEYS[3], 'c', 's', 'w', 'd', 'x')
  if o[1] and o[4] ~= '1' and not o[5] then
    redis.call('HSET', KEYS[3], 'x', ARGV[1])
    if o[3] == '0' and o[1] == '' then s = o[2] else s = o[1] end
    r, oc, os, ow = ARGV[5], o[1], o[2], o[3]
  end
end
redis.call('HSET', KEYS[1], 'h', ARGV[2], 'p', ARGV[3], 'c', '', 's', s, 'w', '0', 'k', '0', 'e', '0', 'm', '',
  'r', r, 'oc', oc, 'os', os, 'ow', ow)
if x then redis.call('HSET', KEYS[1], 'x', ARGV[5]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
if not x then redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[4]) end
return 0`;

/** KEYS: bc, extras. ARGV: hash, upTo ('' = complete), ttl, then subscription/events pairs. */
const PROGRESS = `
if redis.call('HGET', KEYS[1], 'h') ~= ARGV[1] then return 0 end
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
if #ARGV > 3 then redis.call('EXPIRE', KEYS[2], ARGV[3]) end
if ARGV[2] == '' then redis.call('HSET', KEYS[1], 'e', '1') else redis.call('HSET', KEYS[1], 'm', ARGV[2]) end
return 1`;

/**
 * KEYS: bc, index, settled, extras. ARGV: hash, chunk, how many members to read, the platform's
 * first and last member bounds (`[telegram-`, `(telegram.`: '.' follows '-'). Returns the
 * status, then (for 'ok') the fields the caller needs, the members read, the settled set.
 */
const CHUNK = `
local f = redis.call('HMGET', KEYS[1], 'h', 'p', 'c', 's', 'w', 'd', 'k', 'x', 'e', 'm', 'r', 'oc', 'os', 'ow')
if not f[1] then return {'none'} end
if f[1] ~= ARGV[1] then return {'reorged'} end
if f[8] then return {'superseded'} end
if f[6] == '1' then return {'done'} end
if f[7] ~= ARGV[2] then return {'stale', f[7]} end
local min = ARGV[4]
if f[3] ~= '' then min = '(' .. f[3] elseif f[5] ~= '1' and f[4] ~= '' then min = '(' .. f[4] end
local max = ARGV[5]
if f[5] == '1' then max = '[' .. f[4] end
local ms = redis.call('ZRANGEBYLEX', KEYS[2], min, max, 'LIMIT', 0, tonumber(ARGV[3]))
local sent = redis.call('SMEMBERS', KEYS[3])
local out = {'ok', f[2], f[9], f[10], f[11], f[12], f[13], f[14], tostring(redis.call('HLEN', KEYS[4])), tostring(#ms)}
for i = 1, #ms do table.insert(out, ms[i]) end
for i = 1, #sent do table.insert(out, sent[i]) end
return out`;

/** KEYS: bc, settled. ARGV: hash, subscription, ttl. 0 when the walk was stopped meanwhile. */
const SETTLE = `
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
local f = redis.call('HMGET', KEYS[1], 'h', 'x')
if f[1] ~= ARGV[1] or f[2] then return 0 end
return 1`;

/**
 * A finished walk is kept this long (not the log's 14 days): long enough for any reorg of its
 * block to find it — and tell nobody twice — while a notice per block does not pile up.
 */
const DONE_KEPT_SEC = 86_400;

/** KEYS: bc, settled. ARGV: hash, chunk, last member, exhausted, kept when done (s). The next chunk number, or -1. */
const ADVANCE = `
local f = redis.call('HMGET', KEYS[1], 'h', 'k', 's', 'w', 'x')
if f[1] ~= ARGV[1] or f[2] ~= ARGV[2] or f[5] then return -1 end
redis.call('DEL', KEYS[2])
local k = tonumber(ARGV[2]) + 1
if ARGV[4] == '1' then
  if f[4] == '0' and f[3] ~= '' then redis.call('HSET', KEYS[1], 'w', '1', 'c', '', 'k', k)
  else
    redis.call('HSET', KEYS[1], 'd', '1', 'k', k)
    redis.call('EXPIRE', KEYS[1], ARGV[5])
  end
else
  redis.call('HSET', KEYS[1], 'c', ARGV[3], 'k', k)
end
return k`;

/** One platform's walk of one height's broadcast, in key names: `<height>:<platform>`. */
function walkId(at: Pick<WalkAt, 'height' | 'platform'>): string {
  return `${at.height}:${at.platform}`;
}

/** The subscription of an index member `sub/rule`. */
export function memberSub(member: string): string {
  const i = member.lastIndexOf('/');
  return i <= 0 ? member : member.slice(0, i);
}

export class RedisBroadcasts implements BroadcastStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
  ) {}

  private bc(at: WalkAt): string {
    return this.keys.broadcast(at.series, walkId(at));
  }

  async put(at: WalkAt, payload: string): Promise<{ chunk: number }> {
    const latestKey = this.keys.broadcastLatest(`${at.series}:${at.platform}`);
    for (let attempt = 0; attempt < 10; attempt++) {
      const latest = (await this.redis.get(latestKey)) ?? '';
      const chunk = (await this.redis.eval(
        PUT,
        4,
        this.bc(at),
        latestKey,
        this.keys.broadcast(at.series, latest === '' ? '-' : walkId({ ...at, height: Number(latest) })),
        this.keys.broadcastExtras(at.series, walkId(at)),
        at.height,
        at.hash,
        payload,
        NOTIFICATION_TTL_SEC,
        latest,
      )) as number;
      if (chunk >= 0) return { chunk };
    }
    throw new Error(`broadcast ${at.series} ${at.height}: the latest height kept moving`);
  }

  async progress(
    at: WalkAt,
    upTo: string | null,
    extras: ReadonlyArray<{ subscriptionId: string; events: string }>,
  ): Promise<void> {
    const pairs = extras.flatMap((x) => [x.subscriptionId, x.events]);
    await this.redis.eval(
      PROGRESS,
      2,
      this.bc(at),
      this.keys.broadcastExtras(at.series, walkId(at)),
      at.hash,
      upTo ?? '',
      NOTIFICATION_TTL_SEC,
      ...pairs,
    );
  }

  async chunk(at: WalkAt, chunk: number, count: number): Promise<BroadcastChunk> {
    const extrasKey = this.keys.broadcastExtras(at.series, walkId(at));
    // Enough to finish the last subscription of a full chunk (one message per subscription).
    const read = count + MAX_RULES_PER_SUBSCRIPTION + 1;
    const raw = (await this.redis.eval(
      CHUNK,
      4,
      this.bc(at),
      this.keys.eventIndex(at.series),
      this.keys.broadcastSent(at.series, walkId(at)),
      extrasKey,
      at.hash,
      chunk,
      read,
      `[${at.platform}-`,
      `(${at.platform}.`,
    )) as string[];
    const status = raw[0];
    if (status === 'stale') return { status, chunk: Number(raw[1]) };
    if (status !== 'ok') return { status: status as 'none' | 'reorged' | 'superseded' | 'done' };
    const [payload, evalDone, mark, r, oc, os, ow, extrasLen, n] = raw.slice(1, 10) as string[];
    const fetched = raw.slice(10, 10 + Number(n));
    const settled = new Set(raw.slice(10 + Number(n)));
    let members = wholeSubscriptions(fetched, count, fetched.length >= read);
    let exhausted = fetched.length < read && members.length === fetched.length;
    if (evalDone !== '1') {
      // The evaluation stores recipients' own lines in subscription order: never pass it (the
      // walk stops at the first subscription it has not reached, so its cursor skips nobody).
      const cut = members.findIndex((m) => memberSub(m) > (mark ?? ''));
      if (cut >= 0) {
        members = members.slice(0, cut);
        exhausted = false;
      }
      if (members.length === 0) return { status: 'wait' };
    }
    const subs = [...new Set(members.map(memberSub))];
    const extras = new Map<string, string>();
    if (Number(extrasLen) > 0 && subs.length > 0) {
      const got = await this.redis.hmget(extrasKey, ...subs);
      subs.forEach((s, i) => {
        const v = got[i];
        if (v !== null && v !== undefined) extras.set(s, v);
      });
    }
    const superseded: SupersededWalk | undefined =
      r === '' || r === undefined
        ? undefined
        : { height: Number(r), origin: os ?? '', cursor: oc ?? '', wrapped: ow === '1' };
    return {
      status: 'ok',
      payload: payload as string,
      members,
      settled,
      extras,
      exhausted,
      ...(superseded ? { superseded } : {}),
    };
  }

  async settle(at: WalkAt, subscriptionId: string): Promise<boolean> {
    const res = await this.redis.eval(
      SETTLE,
      2,
      this.bc(at),
      this.keys.broadcastSent(at.series, walkId(at)),
      at.hash,
      subscriptionId,
      NOTIFICATION_TTL_SEC,
    );
    return res === 1;
  }

  async toldFirst(): Promise<ReadonlySet<string>> {
    return new Set(await this.redis.smembers(this.keys.broadcastSubscriptions()));
  }

  async advance(at: WalkAt, chunk: number, last: string, exhausted: boolean): Promise<number | null> {
    const res = (await this.redis.eval(
      ADVANCE,
      2,
      this.bc(at),
      this.keys.broadcastSent(at.series, walkId(at)),
      at.hash,
      chunk,
      last,
      exhausted ? '1' : '0',
      DONE_KEPT_SEC,
    )) as number;
    return res < 0 ? null : res;
  }
}

/**
 * The first `count` members, plus the rest of the last one's subscription, so a subscription's
 * rules of the series never straddle two chunks (one message per subscription and block). A
 * read that ends inside a subscription keeps only the whole ones before it.
 */
function wholeSubscriptions(fetched: readonly string[], count: number, more: boolean): string[] {
  if (fetched.length <= count) return [...fetched];
  let end = count;
  const last = memberSub(fetched[count - 1] as string);
  while (end < fetched.length && memberSub(fetched[end] as string) === last) end++;
  if (end === fetched.length && more) {
    // The read ended inside `last`: leave it whole for the next chunk (unless it is all there is).
    let cut = count;
    while (cut > 0 && memberSub(fetched[cut - 1] as string) === last) cut--;
    return fetched.slice(0, cut > 0 ? cut : end);
  }
  return fetched.slice(0, end);
}
