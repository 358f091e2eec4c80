/**
 * Issue 14 item 2, the fan-out walk on Redis (DB 4): a notice stored once per (series, height,
 * platform), walked chunk by chunk over the sorted event index; each subscriber told exactly once
 * across crashes mid-chunk and between chunks; a reorg replaces the notice in place and the walk
 * goes on without telling anyone twice; a newer block supersedes an unfinished walk and starts
 * where it stopped ("replaces the alert of block N" for those it had not reached); what Redis
 * keeps is bounded by a chunk, not by the number of recipients; a legacy event set is upgraded.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { fanOutStep, noticeOf, reachedBy, type FanOutPorts } from '../../src/alerting/fanout.ts';
import { alertJudge } from '../../src/alerting/engine.ts';
import type { OutboundMessage, WalkAt } from '../../src/alerting/ports.ts';
import type { Subscription } from '../../src/alerting/types.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisBroadcasts } from '../../src/store/redis-broadcasts.ts';
import { upgradeEventIndex } from '../../src/store/event-index-upgrade.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { testRedis } from '../support/redis.ts';
import type { Job } from 'bullmq';
import { deliverFanOut } from '../../src/jobs/fanout-processor.ts';
import type { DeliverDeps } from '../../src/jobs/deliver-processor.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { MemoryNotificationLog } from '../fakes/memory-stores.ts';
import { cleanPrefix } from './engine-harness.ts';

const prefix = `hb-test-fanout-${process.pid}:`;
const keys = engineKeys(prefix);
const SUBS = Array.from({ length: 100 }, (_, i) => `telegram-chat-${5000 + i}`);
const SNAP = makeSnapshot({ height: 900_000, dropPct: 0 });
const A: WalkAt = { series: 'nb', height: SNAP.height, hash: SNAP.hash, platform: 'telegram' };

const sub = (id: string): Subscription => ({
  id,
  platform: 'telegram',
  targetType: 'chat',
  targetId: id.slice('telegram-chat-'.length),
  ownerId: 'u',
  timeZone: 'UTC',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
});

let redis: Redis;
let store: RedisBroadcasts;
let ports: FanOutPorts;
beforeEach(async () => {
  redis = testRedis(4);
  await cleanPrefix(redis, prefix);
  // every subscriber's new-block rule sits in the index (the first has two; a Discord one is walked apart)
  await redis.zadd(keys.eventIndex('nb'), ...SUBS.flatMap((s) => [0, `${s}/1`]), 0, `${SUBS[0]}/7`);
  await redis.zadd(keys.eventIndex('nb'), 0, 'discord-channel-9/1');
  store = new RedisBroadcasts(redis, keys);
  ports = {
    store,
    judge: alertJudge,
    subscriptions: async (ids) => ids.map(sub),
    hold: async () => undefined,
    nowSec: () => SNAP.timeSec,
  };
});
afterEach(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

const notice = (s = SNAP) => JSON.stringify(noticeOf('nb', s, s.timeSec));

/** Runs a walk's chunk jobs in order until it stops; returns the last status. */
async function walk(at: WalkAt, send: (s: Subscription, m: OutboundMessage) => Promise<void>, from = 0) {
  let chunk = from;
  for (let i = 0; i < 200; i++) {
    const r = await fanOutStep(ports, at, chunk, 7, send).catch((e: Error) => ({ status: e.message, next: chunk }));
    if (r.status === 'crash') continue;
    if (r.next === null || r.status === 'done') return r.status;
    chunk = r.next;
  }
  throw new Error('walk did not finish');
}

