/**
 * Child process of engine-crash.test.ts: a deliver worker whose "chat" is a Redis hash counting
 * deliveries per message, so the parent can count losses and duplicates after SIGKILLing it.
 * argv: <db> <prefix> <concurrency>
 */
import { loadConfig } from '../../config/index.ts';
import { createApp } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { Notifier, OutboundMessage } from '../../src/alerting/ports.ts';
import type { Subscription } from '../../src/alerting/types.ts';
import { ThresholdJudge } from '../fakes/memory-judge.ts';
import { simplePlan } from '../fakes/memory-plan.ts';
import { testRedis } from '../support/redis.ts';

const [db = '5', prefix = 'hb-test-engine-crash', concurrency = '16'] = process.argv.slice(2);
const redis = testRedis(Number(db), { maxRetriesPerRequest: null });
const counter = testRedis(Number(db));

const notifier: Notifier = {
  platform: 'telegram',
  async send(sub: Subscription, m: OutboundMessage) {
    await new Promise((r) => setTimeout(r, 1));
    await counter.hincrby(`${prefix}:delivered`, `${sub.id}|${m.hash}`, 1);
  },
};

await createApp(loadConfig({ ROLES: 'notifier', LOG_LEVEL: 'silent' }), {
  redis,
  keyPrefix: `${prefix}:`,
  queuePrefix: prefix,
  logger: silentLogger(),
  judge: new ThresholdJudge(),
  plan: simplePlan,
  notifiers: { telegram: notifier },
  deliverConcurrency: Number(concurrency),
  tickEveryMs: 0,
  rateLimits: { telegram: { max: 100_000, durationMs: 1000 } },
  workerTiming: { lockDurationMs: 2000, stalledIntervalMs: 1000 },
});
process.stdout.write('ready\n');
