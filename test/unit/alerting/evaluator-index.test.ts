/**
 * The indexed MemoryEvaluator (only rules whose level a series crossed reach evaluateRule) must
 * be indistinguishable from the scan oracle (every rule judged on every block): identical events
 * in identical order, identical rule states, also across duplicates, reorg replacements,
 * corrections and timer ticks. Chain: the real SnapshotBuilder over a synthesised stretch of the
 * real 2025–26 retargets with real BTC prices; rules: a few hundred random ones of every kind.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryEvaluator } from '../../../src/alerting/evaluator.ts';
import { DESCRIPTORS, SERIES } from '../../../src/alerting/kinds/registry.ts';
import type { AlertEvent, Rule, RuleSpec } from '../../../src/alerting/types.ts';
import { SnapshotBuilder } from '../../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import type { Block } from '../../../src/domain/types.ts';
import { readEpochsCsv } from '../../../src/sources/replay/epochs-csv.ts';
import { createPriceCursor, readPricesFile } from '../../../src/sources/replay/prices-file.ts';
import { createRng, type Rng } from '../../../src/domain/prng.ts';
import { synthesizeChain } from '../../../src/sources/replay/synth.ts';

const root = new URL('../../../', import.meta.url).pathname;
// Blocks fed to both evaluators: the replayed early-2026 dip (epoch 463 ran −11 % slow) and its
// recovery, after 112 days of warm-up, so hash-rate drop rules fire AND resolve (their cells say
// the rate is back only on strong evidence: 4,000 blocks held no resolution, 5,500 do).
const JUDGED_FROM = 15_500;
const JUDGED = 5_500;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
const between = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();

/** One random spec of `kind`, with levels near the chain's real figures so rules do cross. */
function randomSpec(rng: Rng, kind: RuleSpec['kind']): RuleSpec {
  const dir = pick(rng, ['up', 'down', 'both'] as const);
  switch (kind) {
    case 'hashrate-drop':
      return {
        kind,
        pct: between(rng, 0.5, 12),
        window: pick(rng, ['1d', '3d', '7d'] as const),
        lookback: pick(rng, ['7d', '14d', '30d', '90d'] as const),
      };
    case 'hashrate-below':
      return { kind, ehs: between(rng, 700, 1200) };
    case 'retarget-estimate':
      return { kind, pct: between(rng, 0.5, 10), direction: dir };
    case 'retarget-soon':
      return { kind, blocks: 1 + Math.floor(rng.next() * 2015) };
    case 'hashprice-move':
      return { kind, pct: between(rng, 0.5, 15), window: pick(rng, ['24h', '7d'] as const), direction: dir };
    case 'hashprice-below':
      return { kind, usd: between(rng, 30, 60) };
    case 'hashprice-above':
      return { kind, usd: between(rng, 30, 60) };
    case 'breakeven':
      return { kind, jth: between(rng, 10, 40), kwh: between(rng, 0.02, 0.1), poolfee: between(rng, 0, 4) };
    case 'slow-blocks':
      return { kind, minutes: 10 + Math.floor(rng.next() * 80) };
    case 'retarget':
    case 'new-block':
      return { kind };
  }
}

const KIND_NAMES: Array<RuleSpec['kind']> = [
  'hashrate-drop',
  'hashrate-below',
  'retarget-estimate',
  'retarget-soon',
  'hashprice-move',
  'hashprice-below',
  'hashprice-above',
  'breakeven',
  'slow-blocks',
  'retarget',
  'new-block',
];

function randomRules(seed: number, n: number): Rule[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i): Rule => {
    // Every kind at least a few times; the heavy-traffic ones more often.
    const kind = i < 3 * KIND_NAMES.length ? KIND_NAMES[i % KIND_NAMES.length]! : pick(rng, KIND_NAMES);
    return { ...randomSpec(rng, kind), id: `r${i}`, subscriptionId: `s${i % 7}`, createdSec: 0 } as Rule;
  });
}

/** The calls both evaluators get: blocks, repeats, same-height replacements, corrections, ticks. */
type Step = { readonly feed: Snapshot; readonly nowSec: number } | { readonly tick: number };

function steps(snaps: readonly Snapshot[], seed: number): Step[] {
  const rng = createRng(seed);
  const out: Step[] = [];
  snaps.forEach((s, i) => {
    out.push({ feed: s, nowSec: s.timeSec + Math.floor(rng.next() * 120) });
    const u = rng.next();
    if (u < 0.02)
      out.push({ feed: s, nowSec: s.timeSec + 30 }); // the same block again
    else if (u < 0.04)
      out.push({ feed: { ...s, hash: `${s.hash.slice(0, -4)}beef` }, nowSec: s.timeSec + 60 }); // reorg at the tip
    else if (u < 0.05 && i > 3) {
      const back = snaps[i - 1 - Math.floor(rng.next() * 3)]!;
      out.push({ feed: { ...back, hash: `${back.hash.slice(0, -4)}cafe`, correction: true }, nowSec: s.timeSec + 90 });
    } else if (u < 0.1) out.push({ tick: s.timeSec + Math.floor(rng.next() * 90 * 60) });
  });
  return out;
}

