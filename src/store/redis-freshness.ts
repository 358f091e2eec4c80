/**
 * FreshnessStore on Redis (issue 14 item 3). Per subscription one hash, `qr:<sub>`: rule → the
 * rule's queued messages that have not settled yet, in QUEUE order (`height:token:flag,…`; the
 * token is the tail of the message's block hash, `s…` for a slow-blocks tick). Queue order is
 * evaluation order (one evaluation at a time across all evaluators), so it is what orders a
 * rule's messages — also across a reorg, where the replacement block's message may carry a LOWER
 * height than the message it replaces. Flags: '' waiting, 'c' checked current (being sent),
 * 's' settled superseded (kept until a newer message is sent: it says "replaces block N"),
 * 'x' a newer message was sent (its own job, when it runs, is superseded).
 *
 * An entry lives only while its message is unsettled (or, 's', until the newer one is sent): a
 * field whose list empties is deleted, and Redis deletes the hash with its last field, so a
 * subscription with nothing queued holds no freshness key. The TTL (the notification log's) is
 * only a backstop for messages that never settle (a subscription gone inactive, a job failed for
 * good). Each call is one Lua script over one subscription's key, or (queued) over a batch's
 * keys; every key shares the engine's hash tag on a cluster (keys.ts), so the batch is one slot.
 * At delivery the check also reads the chain state's stored blocks (same prefix, same slot): a
 * message whose block a reorg replaced says so instead of reading as current news.
 */
import type { RedisClient } from './connection.ts';
import type { Freshness, FreshnessStore, MessageAt, OutboundMessage } from '../alerting/ports.ts';
import { NOTIFICATION_TTL_SEC } from '../alerting/pipeline.ts';
import { chainKeys, engineKeys, type ChainKeys, type EngineKeys } from './keys.ts';

/**
 * Lua helpers. A list is an array of {height, token, flag}. A value without ':' is what the
 * height-keyed version stored (the newest queued height; pending or long sent, unknown): it reads
 * as one tokenless 'x' entry, which supersedes older pre-upgrade messages and is never noted.
 */
const LIB = `
local function parse(v)
  local list = {}
  if not string.find(v, ':', 1, true) then
    local h = tonumber(v)
    if h then list[1] = {h, '', 'x'} end
    return list
  end
  for e in string.gmatch(v, '[^,]+') do
    local h, t, f = string.match(e, '^(%d+):([^:]*):(%a?)$')
    if h then list[#list + 1] = {tonumber(h), t, f} end
  end
  return list
end
local function find(list, h, t)
  for i = 1, #list do
    if list[i][1] == h and list[i][2] == t then return i end
  end
  return nil
end
local function store(key, rule, list)
  if #list == 0 then redis.call('HDEL', key, rule); return end
  local parts = {}
  for i = 1, #list do parts[i] = string.format('%d:%s:%s', list[i][1], list[i][2], list[i][3]) end
  redis.call('HSET', key, rule, table.concat(parts, ','))
end
`;

/**
 * KEYS: the batch's qr keys; ARGV[1] ttl, ARGV[2] the messages packed as `key-index height token
 * rule…` joined by ';' (one argument: thousands of arguments cost more than the script's work).
 * Appends each message to its rules' lists (once: a re-queued message is not added again). The
 * TTL is a backstop (entries go as their messages settle): set when a list starts, not on appends.
 */
const QUEUED = `${LIB}
for m in string.gmatch(ARGV[2], '[^;]+') do
  local it = string.gmatch(m, '%S+')
  local key = KEYS[tonumber(it())]
  local h, t = it(), it()
  local entry = h .. ':' .. t .. ':'
  for rule in it do
    -- The usual case, nothing of the rule unsettled: one write, and the backstop TTL set.
    if redis.call('HSETNX', key, rule, entry) == 1 then
      redis.call('EXPIRE', key, ARGV[1])
    else
      local cur = redis.call('HGET', key, rule)
      if not string.find(cur, ':', 1, true) then
        store(key, rule, {{tonumber(cur) or 0, '', 'x'}, {tonumber(h), t, ''}})
      elseif not string.find(',' .. cur, ',' .. entry, 1, true) then
        redis.call('HSET', key, rule, cur .. ',' .. entry)
      end
    end
  end
end
return 1`;

/**
 * KEYS[1] qr, KEYS[2] the chain's stored main-chain blocks; ARGV: height, token, block hash,
 * rules…  Returns '1' when the main chain now has another block at that height (the message's
 * block was reorged away; '0' when it is there or not stored), then a flat list of (rule,
 * 's'|'r', other height): superseded (a newer message of the rule was queued, or sent), or
 * current and replacing the older alert queued just before it that is not and will not be sent.
 * A current rule is marked 'c' (being sent), so a newer message checked meanwhile does not claim
 * to replace it.
 */
