/**
 * The alert lifecycle through the real queues (real Redis DB 4, real BullMQ): a fake chain of
 * snapshots goes in as evaluate jobs, messages come out of the deliver worker. Covers firing once
 * per crossing, resolve, grouping into one message per block, duplicate blocks, reorgs, quiet
 * hours/mute digests and the three kinds of delivery failure.
 */
import { loadConfig } from '../../config/index.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import { createApp } from '../../src/app/create-app.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { Target } from '../../src/subscriptions/service.ts';
import { hashFor, makeSnapshot } from '../fakes/memory-snapshots.ts';
import { startHarness, waitFor, type Harness } from './engine-harness.ts';

const alice: Target = { platform: 'telegram', targetType: 'chat', targetId: '1001', userId: '1001' };
const bob: Target = { platform: 'telegram', targetType: 'chat', targetId: '1002', userId: '1002' };
const T0 = 1_750_000_000;

let h: Harness;
let now = T0;
beforeEach(async () => {
  now = T0;
  h = await startHarness('lifecycle', 4, { nowSec: () => now });
});
afterEach(async () => {
  await h.close();
});

const drained = async (): Promise<boolean> => {
  // the evaluate queue always holds the next (delayed) slow-blocks tick when ticks are on
  const counts = await Promise.all([
    h.app.evaluateQueue.getJobCounts('wait', 'active', 'prioritized'),
    ...Object.values(h.app.deliverQueues).map((q) => q!.getJobCounts('wait', 'active', 'delayed', 'prioritized')),
  ]);
  return counts.every((c) => Object.values(c).every((n) => n === 0));
};
const settle = () => waitFor(drained, 15_000, 'queues to drain');
const states = () =>
  h.notifier.sent.flatMap((m) => m.events.map((e) => `${m.subscriptionId}:${e.kind}:${e.state}@${e.height}`));