describe('lazy fan-out over the sorted subscriber index', () => {
  it('tells every subscriber of its platform once, in one message each, through crashes mid-chunk and between chunks', async () => {
    expect((await store.put(A, notice())).chunk).toBe(0);
    expect((await store.put(A, 'a second put keeps the first')).chunk).toBe(0);
    await store.progress(A, null, []);
    const told: OutboundMessage[] = [];
    let n = 0;
    const send = async (_s: Subscription, m: OutboundMessage) => {
      // a crash before the 10th and the 33rd send (the 33rd ends a chunk: its settle is not recorded)
      if (++n === 10 || n === 35) throw new Error('crash');
      told.push(m);
    };
    expect(await walk(A, send)).toBe('done');
    const ids = told.map((m) => m.subscriptionId);
    expect(new Set(ids)).toEqual(new Set(SUBS));
    expect(ids).toHaveLength(SUBS.length);
    // the subscriber with two new-block rules gets one message with both
    expect(told.find((m) => m.subscriptionId === SUBS[0])?.events.map((e) => e.rule)).toEqual(['1', '7']);
    expect(told[0]?.events[0]).toMatchObject({ kind: 'new-block', state: 'notice', height: SNAP.height });
    // A job of an already settled chunk (a retried job after its successor was added) does nothing.
    const again = await fanOutStep(ports, A, 0, 7, send);
    expect(again.status === 'stale' || again.status === 'done').toBe(true);
    expect(told).toHaveLength(SUBS.length);
    // What the walk kept: the notice hash only; the settled set went with its chunk.
    expect(await redis.exists(keys.broadcastSent('nb', `${A.height}:telegram`))).toBe(0);
    const walkKeys = (await redis.keys(`${prefix}bc*`)).sort();
    expect(walkKeys).toEqual(
      [keys.broadcast('nb', `${A.height}:telegram`), keys.broadcastLatest('nb:telegram')].sort(),
    );
    // a finished walk is kept a day (reorgs of its block), not the log's two weeks
    const ttl = await redis.ttl(keys.broadcast('nb', `${A.height}:telegram`));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('a reorg at the same height takes the walk over in place: the rest hear of the new block, nobody twice', async () => {
    await store.put(A, notice());
    await store.progress(A, null, []);
    const told = new Map<string, string>();
    const send = async (_s: Subscription, m: OutboundMessage) => {
      expect(told.has(m.subscriptionId)).toBe(false);
      told.set(m.subscriptionId, m.hash);
    };
    const r0 = await fanOutStep(ports, A, 0, 7, send);
    // 7 index members: the first subscriber's two rules and six more subscribers
    expect(r0).toMatchObject({ status: 'ok', sent: 6, next: 1 });
    const B = { ...makeSnapshot({ height: SNAP.height, dropPct: 0 }), hash: 'b'.repeat(64) };
    const atB = { ...A, hash: B.hash };
    expect(B.hash).not.toBe(A.hash);
    expect((await store.put(atB, notice(B))).chunk).toBe(1);
    await store.progress(atB, null, []);
    // the replaced block's job stops; the replacement's goes on from chunk 1
    expect((await fanOutStep(ports, A, 1, 7, send)).status).toBe('reorged');
    expect(await walk(atB, send, 1)).toBe('done');
    expect(told.size).toBe(SUBS.length);
    expect([...told.values()].filter((h) => h === A.hash)).toHaveLength(6);
  });

  it('a newer block supersedes an unfinished walk and starts where it stopped, saying what it replaces', async () => {
    await store.put(A, notice());
    await store.progress(A, null, []);
    const first: string[] = [];
    await fanOutStep(ports, A, 0, 7, async (_s, m) => void first.push(m.subscriptionId));
    await fanOutStep(ports, A, 1, 7, async (_s, m) => void first.push(m.subscriptionId));
    expect(first).toHaveLength(13);
    const N = makeSnapshot({ height: SNAP.height + 1, dropPct: 0 });
    const atN: WalkAt = { ...A, height: N.height, hash: N.hash };
    await store.put(atN, notice(N));
    await store.progress(atN, null, []);
    expect((await fanOutStep(ports, A, 2, 7, async () => undefined)).status).toBe('superseded');
    const second: OutboundMessage[] = [];
    expect(await walk(atN, async (_s, m) => void second.push(m))).toBe('done');
    expect(second.map((m) => m.subscriptionId).sort()).toEqual([...SUBS].sort());
    // the first recipients of the newer walk are the ones the older had not reached, told what it replaces
    expect(second[0]?.subscriptionId).toBe(SUBS[13]);
    const replaces = (m: OutboundMessage) => (m.events[0]?.details.lines ?? []).some(([l]) => l === 'Replaces');
    expect(
      second
        .filter(replaces)
        .map((m) => m.subscriptionId)
        .sort(),
    ).toEqual(SUBS.slice(13).sort());
    expect(second.find((m) => m.subscriptionId === SUBS[13])?.events[0]?.text).toContain(
      `replaces the alert of block ${A.height.toLocaleString('en-US')}`,
    );
  });

  it('does not pass the evaluation: recipients wait until their own lines are stored', async () => {
    await store.put(A, notice());
    const sent: string[] = [];
    const send = async (_s: Subscription, m: OutboundMessage) => void sent.push(m.subscriptionId);
    expect((await fanOutStep(ports, A, 0, 7, send)).status).toBe('wait');
    await store.progress(A, SUBS[3]!, [
      {
        subscriptionId: SUBS[2]!,
        events: JSON.stringify([
          {
            ...JSON.parse(notice()),
            kind: 'x',
            details: { foldInto: 'new-block', lines: [['your alert 4', 'was right']] },
          },
        ]),
      },
    ]);
    const r = await fanOutStep(ports, A, 0, 7, send);
    expect(r.status).toBe('ok');
    expect(sent).toEqual(SUBS.slice(0, 4));
  });

  it('skips the channels the evaluator told first, and only those', async () => {
    await redis.sadd(keys.broadcastSubscriptions(), SUBS[5]!);
    await store.put(A, notice());
    await store.progress(A, null, []);
    const told: string[] = [];
    expect(await walk(A, async (_s, m) => void told.push(m.subscriptionId))).toBe('done');
    expect(told.sort()).toEqual(SUBS.filter((s) => s !== SUBS[5]).sort());
  });

  it('a fan-out job of a block no longer on the main chain stops without telling anyone', async () => {
    await store.put(A, notice());
    await store.progress(A, null, []);
    const sent: string[] = [];
    const added: unknown[] = [];
    const deps = {
      store: { get: async (id: string) => sub(id) },
      log: new MemoryNotificationLog(),
      notifier: {
        platform: 'telegram',
        send: async (_s: Subscription, m: OutboundMessage) => void sent.push(m.subscriptionId),
      },
      judge: alertJudge,
      held: { push: async () => undefined },
      pointers: { resolve: async () => null },
      nowSec: () => SNAP.timeSec,
      logger: silentLogger(),
      schedule: async () => undefined,
    } as unknown as DeliverDeps;
    const fan = (onChain: boolean) => ({
      broadcasts: store,
      enqueue: async (j: unknown) => void added.push(j),
      onMainChain: async () => onChain,
      chunk: 7,
    });
    const job = {
      data: { series: 'nb', height: A.height, hash: A.hash, chunk: 0 },
      attemptsMade: 0,
      opts: {},
    } as unknown as Job;
    expect(await deliverFanOut(deps, fan(false), { job, worker: undefined, token: undefined })).toBe('reorged');
    expect(sent).toEqual([]);
    expect(added).toEqual([]);
    // back on the main chain (or its replacement took the walk over), the same job goes on
    expect(await deliverFanOut(deps, fan(true), { job, worker: undefined, token: undefined })).toBe('fanned-out');
    expect(sent).toHaveLength(6);
    expect(added).toEqual([{ series: 'nb', height: A.height, hash: A.hash, chunk: 1 }]);
  });

  it('reachedBy follows the ring: origin, cursor, wrapped', () => {
    expect(reachedBy({ height: 1, origin: '', cursor: 'm', wrapped: false }, 'k')).toBe(true);
    expect(reachedBy({ height: 1, origin: '', cursor: 'm', wrapped: false }, 'n')).toBe(false);
    expect(reachedBy({ height: 1, origin: 'f', cursor: 'm', wrapped: false }, 'c')).toBe(false);
    expect(reachedBy({ height: 1, origin: 'f', cursor: 'c', wrapped: true }, 'b')).toBe(true);
    expect(reachedBy({ height: 1, origin: 'f', cursor: 'c', wrapped: true }, 'd')).toBe(false);
  });

  it('upgrades a legacy event set into the sorted index, losing no member', async () => {
    await redis.del(keys.eventIndex('nb'));
    await redis.sadd(keys.legacyEventIndex('nb'), ...SUBS.map((s) => `${s}/1`));
    await redis.zadd(keys.eventIndex('nb'), 0, 'telegram-chat-1/2'); // written by the new code meanwhile
    expect(await upgradeEventIndex(redis, keys, 30)).toBe(SUBS.length);
    expect(await redis.exists(keys.legacyEventIndex('nb'))).toBe(0);
    expect(await redis.zcard(keys.eventIndex('nb'))).toBe(SUBS.length + 1);
    expect(await upgradeEventIndex(redis, keys)).toBe(0);
  });
});