const CHECK = `${LIB}
local h, t = tonumber(ARGV[1]), ARGV[2]
local main = redis.call('ZRANGEBYSCORE', KEYS[2], h, h)
local away = #main > 0
for _, b in ipairs(main) do
  -- a stored block is JSON.stringify(StoredBlock): {"block":{"id":"<hash>",…},…}
  if string.find(b, '"id":"' .. ARGV[3] .. '"', 1, true) then away = false end
end
local out = {away and '1' or '0'}
for j = 4, #ARGV do
  local rule = ARGV[j]
  local cur = redis.call('HGET', KEYS[1], rule)
  if cur then
    local list = parse(cur)
    local i = find(list, h, t)
    local newest = list[#list]
    if i == nil then
      -- Not (or no longer) listed: superseded if anything newer is known (a post-upgrade entry,
      -- or a higher height from before the upgrade); else current (nothing known to say).
      for k = 1, #list do
        if list[k][2] ~= '' or list[k][1] > h then
          out[#out + 1] = rule; out[#out + 1] = 's'; out[#out + 1] = tostring(newest[1])
          break
        end
      end
    elseif i < #list or list[i][3] == 'x' then
      out[#out + 1] = rule; out[#out + 1] = 's'; out[#out + 1] = tostring(newest[1])
    else
      local prev = list[i - 1]
      if prev and (prev[3] == '' or prev[3] == 's') then
        out[#out + 1] = rule; out[#out + 1] = 'r'; out[#out + 1] = tostring(prev[1])
      end
      if list[i][3] ~= 'c' then
        list[i][3] = 'c'
        store(KEYS[1], rule, list)
      end
    end
  end
end
return out`;

/**
 * KEYS[1] qr; ARGV: ttl, height, token, count of sent rules, sent rules…, superseded rules…
 * A sent rule drops its entry and the superseded ones before it (their note was said) and marks
 * the older unsettled ones 'x' (never to be sent); a superseded rule is marked 's', or dropped if
 * a newer one was already sent. Idempotent.
 */
const SETTLED = `${LIB}
local h, t, nSent = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
for j = 5, #ARGV do
  local rule = ARGV[j]
  local cur = redis.call('HGET', KEYS[1], rule)
  local list = cur and parse(cur) or {}
  local i = find(list, h, t)
  if i and j < 5 + nSent then
    local keep = {}
    for k = 1, i - 1 do
      local e = list[k]
      if e[3] ~= 's' and e[2] ~= '' then
        e[3] = 'x'
        keep[#keep + 1] = e
      end
    end
    for k = i + 1, #list do keep[#keep + 1] = list[k] end
    store(KEYS[1], rule, keep)
  elseif i then
    if list[i][3] == 'x' then table.remove(list, i) else list[i][3] = 's' end
    store(KEYS[1], rule, list)
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 1`;

/** A message's token in the lists: the tail of its block hash (`s…` for the slow-blocks tick's id). */
export function freshnessToken(hash: string): string {
  const slow = hash.startsWith('slow-');
  return (slow ? 's' : '') + hash.slice(-12).replace(/[^0-9A-Za-z]/g, '_');
}

/** Rule ids are short counters ('7'); nothing that could break the packed list or the entries. */
const RULE_ID = /^[^\s;,:]+$/;

const rulesOf = (m: Pick<OutboundMessage, 'events'>): string[] => [...new Set(m.events.map((e) => e.rule))];

export class RedisFreshness implements FreshnessStore {
  /** The watcher's chain state under the same prefix: which block is on the main chain at a height. */
  private readonly chain: ChainKeys;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys = engineKeys(),
  ) {
    this.chain = chainKeys(keys.prefix);
  }

  /** One script call for the whole batch (an evaluation batch has one message per subscription). */
  async queued(
    messages: ReadonlyArray<Pick<OutboundMessage, 'subscriptionId' | 'height' | 'hash' | 'events'>>,
  ): Promise<void> {
    const keyIndex = new Map<string, number>();
    const packed: string[] = [];
    for (const m of messages) {
      const rules = rulesOf(m);
      if (rules.length === 0) continue;
      const bad = rules.find((r) => !RULE_ID.test(r));
      if (bad !== undefined) throw new Error(`freshness: rule id ${JSON.stringify(bad)} of ${m.subscriptionId}`);
      const key = this.keys.queuedRules(m.subscriptionId);
      let k = keyIndex.get(key);
      if (k === undefined) keyIndex.set(key, (k = keyIndex.size + 1));
      packed.push(`${k} ${m.height} ${freshnessToken(m.hash)} ${rules.join(' ')}`);
    }
    if (keyIndex.size === 0) return;
    await this.redis.eval(QUEUED, keyIndex.size, ...keyIndex.keys(), NOTIFICATION_TTL_SEC, packed.join(';'));
  }

  async check(subscriptionId: string, message: MessageAt, rules: readonly string[]): Promise<Freshness> {
    const superseded = new Map<string, number>();
    const replaced = new Map<string, number>();
    const [away, ...flat] = (await this.redis.eval(
      CHECK,
      2,
      this.keys.queuedRules(subscriptionId),
      this.chain.blocks,
      message.height,
      freshnessToken(message.hash),
      message.hash.replace(/^slow-/, ''),
      ...rules,
    )) as string[];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const [rule, tag, other] = [flat[i] as string, flat[i + 1], Number(flat[i + 2])];
      (tag === 's' ? superseded : replaced).set(rule, other);
    }
    return { superseded, replaced, blockReplaced: away === '1' };
  }

  async settled(
    subscriptionId: string,
    message: MessageAt,
    sent: readonly string[],
    superseded: readonly string[],
  ): Promise<void> {
    if (sent.length + superseded.length === 0) return;
    await this.redis.eval(
      SETTLED,
      1,
      this.keys.queuedRules(subscriptionId),
      NOTIFICATION_TTL_SEC,
      message.height,
      freshnessToken(message.hash),
      sent.length,
      ...sent,
      ...superseded,
    );
  }
}