describe('engine lifecycle through BullMQ', () => {
  it('fires once per crossing, resolves on recovery, survives duplicates and a reorg', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 100, dropPct: 2 }));
    await h.block(makeSnapshot({ height: 101, dropPct: 12 }));
    await settle();
    expect(states()).toEqual(['telegram-chat-1001:hashrate-drop:firing@101']);
    // the same block again (watcher restart), then the next block still below the threshold
    await h.block(makeSnapshot({ height: 101, dropPct: 12 }));
    await h.block(makeSnapshot({ height: 102, dropPct: 11 }));
    // a reorg replaces 102 with another block at the same height, still past the threshold
    await h.block(makeSnapshot({ height: 102, hash: hashFor(102, 1), dropPct: 13 }));
    await settle();
    expect(states()).toEqual(['telegram-chat-1001:hashrate-drop:firing@101']);
    await h.block(makeSnapshot({ height: 103, dropPct: 3 }));
    await settle();
    expect(states()).toEqual([
      'telegram-chat-1001:hashrate-drop:firing@101',
      'telegram-chat-1001:hashrate-drop:resolved@103',
    ]);
  });

  it('sends everything that fired together for one block as one message, per subscription', async () => {
    await h.app.service.start(alice, now);
    await h.app.service.start(bob, now);
    await h.block(makeSnapshot({ height: 2016 * 400, retarget: true, changePct: 7, dropPct: 15 }));
    await settle();
    expect(h.notifier.sent).toHaveLength(2);
    for (const m of h.notifier.sent) {
      expect(m.events.map((e) => e.kind).sort()).toEqual(['hashrate-drop', 'retarget', 'retarget-estimate']);
      expect(m.digest).toBe(false);
    }
    expect(new Set(h.notifier.sent.map((m) => m.subscriptionId))).toEqual(
      new Set(['telegram-chat-1001', 'telegram-chat-1002']),
    );
  });

  it('holds alerts during quiet hours and sends one digest when they end', async () => {
    await h.app.service.start(alice, now);
    // quiet 00:00-(now+2s rounded up to the minute) UTC: now is inside, end is close
    const minNow = Math.floor((now % 86_400) / 60);
    await h.app.service.quiet(alice, [
      `${String(Math.floor((minNow + 1439) / 60) % 24).padStart(2, '0')}:${String((minNow + 1439) % 60).padStart(2, '0')}-${String(Math.floor((minNow + 1) / 60) % 24).padStart(2, '0')}:${String((minNow + 1) % 60).padStart(2, '0')}`,
      'UTC',
    ]);
    now = (Math.floor(now / 60) + 1) * 60 - 2; // two seconds before quiet hours end
    await h.block(makeSnapshot({ height: 200, dropPct: 12 }));
    await h.block(makeSnapshot({ height: 201, dropPct: 4, changePct: 6 }));
    await waitFor(async () => (await h.redis.llen(`${h.prefix}:h:telegram-chat-1001`)) === 3, 10_000, 'held events');
    expect(h.notifier.sent).toHaveLength(0);
    now += 3; // quiet hours are over when the delayed digest job runs
    await waitFor(() => h.notifier.sent.length === 1, 10_000, 'the digest');
    const [digest] = h.notifier.sent;
    expect(digest?.digest).toBe(true);
    expect(digest?.events.map((e) => `${e.kind}:${e.state}@${e.height}`)).toEqual([
      'hashrate-drop:firing@200',
      'hashrate-drop:resolved@201',
      'retarget-estimate:firing@201',
    ]);
    expect(await h.redis.llen(`${h.prefix}:h:telegram-chat-1001`)).toBe(0);
  });

  it('a mute extended while alerts are held postpones the digest to the new end', async () => {
    await h.app.service.start(alice, now);
    expect((await h.app.service.mute(alice, '1m', now)).ok).toBe(true);
    now += 58; // two seconds of mute left
    await h.block(makeSnapshot({ height: 250, dropPct: 15 }));
    await waitFor(async () => (await h.redis.llen(`${h.prefix}:h:telegram-chat-1001`)) === 1, 10_000, 'held event');
    expect((await h.app.service.mute(alice, '1m', now - 56)).ok).toBe(true); // now ends 3 s from "now"
    now += 2; // the first digest job runs while still muted
    await new Promise((r) => setTimeout(r, 2500));
    expect(h.notifier.sent).toHaveLength(0);
    now += 2; // mute over when the rescheduled digest runs
    await waitFor(() => h.notifier.sent.length === 1, 10_000, 'the postponed digest');
    expect(h.notifier.sent[0]?.digest).toBe(true);
    expect(h.notifier.sent[0]?.events.map((e) => `${e.kind}:${e.state}@${e.height}`)).toEqual([
      'hashrate-drop:firing@250',
    ]);
  });

  it('retryable failures back off and deliver once; rate limits wait; permanent failures deactivate and tell the owner', async () => {
    await h.app.service.start(alice, now);
    await h.app.service.start(bob, now);
    h.notifier.failures.set('telegram-chat-1001', ['retryable', { rateLimitedMs: 1000 }, 'retryable']);
    h.notifier.failures.set('telegram-chat-1002', ['permanent']);
    await h.block(makeSnapshot({ height: 300, dropPct: 20 }));
    await waitFor(() => h.notifier.sent.length === 1, 20_000, 'delivery after retries');
    await settle();
    expect(h.notifier.sent.map((m) => m.subscriptionId)).toEqual(['telegram-chat-1001']);
    expect((await h.app.service.get(bob))?.active).toBe(false);
    // An id with its facts, not a sentence: each platform words it (owner-notice.test.ts).
    expect(h.notifier.told.map((t) => [t.subscriptionId, t.notice.notice])).toEqual([
      ['telegram-chat-1002', 'delivery-paused'],
    ]);
    const failed = await h.app.deliverQueues.telegram!.getFailed();
    expect(failed.map((j) => j.data.subscriptionId)).toEqual(['telegram-chat-1002']);
    expect(failed[0]?.attemptsMade).toBe(1);
    const outcomes = Object.fromEntries(
      (await h.registry.getSingleMetric('hashbell_deliveries_total')!.get()).values.map((v) => [
        v.labels.outcome,
        v.value,
      ]),
    );
    expect(outcomes).toEqual({ retryable: 2, 'rate-limited': 1, sent: 1, permanent: 1 });
    // a deactivated subscription receives nothing more
    await h.block(makeSnapshot({ height: 301, dropPct: 2 }));
    await settle();
    expect(h.notifier.sent.map((m) => m.subscriptionId)).toEqual(['telegram-chat-1001', 'telegram-chat-1001']);
  });

  it('a group upgraded to a supergroup: the subscription moves and the message goes to the new chat', async () => {
    await h.app.service.start(alice, now);
    h.notifier.failures.set('telegram-chat-1001', [{ migrateTo: '-1002001' }]);
    await h.block(makeSnapshot({ height: 350, dropPct: 20 }));
    await waitFor(() => h.notifier.sent.length === 1, 10_000, 'delivery to the supergroup');
    expect(h.notifier.sent[0]?.subscriptionId).toBe('telegram-chat--1002001');
    expect(await h.app.service.get(alice)).toBeNull();
    expect((await h.app.service.listRules({ ...alice, targetId: '-1002001' })).map((r) => r.kind)).toEqual([
      'retarget',
      'hashrate-drop',
      'retarget-estimate',
    ]);
    // the firing rule moved with its state: still past the threshold → silent; recovery → resolved
    await h.block(makeSnapshot({ height: 351, dropPct: 21 }));
    await h.block(makeSnapshot({ height: 352, dropPct: 1 }));
    await settle();
    expect(states()).toEqual([
      'telegram-chat--1002001:hashrate-drop:firing@350',
      'telegram-chat--1002001:hashrate-drop:resolved@352',
    ]);
  });

  it('poison deliver and evaluate jobs fail once and are never retried', async () => {
    const q = h.app.deliverQueues.telegram!;
    await q.add('deliver', { subscriptionId: 'telegram-chat-1001', height: -1 }, { jobId: 'poison-1', attempts: 5 });
    await waitFor(async () => (await q.getFailedCount()) === 1, 10_000, 'poison job to fail');
    const [job] = await q.getFailed();
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toMatch(/poison/);
    expect(h.notifier.attempts).toBe(0);
    await h.app.evaluateQueue.add('evaluate', { height: 'tip', hash: 'nope' }, { jobId: 'poison-2', attempts: 5 });
    await waitFor(
      async () => (await h.app.evaluateQueue.getFailedCount()) === 1,
      10_000,
      'poison evaluate job to fail',
    );
    const [evalJob] = await h.app.evaluateQueue.getFailed();
    expect(evalJob?.attemptsMade).toBe(1);
    expect(evalJob?.failedReason).toMatch(/poison evaluate job/);
  });
});

