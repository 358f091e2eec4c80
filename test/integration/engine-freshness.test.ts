/**
 * Issue 14 item 3 through the real queues (Redis DB 4, real BullMQ, the real judge): a queued
 * message superseded by a newer block's message for the same rule before it went out is never
 * sent — it is recorded as superseded in the notification log — and the newer one says what it
 * replaced; a late message says its block's age; a rule not superseded still goes out, in block
 * order. "Newer" is queue order: a reorg's replacement block supersedes the reorged-away block's
 * message even from a lower height.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import type { Target } from '../../src/subscriptions/service.ts';
import type { StoredBlock } from '../../src/store/chain-state.ts';
import { hashFor, makeSnapshot } from '../fakes/memory-snapshots.ts';
import { startHarness, waitFor, type Harness } from './engine-harness.ts';

const alice: Target = { platform: 'telegram', targetType: 'chat', targetId: '3101', userId: '3101' };
const SUB = 'telegram-chat-3101';
const T0 = 1_750_000_000;

let h: Harness;
let now = T0;
beforeEach(async () => {
  now = T0;
  h = await startHarness('freshness', 4, { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan });
});
afterEach(async () => {
  await h.close();
});

const deliverQueue = (): Queue => h.app.deliverQueues.telegram as Queue;
/** The evaluate queue has run every block handed to it (the harness removes completed jobs). */
const evaluated = () =>
  waitFor(
    async () =>
      Object.values(await h.app.evaluateQueue.getJobCounts('wait', 'active', 'delayed')).every((n) => n === 0),
    15_000,
    'evaluations',
  );
const idle = () =>
  waitFor(
    async () => Object.values(await deliverQueue().getJobCounts('wait', 'active', 'delayed')).every((n) => n === 0),
    15_000,
    'deliver queue idle',
  );
const outcomes = async () =>
  (await deliverQueue().getJobs(['completed']))
    .sort((a, b) => a.timestamp - b.timestamp)
    .map((j) => j.returnvalue as unknown);
const said = () => h.notifier.sent.map((m) => m.events.map((e) => `${e.kind}:${e.state}@${e.height}`));

/**
 * Alice is subscribed and block 935,423 (no drop, 20 min before T0) is evaluated and
 * delivered; then the notifier falls behind: whatever comes next waits in the deliver queue.
 */
async function settledThenPaused(): Promise<void> {
  await h.app.service.start(alice, now);
  await h.block(makeSnapshot({ height: 935_423, dropPct: 0, timeSec: T0 - 1200 }));
  await evaluated();
  await idle();
  await deliverQueue().pause();
}

