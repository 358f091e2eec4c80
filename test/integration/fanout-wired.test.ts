/**
 * Issue 14 item 2 wired end to end (DB 6): a block's new-block notice through createApp's
 * evaluator and notifier, once per-subscriber (fan-out off) and once fanned out (one stored
 * notice, chunk jobs): the same subscribers get the same events, the muted one's go to its
 * digest list and the snoozed one's to its snooze list in both, the inactive one hears nothing,
 * the broadcast channel is told first, and the fanned-out block enqueues no job per subscriber.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import type { AlertEvent, Subscription } from '../../src/alerting/types.ts';
import { BROADCAST_OWNER } from '../../src/alerting/broadcast.ts';
import { encodeState } from '../../src/store/codec.ts';
import { engineKeys, ruleKey } from '../../src/store/keys.ts';
import { RedisHeldEvents } from '../../src/store/redis-held-events.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { FANOUT_JOB_NAME, DELIVER_JOB_NAME } from '../../src/jobs/queues.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { startHarness, waitFor, type Harness } from './engine-harness.ts';

const NOW = 1_900_000_000;
const N = 45;
let harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses) await h.close();
  harnesses = [];
});

/** N subscribers with a new-block rule; #1 muted, #2 snoozed on it, #3 inactive; plus a channel. */
async function scenario(name: string, fanOutMin: number, legacyIndex = false) {
  const h = await startHarness(name, 6, {
    judge: alertJudge,
    plan: alertIndexPlan,
    nowSec: () => NOW,
    fanOutMin,
    fanOutChunk: { telegram: 4 },
  });
  harnesses.push(h);
  const keys = engineKeys(`${h.prefix}:`);
  const store = new RedisSubscriptionStore(h.redis, { keys, plan: alertIndexPlan });
  const ids: string[] = [];
  const put = async (i: number, patch: Partial<Subscription> = {}) => {
    const id = `telegram-chat-${7000 + i}`;
    const s: Subscription = {
      id,
      platform: 'telegram',
      targetType: 'chat',
      targetId: String(7000 + i),
      ownerId: String(7000 + i),
      timeZone: 'UTC',
      quiet: null,
      mutedUntilSec: null,
      active: true,
      createdSec: NOW - 100,
      ...patch,
    };
    await store.put(s);
    const r = await store.addRule(id, { kind: 'new-block' }, NOW - 100);
    if (r === 'too-many-rules') throw new Error('too many rules');
    ids.push(id);
    return { id, rule: r.id };
  };
  for (let i = 0; i < N; i++) await put(i);
  const muted = `telegram-chat-7001`;
  await store.put({ ...(await store.get(muted))!, mutedUntilSec: NOW + 3600 });
  const snoozed = `telegram-chat-7002`;
  await store.put({ ...(await store.get(snoozed))!, snoozed: { '1': NOW + 7200 } });
  await store.setActive('telegram-chat-7003', false);
  const channel = await put(900, { ownerId: BROADCAST_OWNER, targetId: '-1009' });
  if (legacyIndex) {
    // The index as the previous version kept it: a plain set.
    const members = await h.redis.zrange(keys.eventIndex('nb'), 0, -1);
    await h.redis.del(keys.eventIndex('nb'));
    await h.redis.sadd(keys.legacyEventIndex('nb'), ...members);
  }
  return { h, keys, ids, muted, snoozed, channel: channel.id };
}

type Told = Record<string, Array<Pick<AlertEvent, 'rule' | 'kind' | 'state' | 'height' | 'text'>>>;

async function run(name: string, fanOutMin: number, legacyIndex = false) {
  const s = await scenario(name, fanOutMin, legacyIndex);
  const snap = makeSnapshot({ height: 900_100, dropPct: 0, timeSec: NOW - 30 });
  await s.h.block(snap);
  const expected = N - 3 + 1;
  await waitFor(() => s.h.notifier.sent.length >= expected, 20_000, `${expected} messages`);
  await new Promise((r) => setTimeout(r, 300));
  const told: Told = {};
  for (const m of s.h.notifier.sent)
    (told[m.subscriptionId] ??= []).push(
      ...m.events.map((e) => ({ rule: e.rule, kind: e.kind, state: e.state, height: e.height, text: e.text })),
    );
  const held = new RedisHeldEvents(s.h.redis, s.keys);
  const digest = (await held.read('digest', s.muted)).map((x) => x.event.text);
  const snooze = (await held.read('snooze', s.snoozed)).map((x) => x.event.text);
  const jobs = await s.h.app.deliverQueues.telegram!.getJobs(['completed', 'waiting', 'active', 'delayed']);
  return { ...s, told, digest, snooze, first: s.h.notifier.sent[0]?.subscriptionId, jobs };
}