describe('engine with the real alerting judge and index model', () => {
  it('default rules fire once per crossing and resolve, through the queues', async () => {
    await h.close();
    h = await startHarness('real-judge', 4, { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan });
    const { rules } = await h.app.service.start(alice, now);
    expect(rules.map((r) => r.kind)).toEqual(['retarget', 'hashrate-drop', 'retarget-estimate']);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 })); // duplicate block
    await h.block(makeSnapshot({ height: 4002, dropPct: 41 }));
    await h.block(makeSnapshot({ height: 4003, dropPct: 0 }));
    await settle();
    expect(states()).toEqual([
      'telegram-chat-1001:hashrate-drop:firing@4001',
      'telegram-chat-1001:hashrate-drop:resolved@4003',
    ]);
    expect(h.notifier.sent[0]?.events[0]?.text).toMatch(/hash ?rate/i);
  });
});

describe('slow-blocks tick and evaluator restart (real judge)', () => {
  it('the tick fires slow-blocks once between blocks; the next block resolves it', async () => {
    await h.close();
    h = await startHarness('tick', 4, { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan, tickEveryMs: 100 });
    await h.app.service.start(alice, now);
    for (const r of await h.app.service.listRules(alice)) await h.app.service.removeRule(alice, r.id);
    expect((await h.app.service.addRule(alice, 'slow-blocks', ['30m'], now)).ok).toBe(true);
    const tip = makeSnapshot({ height: 6000, timeSec: now });
    await h.block(tip);
    await settle();
    now += 31 * 60;
    await waitFor(() => h.notifier.sent.length === 1, 10_000, 'slow-blocks alert');
    await new Promise((r) => setTimeout(r, 500)); // several more ticks: nothing new
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.notifier.sent[0]?.hash).toBe(`slow-${tip.hash}`);
    expect(h.notifier.sent[0]?.events.map((e) => `${e.kind}:${e.state}`)).toEqual(['slow-blocks:firing']);
    await h.block(makeSnapshot({ height: 6001, timeSec: now }));
    await waitFor(() => h.notifier.sent.length === 2, 10_000, 'resolution');
    expect(h.notifier.sent[1]?.events.map((e) => `${e.kind}:${e.state}@${e.height}`)).toEqual([
      'slow-blocks:resolved@6001',
    ]);
  });

  it('an evaluator restarted between duplicate deliveries of a block fires nothing twice', async () => {
    await h.close();
    const over = { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan };
    h = await startHarness('restart-eval', 4, over);
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 7000, dropPct: 40 }));
    await settle();
    expect(states()).toEqual(['telegram-chat-1001:hashrate-drop:firing@7000']);
    // a new process on the same Redis (same prefixes): states and the notification log survive
    await h.app.shutdown(5000);
    const again = await createApp(loadConfig({ ROLES: 'evaluator,notifier', LOG_LEVEL: 'silent' }), {
      ...over,
      redis: h.redis,
      keyPrefix: `${h.prefix}:`,
      queuePrefix: h.prefix,
      logger: silentLogger(),
      snapshots: h.snapshots,
      notifiers: { telegram: h.notifier },
      tickEveryMs: 0,
    });
    const s = makeSnapshot({ height: 7000, dropPct: 40 });
    await again.evaluateQueue.add(
      'evaluate',
      { height: s.height, hash: s.hash, correction: false },
      { jobId: 'eval-again' },
    );
    const next = makeSnapshot({ height: 7001, dropPct: 42 });
    h.snapshots.put(next);
    await again.evaluateQueue.add(
      'evaluate',
      { height: next.height, hash: next.hash, correction: false },
      { jobId: 'eval-next' },
    );
    await waitFor(async () => (await again.evaluateQueue.getCompletedCount()) === 2, 10_000, 'both evaluated');
    await new Promise((r) => setTimeout(r, 300));
    expect(states()).toEqual(['telegram-chat-1001:hashrate-drop:firing@7000']);
    await again.shutdown(5000);
  });
});
