/**
 * A→B→A through the whole app (watcher, real evaluator, notifier): the returning branch's
 * re-evaluation jobs (`eval-<hash>-r<n>`) are accepted and re-judge the rules, and no rule says
 * anything twice — one new-block notice per height, never two 'firing' in a row for one rule.
 */
import { loadConfig } from '../../config/index.ts';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/observability/logger.ts';
import { createApp } from '../../src/app/create-app.ts';
import type { EvaluateStats } from '../../src/jobs/evaluate-core.ts';
import { CONSOLE_TARGET } from '../../src/platforms/console/console-notifier.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { RecordingNotifier } from '../fakes/memory-notifier.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { waitFor } from './watcher-harness.ts';
import { testRedis } from '../support/redis.ts';

describe('reorg back to an evaluated branch, whole app', () => {
  it('the returning blocks are re-judged by the real evaluator and nothing is told twice', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 60 }) });
    const redis = testRedis(7, { maxRetriesPerRequest: null });
    const id = randomUUID().slice(0, 8);
    const keyPrefix = `hb-test-watch-rb-${id}:`;
    const notifier = new RecordingNotifier('console');
    const app = await createApp(
      loadConfig({
        ROLES: 'watcher,evaluator,notifier',
        LOG_LEVEL: 'error',
        MEMPOOL_URL: fake.url,
        MEMPOOL_MAX_RPS: '50',
      }),
      {
        redis,
        keyPrefix,
        queuePrefix: `hb-test-watch-rb-${id}`,
        logger: silentLogger(),
        tickEveryMs: 0,
        notifiers: { console: notifier },
        watcher: { builder: testBuilderFactory(40) },
      },
    );
    const q = app.evaluateQueue;
    const settled = async (n: number): Promise<void> => {
      await waitFor(`${n} evaluations`, async () => (await q.getJobCounts('completed'))['completed'] === n, 15_000);
      await waitFor(
        'deliveries',
        async () => {
          const c = await app.deliverQueues.console!.getJobCounts('waiting', 'active', 'delayed');
          return Object.values(c).every((v) => v === 0);
        },
        15_000,
      );
    };
    try {
      await settled(1);
      const now = Math.floor(Date.now() / 1000);
      await app.service.start(CONSOLE_TARGET, now);
      expect((await app.service.addRule(CONSOLE_TARGET, 'new-block', [], now)).ok).toBe(true);
      fake.mine(2); // A: oldTip-1, oldTip
      await settled(3);
      const oldTip = fake.chain.tip.height;
      const branchA = fake.chain.blocks.slice(-2);
      fake.reorg(2, 1); // B: oldTip-1 .. oldTip+1
      await settled(6);
      fake.reorgBack(2); // A again, then oldTip+1, oldTip+2
      await settled(10);

      expect((await q.getJobCounts('failed'))['failed']).toBe(0);
      for (const b of branchA) {
        const job = await q.getJob(`eval-${b.id}-r2`);
        expect(job?.data).toEqual({ height: b.height, hash: b.id, correction: true });
        expect(await job?.isCompleted()).toBe(true);
        // re-judged: the new-block rule (event index) at least was evaluated against it
        expect((job?.returnvalue as EvaluateStats).evaluated).toBeGreaterThan(0);
      }

      const events = notifier.sent.flatMap((m) => m.events);
      const notices = events.filter((e) => e.kind === 'new-block').map((e) => e.height);
      // A's two blocks, B's new height, A's new height: the returning A blocks say nothing again
      expect(notices).toEqual([oldTip - 1, oldTip, oldTip + 1, oldTip + 2]);
      const byRule = new Map<string, string[]>();
      for (const e of events) byRule.set(e.rule, [...(byRule.get(e.rule) ?? []), e.state]);
      for (const states of byRule.values()) {
        for (let i = 1; i < states.length; i++) if (states[i] === 'firing') expect(states[i - 1]).not.toBe('firing');
      }
      expect(new Set(notifier.sent.map((m) => `${m.subscriptionId}|${m.hash}`)).size).toBe(notifier.sent.length);
    } finally {
      await app.shutdown(5_000);
      const keys = await redis.keys(`*${id}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await fake.close();
    }
  });
});