describe('fan-out wired through the evaluator and the notifier', () => {
  it('tells the same subscribers the same as the per-subscriber path, with the same routing', async () => {
    const personal = await run('fan-personal', 1_000_000);
    const fanned = await run('fan-lazy', 0);
    expect(Object.keys(fanned.told).sort()).toEqual(Object.keys(personal.told).sort());
    expect(fanned.told).toEqual(personal.told);
    // each subscriber told once
    for (const list of Object.values(fanned.told)) expect(list).toHaveLength(1);
    expect(fanned.told['telegram-chat-7003']).toBeUndefined();
    expect(fanned.told[fanned.muted]).toBeUndefined();
    expect(fanned.digest).toEqual(personal.digest);
    expect(fanned.digest).toHaveLength(1);
    expect(fanned.snooze).toEqual(personal.snooze);
    expect(fanned.snooze).toHaveLength(1);
    // the channel first, on both paths
    expect(fanned.first).toBe(fanned.channel);
    expect(personal.first).toBe(personal.channel);
    // no job per subscriber: the channel's one message and a chunk job per 4 recipients
    const names = fanned.jobs.map((j) => j.name);
    expect(names.filter((n) => n === DELIVER_JOB_NAME)).toHaveLength(1);
    expect(names.filter((n) => n === FANOUT_JOB_NAME).length).toBeLessThanOrEqual(Math.ceil(N / 4) + 2);
    expect(personal.jobs.filter((j) => j.name === DELIVER_JOB_NAME).length).toBeGreaterThan(N - 5);
  }, 60_000);

  it('an event index left by the previous version is upgraded on the next block: nobody lost or told twice', async () => {
    const fanned = await run('fan-upgrade', 0, true);
    expect(Object.keys(fanned.told)).toHaveLength(N - 3 + 1);
    for (const list of Object.values(fanned.told)) expect(list).toHaveLength(1);
    expect(await fanned.h.redis.exists(fanned.keys.legacyEventIndex('nb'))).toBe(0);
    expect(await fanned.h.redis.zcard(fanned.keys.eventIndex('nb'))).toBe(N + 1);
  }, 60_000);

  it("a retarget: each subscriber's closed-estimate score is folded into its notice on both paths", async () => {
    const H = 2016 * 470;
    const retargetRun = async (name: string, fanOutMin: number) => {
      const h = await startHarness(name, 6, {
        judge: alertJudge,
        plan: alertIndexPlan,
        nowSec: () => NOW,
        fanOutMin,
        fanOutChunk: { telegram: 3 },
      });
      harnesses.push(h);
      const keys = engineKeys(`${h.prefix}:`);
      const store = new RedisSubscriptionStore(h.redis, { keys, plan: alertIndexPlan });
      for (let i = 0; i < 12; i++) {
        const id = `telegram-chat-${8000 + i}`;
        await store.put({
          id,
          platform: 'telegram',
          targetType: 'chat',
          targetId: String(8000 + i),
          ownerId: String(8000 + i),
          timeZone: 'UTC',
          quiet: null,
          mutedUntilSec: null,
          active: true,
          createdSec: NOW - 100,
        });
        await store.addRule(id, { kind: 'retarget' }, NOW - 100);
        const est = await store.addRule(id, { kind: 'retarget-estimate', pct: 5, direction: 'both' }, NOW - 100);
        if (est === 'too-many-rules') throw new Error('too many rules');
        // every third one told "+6 %" in the closing epoch (and waits to resolve, as it would)
        if (i % 3 === 0) {
          const p = alertIndexPlan.placement(est);
          const member = ruleKey(id, est.id);
          await h.redis.zrem(keys.fireIndex(p.series), member);
          if (p.mode === 'level') await h.redis.zadd(keys.resolveIndex(p.series), p.resolve, member);
          await h.redis.hset(
            keys.states(id),
            est.id,
            encodeState({
              status: 'firing',
              lastHeight: H - 1,
              lastHash: 'f'.repeat(64),
              firingSinceHeight: H - 500,
              lastNotifiedSec: NOW - 86_400,
              sinceSec: NOW - 86_400,
              told: { value: 6, low: 5.2, high: 6.8, sec: NOW - 86_400, height: H - 500 },
            }),
          );
        }
      }
      await h.block(makeSnapshot({ height: H, dropPct: 0, changePct: 3, retarget: true, timeSec: NOW - 30 }));
      await waitFor(() => h.notifier.sent.length >= 12, 20_000, '12 messages');
      await new Promise((r) => setTimeout(r, 300));
      const told: Record<string, string[]> = {};
      for (const m of h.notifier.sent) (told[m.subscriptionId] ??= []).push(...m.events.map((e) => e.text));
      return told;
    };
    const personal = await retargetRun('fan-rt-personal', 1_000_000);
    const fanned = await retargetRun('fan-rt-lazy', 0);
    expect(fanned).toEqual(personal);
    expect(Object.keys(fanned)).toHaveLength(12);
    const withScore = Object.entries(fanned).filter(([, t]) => t.join('\n').includes('your alert'));
    expect(withScore.map(([id]) => id).sort()).toEqual(
      ['8000', '8003', '8006', '8009'].map((n) => `telegram-chat-${n}`),
    );
    for (const texts of Object.values(fanned)) expect(texts).toHaveLength(1);
  }, 60_000);
});
