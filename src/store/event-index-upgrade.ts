/**
 * Upgrade of the event index (issue 14 item 2): event rules (retarget, new-block) used to wait in
 * a plain set per series (`ix:<series>:e`); they now wait in a sorted set with every score 0
 * (`ix:<series>:l`), ordered by member, which a fan-out walks by ZRANGEBYLEX from the last member
 * it settled. Checked before every evaluation (one EXISTS per event series, pipelined): a legacy
 * set left by an older version — or written by an older process during a rolling upgrade — is
 * moved over in chunks, each chunk popped from the set and added to the sorted set in one script,
 * so a crash at any point loses no member and a re-run finishes the move. A rule removed meanwhile
 * is removed from both (RedisRuleIndex.unplace), so it cannot come back.
 */
import type { RedisClient } from './connection.ts';
import { SERIES } from '../alerting/kinds/registry.ts';
import type { EngineKeys } from './keys.ts';

/** The series whose rules sit in an event index. */
export const EVENT_SERIES: readonly string[] = [...SERIES].filter(([, d]) => d.mode === 'event').map(([s]) => s);

/** KEYS[1] legacy set, KEYS[2] sorted index; ARGV[1] chunk. Moves up to a chunk; returns how many. */
const MOVE = `
local ms = redis.call('SPOP', KEYS[1], tonumber(ARGV[1]))
for i = 1, #ms do redis.call('ZADD', KEYS[2], 0, ms[i]) end
return #ms`;

/** Moves every legacy event set into its sorted index; returns how many members moved. */
export async function upgradeEventIndex(redis: RedisClient, keys: EngineKeys, chunk = 5000): Promise<number> {
  const probe = redis.pipeline();
  for (const series of EVENT_SERIES) probe.exists(keys.legacyEventIndex(series));
  const found = ((await probe.exec()) ?? []).map(([, v]) => v === 1);
  let moved = 0;
  for (const [i, series] of EVENT_SERIES.entries()) {
    if (!found[i]) continue;
    for (;;) {
      const n = (await redis.eval(MOVE, 2, keys.legacyEventIndex(series), keys.eventIndex(series), chunk)) as number;
      moved += n;
      if (n < chunk) break;
    }
  }
  return moved;
}
