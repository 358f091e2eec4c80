/**
 * Upgrade of stored `hashrate-drop` rules to the sequential detector (issue 10), run once per
 * Redis prefix before the first block the new code evaluates.
 *
 * Before: drop rules waited in `hd-<window>-<lookback>` sorted sets scored by pct (fire) or pct/2
 * (resolve). Now: they wait in their detector cell's series `hd-<lookback>-<cell>` at 1 / 0. The
 * rules themselves (`hd|created|pct|window|lookback`) are unchanged. Nothing may be lost or told
 * twice, so a rule that was firing under the old detector:
 * - stays firing (no message) when the new detector's cell is alarmed on this block — its
 *   'resolved' message will come when the drop really ends;
 * - otherwise turns ok SILENTLY: the new detector does not see the drop the old one reported,
 *   and a 'resolved' message for a figure the user never saw would be noise.
 * A rule that was ok stays ok. Re-running is harmless (each member is moved once); a flag key
 * makes later calls a single GET.
 */
import type { RedisClient } from './connection.ts';
import { kindOf } from '../alerting/kinds/registry.ts';
import type { Rule, RuleState } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { HASHRATE_WINDOWS, LOOKBACKS } from '../domain/types.ts';
import { decodeRule, decodeState, encodeState } from './codec.ts';
import type { IndexPlan } from './index-plan.ts';
import { splitRuleKey, type EngineKeys } from './keys.ts';
import { RedisRuleIndex } from './rule-index.ts';

/** The series names drop rules used before the detector. */
export const LEGACY_DROP_SERIES: readonly string[] = Object.keys(HASHRATE_WINDOWS).flatMap((w) =>
  Object.keys(LOOKBACKS).map((lb) => `hd-${w}-${lb}`),
);

const done = new Set<string>();
const flagKey = (keys: EngineKeys): string => keys.upgradeFlag('drop-detector');

export interface DropMigrationStats {
  moved: number;
  keptFiring: number;
  silencedFiring: number;
}

/** Moves every legacy drop rule to its cell; `snapshot` is the block about to be evaluated. */
export async function migrateDropRules(
  redis: RedisClient,
  keys: EngineKeys,
  plan: IndexPlan,
  snapshot: Snapshot,
): Promise<DropMigrationStats> {
  const stats: DropMigrationStats = { moved: 0, keptFiring: 0, silencedFiring: 0 };
  // A snapshot computed by the old version cannot say what the detector sees: wait for one that can
  // (meanwhile legacy rules sit in sets nobody observes: nothing changes, nothing is said).
  if (done.has(keys.prefix) || snapshot.drop === undefined) return stats;
  if ((await redis.get(flagKey(keys))) !== null) {
    done.add(keys.prefix);
    return stats;
  }
  const index = new RedisRuleIndex(redis, keys);
  for (const series of LEGACY_DROP_SERIES) {
    const members = new Set([
      ...(await redis.zrange(keys.fireIndex(series), 0, -1)),
      ...(await redis.zrange(keys.resolveIndex(series), 0, -1)),
    ]);
    for (const member of members) {
      const tx = redis.multi();
      tx.zrem(keys.fireIndex(series), member).zrem(keys.resolveIndex(series), member);
      const k = splitRuleKey(member);
      const raw = k === null ? null : await redis.hget(keys.rules(k.subscriptionId), k.ruleId);
      if (k !== null && raw !== null) {
        const rule = decodeRule(k.subscriptionId, k.ruleId, raw);
        if (rule.kind === 'hashrate-drop') {
          const stateRaw = await redis.hget(keys.states(k.subscriptionId), k.ruleId);
          const state = stateRaw === null ? null : decodeState(stateRaw);
          const status = nextStatus(rule, state, snapshot);
          if (state !== null && state.status === 'firing' && status === 'ok') {
            const silenced: RuleState = { ...state, status: 'ok', firingSinceHeight: state.lastHeight };
            tx.hset(keys.states(k.subscriptionId), k.ruleId, encodeState(silenced));
            stats.silencedFiring++;
          } else if (status === 'firing') stats.keptFiring++;
          index.place(tx, member, plan.placement(rule), status);
          stats.moved++;
        }
      }
      await tx.exec();
    }
  }
  await redis.set(flagKey(keys), String(snapshot.height));
  done.add(keys.prefix);
  return stats;
}

function nextStatus(rule: Rule, state: RuleState | null, s: Snapshot): 'ok' | 'firing' {
  if (state === null || state.status !== 'firing') return 'ok';
  const def = kindOf(rule);
  const r = def.read(def.series(rule), s, s.timeSec);
  return r !== null && r.value >= def.fireLevel(rule) ? 'firing' : 'ok';
}

/** Tests: forget which prefixes this process has already migrated. */
export function resetDropMigrationMemo(): void {
  done.clear();
}
