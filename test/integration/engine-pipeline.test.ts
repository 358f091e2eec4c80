/**
 * The notification pipeline as production runs it (real BullMQ, real Redis DB 4, the real
 * alerting judge and index model):
 * - upgrade: a message logged in the notification log under the key earlier versions wrote is not
 *   sent again by this one (block messages and digests);
 * - snooze (issue 11): a snoozed rule's alerts are held, and when the snooze ends the subscriber
 *   gets the rule's latest state once, saying it was held; a crossing that came and went inside
 *   the snooze says nothing;
 * - every rule's named decision is counted in hashbell_rule_decisions_total{reason}.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { DIGEST_JOB_NAME, SNOOZE_JOB_NAME } from '../../src/jobs/queues.ts';
import type { Target } from '../../src/subscriptions/service.ts';
import { hashFor, makeSnapshot } from '../fakes/memory-snapshots.ts';
import { settle as settleQueues, startHarness, waitFor, type Harness } from './engine-harness.ts';

const alice: Target = { platform: 'telegram', targetType: 'chat', targetId: '3001', userId: '3001' };
const SUB = 'telegram-chat-3001';
const T0 = 1_750_000_000;
const DAY = 86_400;
/** makeSnapshot's block time of a height. */
const blockSec = (height: number): number => T0 + height * 600;

let h: Harness;
let now = T0;
beforeEach(async () => {
  now = T0;
  h = await startHarness('pipeline', 4, { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan });
});
afterEach(async () => {
  await h.close();
});

const deliverQueue = (): Queue => h.app.deliverQueues.telegram as Queue;
const settle = () => settleQueues(h);
const completed = async (name: string) =>
  (await deliverQueue().getJobs(['completed'])).filter((j) => j.name === name).map((j) => j.returnvalue as unknown);

/** Runs the delayed snooze-release job now (the engine's clock already says the snooze is over). */
async function releaseSnooze(): Promise<void> {
  const delayed = (await deliverQueue().getJobs(['delayed'])).filter((j) => j.name === SNOOZE_JOB_NAME);
  expect(delayed).toHaveLength(1);
  await delayed[0]!.promote();
  await waitFor(async () => (await completed(SNOOZE_JOB_NAME)).length > 0, 10_000, 'the snooze release');
}

describe('the notification log across an upgrade', () => {
  it('a block message logged under the previous version key is not sent again', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    // The previous version logged `<sub>|b|<hash>` under the `n:` prefix once it had sent a message.
    const fired = makeSnapshot({ height: 4001, dropPct: 40 });
    await h.redis.set(`${h.prefix}:n:${SUB}|b|${fired.hash}`, '1', 'EX', 3600);
    await h.block(fired);
    await settle();
    expect(h.notifier.sent).toHaveLength(0);
    expect(await completed('deliver')).toEqual(['duplicate']);
    // The next block's message (not logged) goes out as usual.
    await h.block(makeSnapshot({ height: 4002, dropPct: 0 }));
    await settle();
    expect(h.notifier.sent.map((m) => m.events.map((e) => `${e.kind}:${e.state}@${e.height}`))).toEqual([
      ['hashrate-drop:resolved@4002'],
    ]);
  });

  it('a digest logged under the previous version key is not sent again', async () => {
    await h.app.service.start(alice, now);
    expect((await h.app.service.mute(alice, '1m', now)).ok).toBe(true);
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await waitFor(async () => (await h.redis.llen(`${h.prefix}:h:${SUB}`)) === 1, 10_000, 'held event');
    await h.redis.set(`${h.prefix}:n:${SUB}|d|${T0 + 60}`, '1', 'EX', 3600);
    now = T0 + 61;
    const [job] = (await deliverQueue().getJobs(['delayed'])).filter((j) => j.name === DIGEST_JOB_NAME);
    await job!.promote();
    await waitFor(async () => (await completed(DIGEST_JOB_NAME)).length === 1, 10_000, 'the digest job');
    expect(await completed(DIGEST_JOB_NAME)).toEqual(['duplicate']);
    expect(h.notifier.sent).toHaveLength(0);
    expect(await h.redis.llen(`${h.prefix}:h:${SUB}`)).toBe(0);
  });
});

