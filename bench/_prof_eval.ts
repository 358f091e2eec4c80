import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { alertIndexPlan, alertJudge } from '../src/alerting/engine.ts';
import type { RuleSpec } from '../src/alerting/types.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { evaluateBlock } from '../src/jobs/evaluate-core.ts';
import { queueSink, type EvaluateProcessorDeps } from '../src/jobs/evaluate-processor.ts';
import { deliverQueueName } from '../src/jobs/queues.ts';
import { engineKeys } from '../src/store/keys.ts';
import { makeSnapshot, MemorySnapshotReader } from '../test/fakes/memory-snapshots.ts';
import { privateRedis, seed } from './engine-redis.ts';
const CHANGING = 1000, WEEK = 7 * 86400, CROSS = 19, n = 10000;
const keys = engineKeys('hb-bench:');
const FIRE = makeSnapshot({ height: 10_000, dropPct: 19 });
function rulesOf(i: number): RuleSpec[] {
  const step = Math.floor(n / CHANGING);
  const changes = i % step === 0 && i / step < CHANGING;
  const pct = changes ? 10 + (i % 7) : Math.min(90, CROSS + 1 + (i % 50));
  return [{ kind: 'retarget' }, { kind: 'hashrate-drop', pct: Math.round(pct * 10) / 10, window: '3d', lookback: '30d' }, { kind: 'retarget-estimate', pct: 5 + (i % 20), direction: 'both' }];
}
const { port, stop } = await privateRedis();
const redis = new Redis({ port, maxRetriesPerRequest: null });
await seed(redis, keys, alertIndexPlan, 0, n, rulesOf);
const deliver = new Queue(deliverQueueName('telegram'), { connection: redis as unknown as ConnectionOptions, prefix: 'hb-bench' });
const deps: EvaluateProcessorDeps = { redis, keys, plan: alertIndexPlan, judge: alertJudge, snapshots: new MemorySnapshotReader(), deliverQueues: { telegram: deliver }, nowSec: () => FIRE.timeSec, log: silentLogger() };
const sink = queueSink(deps);
const session = new Session(); session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const B = Number(process.argv[2] ?? 20);
for (let b = -2; b < B; b++) {
  const s = makeSnapshot({ height: 10_010 + b, timeSec: FIRE.timeSec + (b + 2) * WEEK, dropPct: (b + 2) % 2 === 0 ? CROSS : 0 });
  if (b === 0) await session.post('Profiler.start');
  await evaluateBlock(deps, s, s.timeSec, sink);
  if (b >= 0) await session.post('Profiler.stop').then(({ profile }) => { writeFileSync(`/tmp/evalcost/prof/eval-${b}.cpuprofile`, JSON.stringify(profile)); });
  if (b >= 0 && b + 1 < B) await session.post('Profiler.start');
  await deliver.obliterate({ force: true });
}
await deliver.close(); redis.disconnect(); stop();
