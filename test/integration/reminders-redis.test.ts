/**
 * Issue 11 §2–3 on the real Redis evaluator (index, codec, lifecycle, fold) against the in-memory
 * replay over the same fixture: under-water reminders on the subscriber's cadence (weekly by
 * default, daily, off), escalations, the recovery, and a closed retarget estimate folded into
 * the retarget notice — the same events in both, each exactly once, even when a block is
 * evaluated twice (a redelivered job) or a batch crashes between its messages and its commit.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import { MemoryEvaluator } from '../../src/alerting/evaluator.ts';
import { eventKey } from '../../src/alerting/pipeline.ts';
import type { AlertEvent, Rule, RuleSpec, Subscription } from '../../src/alerting/types.ts';
import { forEachSnapshot } from '../../src/cli/replay-engine.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { evaluateBlock, type EvaluateDeps, type EvaluateSink } from '../../src/jobs/evaluate-core.ts';
import { decodeState } from '../../src/store/codec.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { readBlocksFile } from '../../src/sources/replay/blocks-file.ts';
import { readPricesFile } from '../../src/sources/replay/prices-file.ts';
import { testRedis } from '../support/redis.ts';
import { cleanPrefix } from './engine-harness.ts';

const root = new URL('../../', import.meta.url).pathname;
const DAY = 86_400;
const SPECS: RuleSpec[] = [
  { kind: 'hashprice-below', usd: 60 },
  { kind: 'hashprice-below', usd: 60, remind: DAY },
  { kind: 'hashprice-below', usd: 60, remind: 0 },
  { kind: 'breakeven', jth: 40, kwh: 0.06, poolfee: 2 },
  { kind: 'hashrate-below', ehs: 5000 },
  { kind: 'retarget-estimate', pct: 1, direction: 'both' },
  { kind: 'retarget' },
];

const redis = testRedis(9);
const prefix = `hb-test-reminders-${process.pid}:`;
const keys = engineKeys(prefix);
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
  createdSec: 0,
};
const snapshots: Snapshot[] = [];
let memory: AlertEvent[] = [];

beforeAll(async () => {
  await cleanPrefix(redis, prefix);
  const blocks = await readBlocksFile(join(root, 'test/fixtures/synth-471-472.blocks.jsonl'));
  const prices = await readPricesFile(join(root, 'data/btc-usd-2025-2026.prices.jsonl'));
  forEachSnapshot(blocks, prices, (s) => void snapshots.push(s));
  const rules: Rule[] = SPECS.map(
    (spec, i) => ({ ...spec, id: String(i + 1), subscriptionId: SUB.id, createdSec: 0 }) as Rule,
  );
  const ev = new MemoryEvaluator(rules);
  memory = snapshots.flatMap((s) => ev.feed(s));
});

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('under-water reminders and the estimate look-back, replay vs Redis', () => {
  it('replay: weekly, daily and off cadences; depth and duration in the words; the notice looks back', () => {
    const of = (rule: string) => memory.filter((e) => e.rule === rule && e.state === 'firing');
    const weekly = of('1');
    const daily = of('2');
    const off = of('3');
    console.log(
      `fixture ${snapshots[0]!.height}..${snapshots.at(-1)!.height}: weekly ${weekly.length}, daily ${daily.length}, off ${off.length} firing messages; breakeven ${of('4').length}; hashrate-below ${of('5').length}`,
    );
    expect(weekly.length).toBeGreaterThanOrEqual(3); // ~4 weeks under water: first + weekly
    expect(daily.length).toBeGreaterThan(3 * weekly.length);
    expect(off.filter((e) => e.details.repeat === 'reminder')).toHaveLength(0);
    for (const list of [weekly, daily]) {
      const reminders = list.filter((e) => e.details.repeat === 'reminder');
      expect(reminders.length).toBeGreaterThan(0);
      for (const r of reminders)
        expect(r.details.title).toMatch(
          /^Still below \$60\/PH\/day: \$\d+\.\d\d vs your \$60\.00, \d+ % short, (\d+ days|\d+ h)$/,
        );
    }
    for (let i = 1; i < weekly.length; i++) {
      if (weekly[i]!.details.repeat === 'reminder')
        expect(weekly[i]!.time - weekly[i - 1]!.time).toBeGreaterThanOrEqual(7 * DAY);
    }
    const notice = memory.find((e) => e.kind === 'retarget');
    expect(notice).toBeDefined();
    const estimate = memory.filter((e) => e.rule === '6');
    expect(estimate.some((e) => e.state === 'resolved' && e.height === notice!.height)).toBe(false);
    if (estimate.some((e) => e.state === 'firing' && e.height < notice!.height)) {
      expect(notice!.text).toMatch(/your alert 6: told [+−][\d.]+ % \(90 %: .+\) on \d+ \w+; actual [+−][\d.]+ %/);
    }
  });

  it('the Redis evaluator says exactly the same, once each, across redelivered blocks and a crashed batch', async () => {
    const store = new RedisSubscriptionStore(redis, { keys, plan: alertIndexPlan });
    await store.put(SUB);
    for (const spec of SPECS) await store.addRule(SUB.id, spec, 0);
    const deps: EvaluateDeps = { redis, keys, plan: alertIndexPlan, judge: alertJudge };
    const sent: AlertEvent[] = [];
    const sink: EvaluateSink = {
      deliver: async (jobs) => void sent.push(...jobs.flatMap((j) => j.events as unknown as AlertEvent[])),
      hold: async () => undefined,
    };
    let crashAt = -1;
    const crashing: EvaluateSink = {
      deliver: async (jobs) => {
        sent.push(...jobs.flatMap((j) => j.events as unknown as AlertEvent[]));
        throw new Error('crash after enqueue, before commit');
      },
      hold: async () => undefined,
    };
    for (const [i, s] of snapshots.entries()) {
      const has = memory.some((e) => e.height === s.height);
      if (has && crashAt < 0 && i > 100) {
        crashAt = s.height;
        await expect(evaluateBlock(deps, s, s.computedAtSec, crashing)).rejects.toThrow('crash');
      }
      await evaluateBlock(deps, s, s.computedAtSec, sink);
      if (i % 400 === 0 || has) {
        const before = sent.length;
        await evaluateBlock(deps, s, s.computedAtSec, sink); // the same job again
        expect(sent.length, `block ${s.height} evaluated twice`).toBe(before);
      }
    }
    expect(crashAt).toBeGreaterThan(0);
    const unique = new Map(sent.map((e) => [eventKey(e), e]));
    // The crashed batch was re-sent with the very same events (the delivery log dedupes them).
    expect(sent.length - unique.size).toBe(sent.filter((e) => e.height === crashAt).length / 2);
    const line = (e: AlertEvent) => `${e.rule} ${e.state} ${e.height} ${e.value} ${e.text}`;
    expect([...unique.values()].map(line).sort()).toEqual(memory.map(line).sort());
    // A firing reminder rule waits in the due set, scored by its next reminder.
    const st = decodeState((await redis.hget(keys.states(SUB.id), '1'))!);
    if (st?.status === 'firing') {
      expect(Number(await redis.zscore(keys.repeatIndex('hpb', 'due'), `${SUB.id}/1`))).toBe(
        st.lastNotifiedSec! + 7 * DAY,
      );
      expect(await redis.zscore(keys.repeatIndex('hpb', 'due'), `${SUB.id}/3`)).toBeNull(); // off
      // A group → supergroup migration moves the reminder with the rule.
      expect(await store.rename(SUB.id, 'telegram-chat-43', { targetId: '43' })).toBe(true);
      expect(Number(await redis.zscore(keys.repeatIndex('hpb', 'due'), 'telegram-chat-43/1'))).toBe(
        st.lastNotifiedSec! + 7 * DAY,
      );
      expect(await redis.zscore(keys.repeatIndex('hpb', 'due'), `${SUB.id}/1`)).toBeNull();
    }
    expect(st?.status).toBe('firing'); // the fixture keeps hash price under $60 to its end
  });
});