describe('a snoozed rule', () => {
  it('is held, then says its latest state once when the snooze ends, with the path it took', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    // Rule 2 (hash-rate drop) snoozed for three days; rule 3 (retarget estimate) is not.
    expect((await h.app.service.snooze!(alice, '2', T0 + 3 * DAY, now)).ok).toBe(true);
    // (the engine reads the clock when it runs the job: settle before moving it)
    now = T0 + 600;
    await h.block(makeSnapshot({ height: 4001, dropPct: 40, changePct: 8 }));
    await settle();
    now = T0 + DAY;
    await h.block(makeSnapshot({ height: 4002, dropPct: 0 }));
    await settle();
    now = T0 + 2 * DAY;
    await h.block(makeSnapshot({ height: 4600, dropPct: 41 }));
    await settle();
    // Only the rule that is not snoozed spoke meanwhile.
    expect(h.notifier.sent.flatMap((m) => m.events.map((e) => `${e.kind}:${e.state}@${e.height}`))).toEqual([
      'retarget-estimate:firing@4001',
      'retarget-estimate:resolved@4002',
    ]);
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(3);
    now = T0 + 3 * DAY + 5;
    await releaseSnooze();
    expect(h.notifier.sent).toHaveLength(3);
    const release = h.notifier.sent[2]!;
    expect(release.digest).toBe(false);
    expect(release.events.map((e) => `${e.kind}:${e.state}@${e.height}`)).toEqual(['hashrate-drop:firing@4600']);
    const held = release.events[0]!.details.lines?.find(([label]) => label === 'Held')?.[1];
    // The times are data (time tokens), each renderer shows them in its reader's time; the plain
    // text has them in the subscriber's zone.
    expect(held).toBe(
      `while snoozed until <t:${T0 + 3 * DAY}:f>; fired <t:${blockSec(4001)}:f> → resolved <t:${blockSec(4002)}:f> → fired <t:${blockSec(4600)}:f>`,
    );
    expect(release.events[0]!.text).toMatch(
      /\n {2}Held: while snoozed until \w{3} \d\d:\d\d; fired \w{3} \d\d:\d\d → resolved .+ → fired \w{3} \d\d:\d\d$/,
    );
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(0);
    expect(await completed(SNOOZE_JOB_NAME)).toEqual(['sent']);

    // Exactly once: the same release again (a retried job whose entries were not yet removed).
    await h.redis.rpush(`${h.prefix}:hz:${SUB}`, JSON.stringify(release.events[0]));
    await deliverQueue().add(SNOOZE_JOB_NAME, { subscriptionId: SUB, releaseAtSec: T0 + 3 * DAY }, { jobId: 'again' });
    await waitFor(async () => (await completed(SNOOZE_JOB_NAME)).length === 2, 10_000, 'the repeated release');
    expect((await completed(SNOOZE_JOB_NAME)).sort()).toEqual(['duplicate', 'sent']);
    expect(h.notifier.sent).toHaveLength(3);
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(0);

    // After the snooze the rule speaks as usual again.
    now = T0 + 4 * DAY;
    await h.block(makeSnapshot({ height: 4601, dropPct: 0 }));
    await settle();
    expect(h.notifier.sent.at(-1)!.events.map((e) => `${e.kind}:${e.state}@${e.height}`)).toEqual([
      'hashrate-drop:resolved@4601',
    ]);
  });

  it('a crossing that came and went inside the snooze says nothing; a resolution of a told firing does', async () => {
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await settle();
    expect((await h.app.service.snooze!(alice, '2', T0 + DAY, now)).ok).toBe(true);
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    now = T0 + 3600;
    await h.block(makeSnapshot({ height: 4002, dropPct: 0 }));
    await settle();
    now = T0 + DAY + 5;
    await releaseSnooze();
    expect(await completed(SNOOZE_JOB_NAME)).toEqual(['empty']);
    expect(h.notifier.sent).toHaveLength(0);
    expect(await h.redis.llen(`${h.prefix}:hz:${SUB}`)).toBe(0);

    // Firing told, then snoozed: its resolution is held and told at the end.
    now = T0 + 2 * DAY;
    await h.block(makeSnapshot({ height: 4003, dropPct: 40 }));
    await settle();
    expect(h.notifier.sent).toHaveLength(1);
    expect((await h.app.service.snooze!(alice, '2', T0 + 3 * DAY, now)).ok).toBe(true);
    now = T0 + 2 * DAY + 600;
    await h.block(makeSnapshot({ height: 4004, hash: hashFor(4004), dropPct: 0 }));
    await settle();
    expect(h.notifier.sent).toHaveLength(1);
    now = T0 + 3 * DAY + 5;
    const before = (await completed(SNOOZE_JOB_NAME)).length;
    const delayed = (await deliverQueue().getJobs(['delayed'])).filter((j) => j.name === SNOOZE_JOB_NAME);
    await delayed[0]!.promote();
    await waitFor(async () => (await completed(SNOOZE_JOB_NAME)).length > before, 10_000, 'the second release');
    expect(h.notifier.sent.at(-1)!.events.map((e) => `${e.kind}:${e.state}@${e.height}`)).toEqual([
      'hashrate-drop:resolved@4004',
    ]);
    expect(h.notifier.sent.at(-1)!.events[0]!.details.lines?.at(-1)?.[0]).toBe('Held');
  });
});

describe('named decisions', () => {
  it('reach hashbell_rule_decisions_total{reason} and, at debug, the log', async () => {
    await h.close();
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    h = await startHarness('pipeline-log', 4, { nowSec: () => now, judge: alertJudge, plan: alertIndexPlan, logger });
    await h.app.service.start(alice, now);
    await h.block(makeSnapshot({ height: 4000, dropPct: 0 }));
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 }));
    await settle();
    await h.block(makeSnapshot({ height: 4001, dropPct: 40 })); // the same block again
    await settle();
    const metric = await h.registry.getSingleMetric('hashbell_rule_decisions_total')?.get();
    const byReason = Object.fromEntries((metric?.values ?? []).map((v) => [v.labels['reason'], v.value]));
    expect(byReason['fired']).toBe(1);
    const decisions = lines.filter((l) => l['msg'] === 'rule decision');
    expect(
      decisions.map((l) => [l['subscriptionId'], l['rule'], l['kind'], l['decision'], l['height']]),
    ).toContainEqual([SUB, '2', 'hashrate-drop', 'fired', 4001]);
    expect(decisions.every((l) => l['level'] === 20)).toBe(true);
  });
});
