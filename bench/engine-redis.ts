/**
 * Bench helpers: a private redis-server on a free port (no persistence, killed at the end) and
 * fast bulk seeding of subscriptions with the production encodings, keys and index placement.
 */
import type { Redis } from 'ioredis';
import type { RuleSpec } from '../src/alerting/types.ts';
import { encodeRule, encodeSubscription } from '../src/store/codec.ts';
import type { IndexPlan } from '../src/store/index-plan.ts';
import { ruleKey, type EngineKeys } from '../src/store/keys.ts';
import { freePort, spawnRedisServer } from '../test/integration/engine-harness.ts';

/** A private redis-server without persistence, killed by `stop`. */
export async function privateRedis(): Promise<{ port: number; stop: () => void }> {
  const port = await freePort();
  const server = await spawnRedisServer(port);
  const stop = (): void => {
    if (server.exitCode === null) server.kill('SIGKILL');
  };
  // never leave the server behind, even when the bench is interrupted
  process.once('exit', stop);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGPIPE'] as const)
    process.once(sig, () => {
      stop();
      process.exit(130);
    });
  return { port, stop };
}

/** Seeds subscriptions `from…to-1`, each with `rulesOf(i)`, exactly as the stores would write them. */
export async function seed(
  redis: Redis,
  keys: EngineKeys,
  plan: IndexPlan,
  from: number,
  to: number,
  rulesOf: (i: number) => RuleSpec[],
): Promise<void> {
  const BATCH = 2000;
  for (let start = from; start < to; start += BATCH) {
    const p = redis.pipeline();
    for (let i = start; i < Math.min(to, start + BATCH); i++) {
      const id = `telegram-chat-${100_000_000 + i}`;
      const specs = rulesOf(i);
      p.hset(keys.subscription(id), {
        ...encodeSubscription({
          id,
          platform: 'telegram',
          targetType: 'chat',
          targetId: String(100_000_000 + i),
          ownerId: String(100_000_000 + i),
          timeZone: 'UTC',
          quiet: null,
          mutedUntilSec: null,
          active: true,
          createdSec: 1_750_000_000,
        }),
        n: String(specs.length),
      });
      const fields: Record<string, string> = {};
      specs.forEach((spec, j) => {
        const rid = String(j + 1);
        fields[rid] = encodeRule(spec, 1_750_000_000);
        const pl = plan.placement(spec);
        if (pl.mode === 'event') p.zadd(keys.eventIndex(pl.series), 0, ruleKey(id, rid));
        else p.zadd(keys.fireIndex(pl.series), pl.fire, ruleKey(id, rid));
      });
      p.hset(keys.rules(id), fields);
    }
    await p.exec();
  }
  // Seeded by this version, like rules added after the first evaluation: no eased estimate is
  // missing from the told set, so the one-time upgrade (store/told-index-upgrade.ts) has nothing to do.
  await redis.set(keys.toldIndexUpgraded(), '1');
}

export function emit(
  bench: string,
  metric: string,
  value: number,
  unit: string,
  extra: Record<string, unknown> = {},
): void {
  process.stdout.write(
    `${JSON.stringify({ bench, metric, value: Math.round(value * 1000) / 1000, unit, ...extra })}\n`,
  );
}