const key = (e: AlertEvent): string => JSON.stringify(e);

/**
 * Snapshots of a synthesised stretch of the real retargets through the real SnapshotBuilder,
 * with real BTC prices except where `priceGap(i)` says the price feed was down.
 */
async function realChain(
  fromEpoch: number,
  seed: number,
  priceGap: (i: number) => boolean = () => false,
): Promise<Snapshot[]> {
  const epochs = await readEpochsCsv(join(root, 'test/fixtures/bitcoin-mainnet-epochs.csv'));
  const price = createPriceCursor(await readPricesFile(join(root, 'data/btc-usd-2025-2026.prices.jsonl')));
  const builder = new SnapshotBuilder();
  return synthesizeChain({ epochs, fromEpoch, toEpoch: 472, seed }).map((b, i) => {
    const block: Block = {
      id: b.id,
      height: b.height,
      timestamp: b.timestamp,
      bits: b.bits,
      previousHash: b.previousblockhash,
      feesSats: b.extras.totalFees,
      feesKnown: true,
    };
    return builder.push(block, {
      nowSec: b.timestamp,
      price: priceGap(i) ? null : price.at(b.timestamp),
      source: 'replay',
      correction: false,
    });
  });
}

describe('indexed MemoryEvaluator ≡ scan oracle', { timeout: 120_000 }, () => {
  let snaps: Snapshot[] = [];
  beforeAll(async () => {
    snaps = (await realChain(455, 7)).slice(JUDGED_FROM, JUDGED_FROM + JUDGED);
  });

  it.each([11, 22])('same events, same order, same states (rules seed %i)', (seed) => {
    const rules = randomRules(seed, 300);
    const scan = new MemoryEvaluator(rules, { strategy: 'scan' });
    const indexed = new MemoryEvaluator(rules);
    let nScan = 0;
    const byKind = new Map<string, number>();
    for (const step of steps(snaps, seed)) {
      const a = 'tick' in step ? scan.tick(step.tick) : scan.feed(step.feed, step.nowSec);
      const b = 'tick' in step ? indexed.tick(step.tick) : indexed.feed(step.feed, step.nowSec);
      expect(b.map(key)).toEqual(a.map(key));
      nScan += a.length;
      for (const e of a) {
        const k = `${e.kind}:${e.state}`;
        byKind.set(k, (byKind.get(k) ?? 0) + 1);
      }
    }
    for (const r of rules) expect(indexed.state(r), r.id).toEqual(scan.state(r));
    // Not vacuous: plenty of events, and firing, resolution and notices of many kinds.
    expect(nScan).toBeGreaterThan(2_000);
    const states = [...byKind.keys()];
    for (const k of [
      'hashrate-drop:firing',
      'hashrate-drop:resolved',
      'hashprice-below:firing',
      'hashprice-move:resolved',
      'retarget-soon:notice',
      'retarget:notice',
      'new-block:notice',
      'slow-blocks:firing',
      'breakeven:firing',
      'retarget-estimate:firing',
    ]) {
      expect(states, k).toContain(k);
    }
  });

  it('two rules sharing one state key (same id and subscription) still match the scan', () => {
    const rules = randomRules(44, 40).map((r, i) => (i % 5 === 1 ? { ...r, id: `r${i - 1}` } : r));
    const scan = new MemoryEvaluator(rules, { strategy: 'scan' });
    const other = new MemoryEvaluator(rules);
    for (const s of snaps.slice(0, 600)) expect(other.feed(s).map(key)).toEqual(scan.feed(s).map(key));
  });

  it('asking for every decision falls back to the scan (decisions for skipped rules exist)', () => {
    const rules = randomRules(33, 20);
    const seen: string[] = [];
    const ev = new MemoryEvaluator(rules, { onDecision: (r, d) => seen.push(`${r.id}:${d}`) });
    ev.feed(snaps[0]!);
    expect(seen).toHaveLength(rules.length);
  });
});

describe('KindDef.value (what the index measures) agrees exactly with read().value', { timeout: 60_000 }, () => {
  it('for every kind on every series it reads, on a real-builder chain with and without prices', async () => {
    let compared = 0;
    let nonNull = 0;
    for (const [i, s] of (await realChain(465, 3, (i) => i % 500 < 20)).entries()) {
      if (i % 97 !== 0 && s.retargetOutcome === null) continue;
      for (const [series] of SERIES) {
        for (const def of DESCRIPTORS) {
          if (def.value === undefined) continue;
          for (const now of [s.timeSec, s.timeSec + 3_000]) {
            const v = def.value(series, s, now);
            expect(Object.is(v, def.read(series, s, now)?.value ?? null), `${def.kind} ${series} @${s.height}`).toBe(
              true,
            );
            compared++;
            if (v !== null) nonNull++;
          }
        }
      }
    }
    expect(nonNull).toBeGreaterThan(2_000);
    expect(compared).toBeGreaterThan(nonNull);
  });
});
