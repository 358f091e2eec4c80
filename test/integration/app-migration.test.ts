/**
 * The Telegram migration race: the bot role moves a group's subscription to its new supergroup id
 * while deliver jobs for the old id still wait in the queue. Those jobs must reach the new chat
 * (through the forward pointer the move leaves for a day), once each — not be dropped as
 * "inactive". Real Redis (DB 15), real BullMQ, createApp's own store and workers.
 */
import { loadConfig } from '../../config/index.ts';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger } from '../../src/observability/logger.ts';
import { createApp, type App, type AppConfig } from '../../src/app/create-app.ts';
import { DELIVER_JOB_OPTS } from '../../src/jobs/evaluate-processor.ts';
import { MIGRATION_POINTER_TTL_SEC } from '../../src/store/migration-pointers.ts';
import { deliverJobId, type DeliverJob } from '../../src/jobs/queues.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { subscriptionId, type Target } from '../../src/subscriptions/service.ts';
import { RecordingNotifier } from '../fakes/memory-notifier.ts';
import { waitFor } from './watcher-harness.ts';
import { testRedis } from '../support/redis.ts';

const CONFIG = (roles: AppConfig['roles']): AppConfig => ({ ...loadConfig({ LOG_LEVEL: 'error' }), roles });
const HASH = (n: number): string => n.toString(16).padStart(64, '0');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rig(): Promise<{
  redis: Redis;
  id: string;
  start: (roles: AppConfig['roles'], notifier?: RecordingNotifier) => Promise<App>;
}> {
  const redis = testRedis(15, { maxRetriesPerRequest: null });
  const id = randomUUID().slice(0, 8);
  cleanups.push(async () => {
    const keys = await redis.keys(`*${id}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  const start = async (roles: AppConfig['roles'], notifier = new RecordingNotifier('telegram')): Promise<App> => {
    const app = await createApp(CONFIG(roles), {
      redis,
      keyPrefix: `hb-test-app-mig-${id}:`,
      queuePrefix: `hb-test-app-mig-${id}`,
      logger: silentLogger(),
      notifiers: { telegram: notifier },
      tickEveryMs: 0,
      nowSec: () => 1_760_000_000,
    });
    cleanups.push(() => app.shutdown(3_000));
    return app;
  };
  return { redis, id, start };
}

function job(subId: string, n: number): DeliverJob {
  return {
    subscriptionId: subId,
    height: 900_000 + n,
    hash: HASH(n),
    digest: false,
    events: [{ rule: '1', kind: 'new-block', state: 'notice', height: 900_000 + n, hash: HASH(n) }],
  };
}

describe('deliver jobs queued before a group became a supergroup', () => {
  it('reach the supergroup through the forward pointer, once each', async () => {
    const { redis, id, start } = await rig();
    // The bot role alone: it subscribes the group, alerts are queued, then the group migrates.
    const bot = await start(['bot']);
    const group: Target = { platform: 'telegram', targetType: 'chat', targetId: '-4001', userId: '7' };
    await bot.service.start(group, 1_760_000_000);
    const oldId = subscriptionId(group);
    const queue = bot.deliverQueues.telegram!;
    for (const n of [1, 2])
      await queue.add('deliver', job(oldId, n), { ...DELIVER_JOB_OPTS, jobId: deliverJobId(oldId, HASH(n), false) });
    await bot.service.migrate(group, '-1002222');
    const newId = subscriptionId({ ...group, targetId: '-1002222' });
    expect(await redis.exists(`hb-test-app-mig-${id}:s:${oldId}`)).toBe(0);
    const ttl = await redis.ttl(engineKeys(`hb-test-app-mig-${id}:`).migrationPointer(oldId));
    expect(ttl).toBeGreaterThan(MIGRATION_POINTER_TTL_SEC - 60);
    expect(ttl).toBeLessThanOrEqual(MIGRATION_POINTER_TTL_SEC);

    // Now a notifier picks the old jobs up.
    const notifier = new RecordingNotifier('telegram');
    const worker = await start(['notifier'], notifier);
    await waitFor(
      'both jobs done',
      async () => (await worker.deliverQueues.telegram!.getJobCounts('completed'))['completed'] === 2,
    );
    expect(notifier.sent.map((m) => [m.subscriptionId, m.height]).sort()).toEqual([
      [newId, 900_001],
      [newId, 900_002],
    ]);
    const results = (await worker.deliverQueues.telegram!.getJobs(['completed'])).map((j) => j.returnvalue as unknown);
    expect(results).toEqual(['sent', 'sent']);

    // A retried copy of the same job (same notification key) is not sent again.
    await queue.add('deliver', job(oldId, 1), { ...DELIVER_JOB_OPTS, jobId: 'retry-copy' });
    await waitFor(
      'copy done',
      async () => (await worker.deliverQueues.telegram!.getJobCounts('completed'))['completed'] === 3,
    );
    expect(notifier.sent).toHaveLength(2);
  });

  it('a subscription that was stopped (no pointer) still drops its queued alerts', async () => {
    const { start } = await rig();
    const bot = await start(['bot']);
    const chat: Target = { platform: 'telegram', targetType: 'chat', targetId: '-4002', userId: '7' };
    await bot.service.start(chat, 1_760_000_000);
    const subId = subscriptionId(chat);
    await bot.deliverQueues.telegram!.add('deliver', job(subId, 3), {
      ...DELIVER_JOB_OPTS,
      jobId: deliverJobId(subId, HASH(3), false),
    });
    await bot.service.stop(chat);
    const notifier = new RecordingNotifier('telegram');
    const worker = await start(['notifier'], notifier);
    await waitFor(
      'job done',
      async () => (await worker.deliverQueues.telegram!.getJobCounts('completed'))['completed'] === 1,
    );
    expect((await worker.deliverQueues.telegram!.getJobs(['completed']))[0]!.returnvalue).toBe('inactive');
    expect(notifier.sent).toEqual([]);
  });
});
