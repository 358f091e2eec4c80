/**
 * The one-time told-index upgrade (src/store/told-index-upgrade.ts) on an install upgraded with N
 * subscriptions holding the /start rules: the first evaluation after the upgrade walks the
 * estimate fire set once and reads each state. Prints its time and how many eased estimates it
 * found (every tenth one here), as a JSON line. Private redis-server, killed at the end.
 * Usage: npx tsx bench/told-upgrade.ts [subs=100000]
 */
import { Redis } from 'ioredis';
import { alertIndexPlan } from '../src/alerting/engine.ts';
import { encodeState } from '../src/store/codec.ts';
import { engineKeys, ruleKey } from '../src/store/keys.ts';
import { upgradeToldIndex } from '../src/store/told-index-upgrade.ts';
import { emit, privateRedis, seed } from './engine-redis.ts';

const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const keys = engineKeys('hb-bench:');
const { port, stop } = await privateRedis();
const redis = new Redis({ port, maxRetriesPerRequest: null });
try {
  await seed(redis, keys, alertIndexPlan, 0, n, () => [
    { kind: 'retarget' },
    { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '14d' },
    { kind: 'retarget-estimate', pct: 5, direction: 'both' },
  ]);
  const state = encodeState({
    status: 'ok',
    lastHeight: 100,
    lastHash: 'f'.repeat(64),
    firingSinceHeight: 90,
    lastNotifiedSec: 1,
    sinceSec: null,
    told: { value: -6, sec: 1, height: 50 },
  });
  const p = redis.pipeline();
  for (let i = 0; i < n; i += 10) p.hset(keys.states(`telegram-chat-${100_000_000 + i}`), '3', state);
  await p.exec();
  // An install written by the previous version: no marker.
  await redis.del(keys.toldIndexUpgraded());
  const t0 = performance.now();
  const added = await upgradeToldIndex(redis, keys);
  const ms = performance.now() - t0;
  const again = performance.now();
  await upgradeToldIndex(redis, keys);
  emit('told-upgrade', 'one-time-walk', ms, 'ms', {
    subscriptions: n,
    added,
    inSet: await redis.zcard(keys.toldIndex('re-both')),
    member: (await redis.zrange(keys.toldIndex('re-both'), 0, 0))[0] === ruleKey('telegram-chat-100000000', '3'),
    laterCallsMs: performance.now() - again,
  });
} finally {
  redis.disconnect();
  stop();
}
