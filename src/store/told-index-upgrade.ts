/**
 * Upgrade to the told index (issue 14, the epoch sweep): an epoch's first block used to judge
 * EVERY retarget-estimate rule; it now judges the firing ones and those in the series' told set
 * (ok, still carrying what they told: index-model.ts inToldSet), the only ones closeEpoch can
 * close. A state stored by an older version is not in that set yet, so before the first
 * evaluation the fire sets of the estimate series are walked once (ZSCAN, in chunks) and each
 * eased estimate whose state carries what it told is added; then a marker says it is done.
 * A crash midway re-runs the walk (adding is idempotent). Firing rules need nothing: the sweep
 * reads the resolve set, and the batch writer adds them to the told set when they ease.
 */
import type { RedisClient } from './connection.ts';
import { TOLD_SERIES } from '../alerting/index-model.ts';
import { decodeState } from './codec.ts';
import { splitRuleKey, type EngineKeys } from './keys.ts';

/** Adds every eased estimate stored before the told index to it (once per prefix); returns how many. */
export async function upgradeToldIndex(redis: RedisClient, keys: EngineKeys, chunk = 5000): Promise<number> {
  if ((await redis.exists(keys.toldIndexUpgraded())) === 1) return 0;
  let added = 0;
  for (const series of TOLD_SERIES) {
    let cursor = '0';
    do {
      const [next, flat] = await redis.zscan(keys.fireIndex(series), cursor, 'COUNT', chunk);
      cursor = next;
      const members = flat.filter((_, i) => i % 2 === 0);
      const read = redis.pipeline();
      const found: string[] = [];
      for (const m of members) {
        const k = splitRuleKey(m);
        if (k === null) continue;
        read.hget(keys.states(k.subscriptionId), k.ruleId);
        found.push(m);
      }
      if (found.length === 0) continue;
      const states = ((await read.exec()) ?? []).map(([, v]) => v as string | null);
      const told = found.filter((_, i) => {
        const raw = states[i] ?? null;
        // Any state carrying what it told: an eased one, or one whose firing state was written
        // without moving it to the resolve set (the sweep closes it either way; the batch writer
        // drops it from the set when it next writes its state).
        return raw !== null && (decodeState(raw)?.told ?? null) !== null;
      });
      if (told.length > 0) {
        await redis.zadd(keys.toldIndex(series), ...told.flatMap((m) => [0, m]));
        added += told.length;
      }
    } while (cursor !== '0');
  }
  await redis.set(keys.toldIndexUpgraded(), '1');
  return added;
}
