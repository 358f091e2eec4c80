/**
 * Releases of held alerts (issue 11 leftovers), on real Redis and BullMQ with the real judge:
 * - two snooze releases of one subscription due at once (a notifier back after a long outage)
 *   tell each rule once, and lose nothing;
 * - a digest due together with a snooze release takes the snoozed rule's events along, so the
 *   rule's older state is never told after its newer one;
 * - the store's take is exclusive: busy while a release is pending, stale (and unchanged) when an
 *   entry it decided on is gone, settled only by its own release;
 * - a release that died between taking and sending is resumed (once abandoned) and sent once;
 * - waking a rule early (or unmuting) releases what it held now, not at the original end.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import type { MessageRef } from '../../src/alerting/pipeline.ts';
import { DIGEST_JOB_NAME, SNOOZE_JOB_NAME } from '../../src/jobs/queues.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisHeldEvents } from '../../src/store/redis-held-events.ts';
import type { Target } from '../../src/subscriptions/service.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { settle as settleQueues, startHarness, waitFor, type Harness } from './engine-harness.ts';

const alice: Target = { platform: 'telegram', targetType: 'chat', targetId: '3101', userId: '3101' };
const SUB = 'telegram-chat-3101';
const T0 = 1_750_000_000;
const DAY = 86_400;

let h: Harness;
let now = T0;
beforeEach(async () => {
  now = T0;
  h = await startHarness('held-release', 4, { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan });
});
afterEach(async () => {
  await h.close();
});

const deliverQueue = (): Queue => h.app.deliverQueues.telegram as Queue;
const settle = () => settleQueues(h);
const told = () => h.notifier.sent.flatMap((m) => m.events.map((e) => `${e.kind}:${e.state}@${e.height}`));
const delayedReleases = async () =>
  (await deliverQueue().getJobs(['delayed'])).filter((j) => j.name === SNOOZE_JOB_NAME || j.name === DIGEST_JOB_NAME);

/** Runs every delayed release due by the engine's clock (and any due one it schedules) until none is left. */
async function runReleases(order: (name: string) => number = () => 0): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const due = (await delayedReleases()).filter((j) => (j.data as { releaseAtSec: number }).releaseAtSec <= now);
    const jobs = due.sort((a, b) => order(a.name) - order(b.name));
    if (jobs.length === 0) return;
    await Promise.all(jobs.map((j) => j.promote()));
    await settle();
  }
  throw new Error('releases kept rescheduling');
}

describe('releases due at once', () => {
  it('two snooze releases of one subscription tell each rule once, and lose nothing', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    // Rule 2 (hash-rate drop) and rule 3 (retarget estimate) snoozed until two different ends.
    expect((await h.app.service.snooze!(alice, '2', T0 + DAY, now)).ok).toBe(true);
    expect((await h.app.service.snooze!(alice, '3', T0 + DAY + 60, now)).ok).toBe(true);
    // One block holds rule 2 (release at its end), the next rule 3 (release at its own end).
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    now = T0 + 1200;
    await h.block(makeSnapshot({ height: 4002, dropPct: 40, changePct: 8 }));
    await settle();
    expect(told()).toEqual([]);
    expect((await delayedReleases()).map((j) => j.name)).toEqual([SNOOZE_JOB_NAME, SNOOZE_JOB_NAME]);
    // The notifier comes back long after both ends: both releases run at once, and a send takes
    // a while, so they overlap.
    now = T0 + 2 * DAY;
    h.notifier.sendDelayMs = 300;
    await runReleases();
    expect(told().sort()).toEqual(['hashrate-drop:firing@4001', 'retarget-estimate:firing@4002']);
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(0);
    expect(await h.redis.exists(`${h.prefix}:hp:${SUB}`)).toBe(0);
  });

  it('a digest due with a snooze release takes the snoozed rule along: never its older state after its newer', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    expect((await h.app.service.snooze!(alice, '2', T0 + DAY, now)).ok).toBe(true);
    expect((await h.app.service.mute(alice, '2d', now)).ok).toBe(true);
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 })); // snoozed: held for the snooze release
    await settle();
    now = T0 + DAY + 600;
    await h.block(makeSnapshot({ height: 4002, dropPct: 0 })); // snooze over, still muted: digest
    await settle();
    expect(told()).toEqual([]);
    now = T0 + 3 * DAY;
    // The digest runs first: it tells the rule's whole path, the snooze release then has nothing.
    await runReleases((name) => (name === DIGEST_JOB_NAME ? 0 : 1));
    expect(told()).toEqual(['hashrate-drop:firing@4001', 'hashrate-drop:resolved@4002']);
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.notifier.sent[0]!.digest).toBe(true);
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(0);
    expect(await h.redis.llen(`${h.prefix}:h:${SUB}`)).toBe(0);
  });
});

