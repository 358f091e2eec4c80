/**
 * Upgrade to the sequential drop detector (issue 10): hash-rate-drop rules, states and index
 * entries written by the previous version are put into a real Redis exactly as it stored them
 * (`hd|created|pct|window|lookback`, `f|…` states, `ix:hd-<window>-<lookback>` sorted sets scored
 * pct / pct÷2); the new evaluator then runs on the next blocks. Nothing is lost, nothing is said
 * twice: no message on upgrade, and the rules keep working afterwards.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import type { Subscription } from '../../src/alerting/types.ts';
import { evaluateBlock, type EvaluateSink } from '../../src/jobs/evaluate-core.ts';
import type { OutboundMessage } from '../../src/alerting/ports.ts';
import { decodeState, encodeSubscription } from '../../src/store/codec.ts';
import { engineKeys, type EngineKeys } from '../../src/store/keys.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { testRedis } from '../support/redis.ts';

const redis = testRedis(13);
const prefixes: string[] = [];
afterEach(async () => {
  for (const p of prefixes.splice(0)) {
    const keys = await redis.keys(`${p}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
});

const SUB: Subscription = {
  id: 'telegram-chat-42',
  platform: 'telegram',
  targetType: 'chat',
  targetId: '42',
  ownerId: '42',
  timeZone: 'UTC',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 1_700_000_000,
};

/** The previous version's Redis: rule 1 (10 %, 3d, 30d) firing since block 850; rule 2 (5 %, 1d, 7d) ok. */
async function legacy(withOkRule: boolean): Promise<EngineKeys> {
  const keys = engineKeys(`hb-test-drop-upgrade-${randomUUID().slice(0, 8)}:`);
  prefixes.push(keys.prefix);
  const m = `${SUB.id}/`;
  const tx = redis.multi();
  tx.hset(keys.subscription(SUB.id), encodeSubscription(SUB));
  tx.hset(keys.rules(SUB.id), '1', 'hd|1700000000|10|3d|30d');
  tx.hset(keys.states(SUB.id), '1', `f|899|${'0'.repeat(64)}|850|1700500000`);
  tx.zadd(keys.resolveIndex('hd-3d-30d'), 5, `${m}1`);
  if (withOkRule) {
    tx.hset(keys.rules(SUB.id), '2', 'hd|1700000000|5|1d|7d');
    tx.hset(keys.states(SUB.id), '2', `o|899|${'0'.repeat(64)}||`);
    tx.zadd(keys.fireIndex('hd-1d-7d'), 5, `${m}2`);
  }
  await tx.exec();
  return keys;
}

function recordingSink(): EvaluateSink & { jobs: OutboundMessage[] } {
  const jobs: OutboundMessage[] = [];
  return { jobs, deliver: async (j) => void jobs.push(...j), hold: async () => undefined };
}

const deps = (keys: EngineKeys) => ({ redis, keys, plan: alertIndexPlan, judge: alertJudge });

describe('upgrading stored hashrate-drop rules to the detector', () => {
  it('steady chain: the old firing rule turns ok silently, both rules wait in their cells, no message; later drops still alert', async () => {
    const keys = await legacy(true);
    const sink = recordingSink();
    for (let h = 900; h <= 905; h++)
      await evaluateBlock(deps(keys), makeSnapshot({ height: h, dropPct: 1 }), 1_750_000_000 + h * 600, sink);
    expect(sink.jobs).toEqual([]);
    const s1 = decodeState((await redis.hget(keys.states(SUB.id), '1'))!);
    expect(s1?.status).toBe('ok');
    expect(s1?.lastNotifiedSec).toBe(1_700_500_000);
    // Legacy sets are empty; each rule sits in its detector cell's fire set at level 1.
    expect(await redis.zcard(keys.resolveIndex('hd-3d-30d'))).toBe(0);
    expect(await redis.zcard(keys.fireIndex('hd-1d-7d'))).toBe(0);
    expect(await redis.zscore(keys.fireIndex('hd-30d-10'), `${SUB.id}/1`)).toBe('1');
    expect(await redis.zscore(keys.fireIndex('hd-7d-5'), `${SUB.id}/2`)).toBe('1');
    // Not lost: a real drop later reaches both rules, once each.
    await evaluateBlock(deps(keys), makeSnapshot({ height: 906, dropPct: 12 }), 1_750_000_000 + 906 * 600, sink);
    expect(sink.jobs).toHaveLength(1);
    expect(sink.jobs[0]!.events.map((e) => `${e.rule}:${e.state}`).sort()).toEqual(['1:firing', '2:firing']);
    await evaluateBlock(deps(keys), makeSnapshot({ height: 907, dropPct: 12 }), 1_750_000_000 + 907 * 600, sink);
    expect(sink.jobs).toHaveLength(1);
  });

  it('a drop the new detector also sees: the old firing rule stays firing without a word, and resolves once when it ends', async () => {
    const keys = await legacy(false);
    const sink = recordingSink();
    for (let h = 900; h <= 903; h++)
      await evaluateBlock(deps(keys), makeSnapshot({ height: h, dropPct: 14 }), 1_750_000_000 + h * 600, sink);
    expect(sink.jobs).toEqual([]);
    expect(decodeState((await redis.hget(keys.states(SUB.id), '1'))!)?.status).toBe('firing');
    expect(await redis.zscore(keys.resolveIndex('hd-30d-10'), `${SUB.id}/1`)).toBe('0');
    await evaluateBlock(deps(keys), makeSnapshot({ height: 904, dropPct: 0 }), 1_750_000_000 + 904 * 600, sink);
    expect(sink.jobs.flatMap((j) => j.events.map((e) => `${e.rule}:${e.state}`))).toEqual(['1:resolved']);
  });

  it('a snapshot stored by the old version (no detector figures) changes nothing and says nothing', async () => {
    const keys = await legacy(true);
    const sink = recordingSink();
    const { drop: _none, ...old } = makeSnapshot({ height: 900, dropPct: 30 });
    await evaluateBlock(deps(keys), old, 1_750_540_000, sink);
    expect(sink.jobs).toEqual([]);
    // The migration waits for a snapshot with detector figures: the firing rule is untouched.
    expect(decodeState((await redis.hget(keys.states(SUB.id), '1'))!)?.status).toBe('firing');
    expect(await redis.zcard(keys.resolveIndex('hd-3d-30d'))).toBe(1);
  });
});
