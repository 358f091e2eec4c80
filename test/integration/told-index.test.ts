/**
 * The epoch sweep on Redis reads only what an epoch's first block can close: the firing estimates
 * (resolve set) and the eased ones still carrying what they told (told set). The events are those
 * of the in-memory replay, and an install whose eased estimates were stored before the told set
 * existed (no set, no marker) loses no "how your estimates did" line and says nothing twice.
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
import { engineKeys, type EngineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import { readBlocksFile } from '../../src/sources/replay/blocks-file.ts';
import { readPricesFile } from '../../src/sources/replay/prices-file.ts';
import { testRedis } from '../support/redis.ts';
import { cleanPrefix } from './engine-harness.ts';

const root = new URL('../../', import.meta.url).pathname;
const SPECS: RuleSpec[] = [
  { kind: 'retarget' },
  ...[0.5, 1, 2, 3, 5, 8, 20].map((pct): RuleSpec => ({ kind: 'retarget-estimate', pct, direction: 'both' })),
  ...[1, 3, 20].map((pct): RuleSpec => ({ kind: 'retarget-estimate', pct, direction: 'down' })),
  ...[0.5, 1, 3, 20].map((pct): RuleSpec => ({ kind: 'retarget-estimate', pct, direction: 'up' })),
];
const SUBS = ['telegram-chat-71', 'telegram-chat-72'];
const sub = (id: string): Subscription => ({
  id,
  platform: 'telegram',
  targetType: 'chat',
  targetId: id.slice(id.lastIndexOf('-') + 1),
  ownerId: '1',
  timeZone: 'UTC',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
});

const redis = testRedis(10);
const prefixes = [`hb-test-told-a-${process.pid}:`, `hb-test-told-b-${process.pid}:`];
const snapshots: Snapshot[] = [];
let memory: AlertEvent[] = [];
let epochStart = -1;

const ESTIMATE_SERIES = ['re-both', 're-up', 're-down'];
const line = (e: AlertEvent) => `${e.subscriptionId} ${e.rule} ${e.state} ${e.height} ${e.value} ${e.text}`;

async function seed(keys: EngineKeys): Promise<void> {
  const store = new RedisSubscriptionStore(redis, { keys, plan: alertIndexPlan });
  for (const id of SUBS) {
    await store.put(sub(id));
    for (const spec of SPECS) await store.addRule(id, spec, 0);
  }
}

function sinkInto(sent: AlertEvent[]): EvaluateSink {
  return {
    deliver: async (jobs) => void sent.push(...jobs.flatMap((j) => j.events as unknown as AlertEvent[])),
    hold: async () => undefined,
  };
}

beforeAll(async () => {
  for (const p of prefixes) await cleanPrefix(redis, p);
  // Two epochs of the real 2025–26 chain and the next one's start: by 947,520 some estimates have
  // fired and eased again (ok, still carrying what they told), others still fire.
  const blocks = (await readBlocksFile(join(root, 'data/mainnet-2025-2026.blocks.jsonl'))).filter(
    (b) => b.height >= 943_488 && b.height < 947_720,
  );
  const prices = await readPricesFile(join(root, 'data/btc-usd-2025-2026.prices.jsonl'));
  forEachSnapshot(blocks, prices, (s) => void snapshots.push(s));
  epochStart = snapshots.findLast((s) => s.height === s.retarget.epochStartHeight)!.height;
  const rules: Rule[] = SUBS.flatMap((subscriptionId) =>
    SPECS.map((spec, i) => ({ ...spec, id: String(i + 1), subscriptionId, createdSec: 0 }) as Rule),
  );
  const ev = new MemoryEvaluator(rules);
  memory = snapshots.flatMap((s) => ev.feed(s));
});

afterAll(async () => {
  for (const p of prefixes) await cleanPrefix(redis, p);
  redis.disconnect();
});

describe('the epoch sweep reads the told set, not every estimate', () => {
  it('same events as replay; untouched estimates are not rewritten at the epoch change', async () => {
    const keys = engineKeys(prefixes[0]);
    await seed(keys);
    const deps: EvaluateDeps = { redis, keys, plan: alertIndexPlan, judge: alertJudge };
    const sent: AlertEvent[] = [];
    const toldBefore: string[] = [];
    let statesBefore = new Map<string, string>();
    for (const s of snapshots) {
      if (s.height === epochStart) {
        for (const series of ESTIMATE_SERIES) toldBefore.push(...(await redis.zrange(keys.toldIndex(series), 0, -1)));
        statesBefore = new Map(Object.entries(await redis.hgetall(keys.states(SUBS[0]!))));
      }
      await evaluateBlock(deps, s, s.computedAtSec, sinkInto(sent));
      if (s.height === epochStart) {
        // What the sweep closed leaves the told set; a rule it did not judge keeps its stored state.
        for (const series of ESTIMATE_SERIES) expect(await redis.zcard(keys.toldIndex(series))).toBe(0);
        const after = await redis.hgetall(keys.states(SUBS[0]!));
        const untouched = [...statesBefore].filter(([id]) => !toldBefore.includes(`${SUBS[0]}/${id}`));
        const kept = untouched.filter(([id, raw]) => after[id] === raw);
        expect(kept.length).toBeGreaterThan(0);
        for (const [id] of kept) expect(decodeState(after[id]!)?.told ?? null).toBeNull();
      }
    }
    // The fixture eases some estimates before the epoch ends: the sweep has something to report.
    expect(toldBefore.length).toBeGreaterThan(0);
    const notices = memory.filter((e) => e.kind === 'retarget' && e.height === epochStart);
    expect(notices.length).toBe(SUBS.length);
    for (const n of notices) expect(n.text).toMatch(/your alert \d+: told [+−][\d.]+ %/);
    expect(sent.map(line).sort()).toEqual(memory.map(line).sort());
  });

  it('an install upgraded mid-epoch (eased estimates stored without a told set) loses and repeats nothing', async () => {
    const keys = engineKeys(prefixes[1]);
    await seed(keys);
    const deps: EvaluateDeps = { redis, keys, plan: alertIndexPlan, judge: alertJudge };
    const sent: AlertEvent[] = [];
    let dropped = 0;
    for (const s of snapshots) {
      if (s.height === epochStart) {
        // What an older version left: eased estimates only in the fire set, and no marker.
        for (const series of ESTIMATE_SERIES) {
          dropped += await redis.zcard(keys.toldIndex(series));
          await redis.del(keys.toldIndex(series));
        }
        await redis.del(keys.toldIndexUpgraded());
      }
      await evaluateBlock(deps, s, s.computedAtSec, sinkInto(sent));
      if (s.height === epochStart) {
        expect(await redis.get(keys.toldIndexUpgraded())).toBe('1');
        await evaluateBlock(deps, s, s.computedAtSec, sinkInto(sent)); // redelivered: nothing twice
      }
    }
    expect(dropped).toBeGreaterThan(0);
    expect(new Map(sent.map((e) => [eventKey(e), e])).size).toBe(sent.length);
    expect(sent.map(line).sort()).toEqual(memory.map(line).sort());
  });
});