describe('the held store take', () => {
  it('is busy while a release is pending, stale and unchanged when an entry is gone, settled only by its own', async () => {
    const held = new RedisHeldEvents(h.redis, engineKeys(`${h.prefix}:`));
    const ev = (rule: string) => ({ ...(makeSnapshot({ height: 1 }) as never as object), rule }) as never;
    await held.push('snooze', [{ subscriptionId: 'x', events: [ev('1'), ev('2')] }]);
    await held.push('digest', [{ subscriptionId: 'x', events: [ev('3')] }]);
    const [a, b] = await held.read('snooze', 'x');
    const [c] = await held.read('digest', 'x');
    const mine: MessageRef = { subscriptionId: 'x', type: 'snooze', id: '100' };
    const other: MessageRef = { subscriptionId: 'x', type: 'snooze', id: '200' };
    // A token that is not held: nothing is taken, nothing recorded.
    expect(await held.take('x', { snooze: [a!.token, 'nope'], digest: [c!.token] }, null)).toBe('stale');
    expect((await held.read('snooze', 'x')).map((e) => e.token)).toEqual([a!.token, b!.token]);
    expect(await held.read('digest', 'x')).toHaveLength(1);
    const pending = { ref: mine, message: null, atSec: 5 };
    expect(await held.take('x', { snooze: [a!.token], digest: [c!.token] }, pending)).toBe('taken');
    expect((await held.read('snooze', 'x')).map((e) => e.token)).toEqual([b!.token]);
    expect(await held.read('digest', 'x')).toEqual([]);
    expect(await held.take('x', { snooze: [b!.token] }, null)).toBe('busy');
    expect(await held.pending('x')).toEqual(pending);
    await held.settle('x', other);
    expect(await held.pending('x')).toEqual(pending);
    await held.settle('x', mine);
    expect(await held.pending('x')).toBeNull();
    expect(await held.take('x', { snooze: [b!.token] }, null)).toBe('taken');
  });
});

describe('a release that died between taking and sending', () => {
  it('is resumed: by the subscription’s next release once abandoned, sent once, then settled', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    expect((await h.app.service.snooze!(alice, '2', T0 + DAY, now)).ok).toBe(true);
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    // A dead job took the held event and recorded its message 31 minutes ago, then never sent it.
    const held = new RedisHeldEvents(h.redis, engineKeys(`${h.prefix}:`));
    const [entry] = await held.read('snooze', SUB);
    const message = {
      subscriptionId: SUB,
      height: 4001,
      hash: entry!.event.hash,
      events: [entry!.event],
      digest: false,
    };
    const dead: MessageRef = { subscriptionId: SUB, type: 'snooze', id: '12345' };
    now = T0 + DAY + 60;
    expect(await held.take(SUB, { snooze: [entry!.token] }, { ref: dead, message, atSec: now - 31 * 60 })).toBe(
      'taken',
    );
    // The subscription's own release comes: it sends the abandoned message, once, and settles it.
    await runReleases();
    expect(told()).toEqual(['hashrate-drop:firing@4001']);
    expect(await held.pending(SUB)).toBeNull();
    expect(await h.redis.exists(`${h.prefix}:n:${SUB}|z|12345`)).toBe(1);
  });
});

describe('a release retried after dying between taking and sending', () => {
  it('sends what it took once, and leaves what it had not decided on a release of its own', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    expect((await h.app.service.snooze!(alice, '2', T0 + DAY, now)).ok).toBe(true);
    expect((await h.app.service.snooze!(alice, '3', T0 + 3 * DAY, now)).ok).toBe(true);
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40, changePct: 8 }));
    await settle();
    const [job] = await delayedReleases();
    const releaseAt = (job!.data as { releaseAtSec: number }).releaseAtSec;
    // That job took rule 2's event and recorded its message, then died before sending it.
    const held = new RedisHeldEvents(h.redis, engineKeys(`${h.prefix}:`));
    const entry = (await held.read('snooze', SUB)).find((e) => e.event.rule === '2')!;
    const message = { subscriptionId: SUB, height: 4001, hash: entry.event.hash, events: [entry.event], digest: false };
    const ref: MessageRef = { subscriptionId: SUB, type: 'snooze', id: String(releaseAt) };
    now = T0 + DAY + 60;
    expect(await held.take(SUB, { snooze: [entry.token] }, { ref, message, atSec: now })).toBe('taken');
    // Its retry sends the recorded message; rule 3 (still snoozed then) is told at its own end.
    await runReleases();
    expect(told()).toEqual(['hashrate-drop:firing@4001']);
    now = T0 + 3 * DAY + 60;
    await runReleases();
    expect(told()).toEqual(['hashrate-drop:firing@4001', 'retarget-estimate:firing@4001']);
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(0);
  });
});

describe('waking early', () => {
  it('a rule woken early tells what it held now; the release at the original end finds nothing', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    expect((await h.app.service.snooze!(alice, '2', T0 + 3 * DAY, now)).ok).toBe(true);
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    expect(told()).toEqual([]);
    now = T0 + 3600;
    expect((await h.app.service.snooze!(alice, '2', null, now)).ok).toBe(true);
    // Released now (a job due now), without promoting anything.
    await waitFor(() => h.notifier.sent.length === 1, 10_000, 'the early release');
    expect(told()).toEqual(['hashrate-drop:firing@4001']);
    expect(h.notifier.sent[0]!.events[0]!.details.lines?.at(-1)?.[1]).toBe(`while snoozed until <t:${T0 + 3600}:f>`);
    // The original end's release still runs, and says nothing.
    now = T0 + 3 * DAY + 5;
    await runReleases();
    expect(h.notifier.sent).toHaveLength(1);
  });

  it('unmuting tells what the mute held now', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    expect((await h.app.service.mute(alice, '2d', now)).ok).toBe(true);
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    expect(told()).toEqual([]);
    now = T0 + 3600;
    expect((await h.app.service.unmute(alice)).ok).toBe(true);
    await waitFor(() => h.notifier.sent.length === 1, 10_000, 'the digest after unmute');
    expect(h.notifier.sent[0]!.digest).toBe(true);
    expect(told()).toEqual(['hashrate-drop:firing@4001']);
  });
});