describe('freshness of queued messages', () => {
  it('a queued alert superseded by a newer block for the same rule is recorded, never sent; the newer one says what it replaced and how old it is', async () => {
    // The notifier falls behind: both blocks' messages wait in the queue.
    await settledThenPaused();
    const fired = makeSnapshot({ height: 935_424, dropPct: 40, timeSec: T0 - 600 });
    const calm = makeSnapshot({ height: 935_425, dropPct: 0, timeSec: T0 - 30 });
    now = T0 - 590;
    await h.block(fired);
    await evaluated();
    now = T0 - 20;
    await h.block(calm);
    await evaluated();
    const waiting = await deliverQueue().getJobCounts('wait', 'paused');
    expect((waiting.wait ?? 0) + (waiting.paused ?? 0)).toBe(2);
    // 41 minutes after the firing block, the queue moves again.
    now = T0 - 600 + 41 * 60;
    await deliverQueue().resume();
    await waitFor(() => h.notifier.sent.length >= 1, 15_000, 'the newer message');
    await idle();
    expect(said()).toEqual([['hashrate-drop:resolved@935425']]);
    expect(await outcomes()).toEqual(['superseded', 'sent']);
    const e = h.notifier.sent[0]!.events[0]!;
    expect(e.details.lines).toEqual(
      expect.arrayContaining([
        ['Replaces', 'the alert of block 935,424'],
        ['Late', 'block 935,425, 31 min ago'],
      ]),
    );
    expect(e.text).toContain('(replaces the alert of block 935,424)');
    // The superseded message is settled in the notification log: a redelivery does not send it.
    expect(await h.redis.get(`${h.prefix}:n:${SUB}|b|${fired.hash}`)).toBe('s');
    expect(await h.redis.get(`${h.prefix}:n:${SUB}|b|${calm.hash}`)).toBe('1');
    await deliverQueue().add('deliver', (await deliverQueue().getJobs(['completed']))[0]!.data, { jobId: 'again' });
    await idle();
    expect(h.notifier.sent).toHaveLength(1);
    // The note was said once, and with nothing left queued the subscription holds no freshness key.
    expect(await h.redis.exists(`${h.prefix}:qr:${SUB}`)).toBe(0);
  });

  it('messages that supersede nothing all go out, in block order, on time without a late note', async () => {
    await settledThenPaused();
    now = T0 - 590;
    await h.block(makeSnapshot({ height: 935_424, dropPct: 40, timeSec: T0 - 600 }));
    await evaluated();
    now = T0 - 20;
    // Still down 40 %: the firing rule says nothing new, so the first message stands.
    await h.block(makeSnapshot({ height: 935_425, dropPct: 40, timeSec: T0 - 30 }));
    await evaluated();
    now = T0;
    await deliverQueue().resume();
    await waitFor(() => h.notifier.sent.length >= 1, 15_000, 'the message');
    await idle();
    expect(said()).toEqual([['hashrate-drop:firing@935424']]);
    expect(await outcomes()).toEqual(['sent']);
    expect(h.notifier.sent[0]!.events[0]!.details.lines ?? []).not.toEqual(
      expect.arrayContaining([expect.arrayContaining(['Late'])]),
    );
  });

  it("after a reorg to a lower height, the replacement block's alert supersedes the reorged-away block's, which is not sent as current news", async () => {
    await h.app.service.start(alice, now);
    now = T0 - 7200;
    await h.block(makeSnapshot({ height: 935_423, dropPct: 0, timeSec: T0 - 7800 }));
    await evaluated();
    await idle();
    await deliverQueue().pause();
    // Chain A: fired at 935,424, resolved at 935,425 — both messages wait in the queue.
    now = T0 - 6000;
    await h.block(makeSnapshot({ height: 935_424, dropPct: 40, timeSec: T0 - 6000 }));
    await evaluated();
    now = T0 - 5400;
    const resolvedOnA = makeSnapshot({ height: 935_425, dropPct: 0, timeSec: T0 - 5400 });
    await h.block(resolvedOnA);
    await evaluated();
    // A reorg replaces both blocks (past the rule's cooldown): on chain B the drop is on at 935,424
    // (a LOWER height than the queued 'resolved'), so the rule fires again; 935,425' says nothing new.
    now = T0 - 1000;
    const b1 = {
      ...makeSnapshot({ height: 935_424, hash: hashFor(935_424, 1), dropPct: 40, timeSec: T0 - 6000 }),
      correction: true,
    };
    const b2 = {
      ...makeSnapshot({ height: 935_425, hash: hashFor(935_425, 1), dropPct: 40, timeSec: T0 - 5400 }),
      correction: true,
    };
    await h.block(b1);
    await evaluated();
    await h.block(b2);
    await evaluated();
    now = T0;
    await deliverQueue().resume();
    await waitFor(() => h.notifier.sent.length >= 1, 15_000, 'the replacement');
    await idle();
    // The subscriber ends with the rule's state after the reorg (firing), not chain A's 'resolved'.
    expect(said()).toEqual([['hashrate-drop:firing@935424']]);
    expect(h.notifier.sent[0]!.hash).toBe(b1.hash);
    expect(await outcomes()).toEqual(['superseded', 'superseded', 'sent']);
    expect(h.notifier.sent[0]!.events[0]!.details.lines).toEqual(
      expect.arrayContaining([['Replaces', 'the alert of block 935,425']]),
    );
    expect(await h.redis.get(`${h.prefix}:n:${SUB}|b|${resolvedOnA.hash}`)).toBe('s');
    expect(await h.redis.exists(`${h.prefix}:qr:${SUB}`)).toBe(0);
  });

  it('a queued alert whose block a reorg replaced, with nothing newer for its rule, goes out saying so', async () => {
    await settledThenPaused();
    now = T0 - 590;
    const onA = makeSnapshot({ height: 935_424, dropPct: 40, timeSec: T0 - 600 });
    await h.block(onA);
    await evaluated();
    // Block B replaces A at the same height; the drop is still on, so the firing stands unsaid.
    const onB = {
      ...makeSnapshot({ height: 935_424, hash: hashFor(935_424, 1), dropPct: 40, timeSec: T0 - 560 }),
      correction: true,
    };
    await h.block(onB);
    await evaluated();
    // The watcher stores the main chain's blocks (a StoredBlock: the hash is `block.id`); after
    // the reorg B is the block at 935,424.
    const stored = (hash: string): string =>
      JSON.stringify({
        block: { id: hash, height: 935_424, timestamp: T0 - 560, bits: 0x1702796c, feesSats: 0, feesKnown: false },
        price: null,
        nowSec: T0 - 560,
      } satisfies StoredBlock);
    await h.redis.zadd(`${h.prefix}:chain:blocks`, 935_424, stored(onB.hash));
    now = T0;
    await deliverQueue().resume();
    await waitFor(() => h.notifier.sent.length >= 1, 15_000, 'the message');
    await idle();
    expect(said()).toEqual([['hashrate-drop:firing@935424']]);
    expect(await outcomes()).toEqual(['sent']);
    expect(h.notifier.sent[0]!.events[0]!.details.lines).toContainEqual([
      'Reorg',
      'block 935,424 is no longer in the chain',
    ]);
  });
});
