/**
 * BroadcastStore on Redis (issue 14 item 2): `bc:<series>:<hash>` holds the payload once and the
 * SSCAN cursor over the series' event index (`ix:<series>:e`). SSCAN returns every member present
 * for the whole walk at least once (a member may repeat: the notification log dedupes), and its
 * cursor is a plain string, so persisting it is what makes a crashed fan-out resume. Memory: one
 * small hash per block and series, whatever the number of recipients.
 */
import type { RedisClient } from './connection.ts';
import type { BroadcastStore } from '../alerting/ports.ts';
import { NOTIFICATION_TTL_SEC } from '../alerting/pipeline.ts';
import type { EngineKeys } from './keys.ts';

/** KEYS[1] broadcast; ARGV: from, next, done. Compare-and-set of the cursor. */
const ADVANCE = `
if redis.call('HGET', KEYS[1], 'c') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[2])
if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'd', '1') end
return 1`;

export class RedisBroadcasts implements BroadcastStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
  ) {}

  async put(series: string, blockHash: string, payload: string): Promise<void> {
    const k = this.keys.broadcast(series, blockHash);
    if ((await this.redis.hsetnx(k, 'p', payload)) === 1) {
      await this.redis.hset(k, 'c', '0');
      await this.redis.expire(k, NOTIFICATION_TTL_SEC);
    }
  }

  async chunk(
    series: string,
    blockHash: string,
    count: number,
  ): Promise<{ payload: string; members: string[]; from: string; next: string; done: boolean } | null> {
    const got = await this.redis.hmget(this.keys.broadcast(series, blockHash), 'p', 'c', 'd');
    const [payload, from, doneFlag] = [got[0] ?? null, got[1] ?? null, got[2] ?? null];
    if (payload === null || from === null) return null;
    if (doneFlag === '1') return { payload, members: [], from, next: from, done: true };
    const [next, members] = await this.redis.sscan(this.keys.eventIndex(series), from, 'COUNT', count);
    return { payload, members, from, next, done: next === '0' };
  }

  async advance(series: string, blockHash: string, from: string, next: string, done: boolean): Promise<boolean> {
    const res = await this.redis.eval(ADVANCE, 1, this.keys.broadcast(series, blockHash), from, next, done ? '1' : '0');
    return res === 1;
  }
}
