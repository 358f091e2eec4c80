/**
 * Benchmark: hashbell's retarget estimate vs mempool.space's rule on simulated chains whose true
 * hash rate is known. Prints JSON lines {"bench","metric","value","unit"}; goal: mae_ratio < 1
 * at 10 %, 25 % and 50 % of the epoch. Run: `npx tsx bench/estimators.ts [chainsPerScenario]`.
 */
import { fileURLToPath } from 'node:url';
import { estimateBlockTime } from '../src/domain/block-time.ts';
import type { RateWindowConfig } from '../src/domain/block-time.ts';
import { calcBitsDifference, difficultyAdjustment } from '../src/domain/difficulty-adjustment.ts';
import { EPOCH_BLOCKS, nextBits } from '../src/domain/retarget.ts';
import { estimateRetarget } from '../src/domain/retarget-estimator.ts';
import { simulateChain } from '../src/domain/simulate.ts';
import { SnapshotBuilder } from '../src/domain/snapshot-builder.ts';
import { normalQuantile, seededRandom } from '../src/domain/stats.ts';
import type { Block } from '../src/domain/types.ts';

/** Hash-rate paths (multiples of the start difficulty's rate) over 3 epochs; t = seconds from start. */
const START_SEC = 1_700_000_000;

function gaussian(rnd: () => number): number {
  return normalQuantile(Math.min(Math.max(rnd(), 1e-12), 1 - 1e-12));
}

export const SCENARIOS: Record<string, (seed: number) => (h: number, t: number) => number> = {
  constant: (seed) => {
    const level = 0.92 + ((seed * 7919) % 160) / 1000;
    return () => level;
  },
  // Realistic drift: log hash rate a random walk, ~3 % s.d. per epoch, seeded per chain.
  'random-walk-3%-per-epoch': (seed) => {
    const rnd = seededRandom(seed ^ 0x5eed);
    const steps: number[] = [1];
    for (let i = 1; i <= 3 * 16; i++) steps.push(steps[i - 1]! * Math.exp((0.03 / 4) * gaussian(rnd)));
    return (h) => steps[Math.floor(h / 126)]!;
  },
  'step-down-10%-at-boundary': () => (h) => (h >= 2 * EPOCH_BLOCKS ? 0.9 : 1.0),
  'step-up-10%-at-boundary': () => (h) => (h >= 2 * EPOCH_BLOCKS ? 1.1 : 1.0),
  // Like 2025-26: hash rate sliding ~5 % per two weeks, steadily.
  'decline-5%-per-epoch': () => (_h, t) => 1.0 - 0.05 * ((t - START_SEC) / 1_209_600),
  'rise-4%-per-epoch': () => (_h, t) => 1.0 + 0.04 * ((t - START_SEC) / 1_209_600),
  'step-down-15%-mid-previous-epoch': () => (h) => (h >= EPOCH_BLOCKS + 1008 ? 0.85 : 1.0),
};

export const PROGRESS_POINTS = [0.1, 0.25, 0.5] as const;

export interface EpochEvaluation {
  readonly actualPct: number;
  readonly points: Array<{ progress: number; hashbell: number; low: number; high: number; mempool: number }>;
}

/** Simulates 3 epochs and scores estimates made during the third against its real retarget. */
export function evaluateChain(
  seed: number,
  hashrate: (h: number, t: number) => number,
  window?: RateWindowConfig,
): EpochEvaluation {
  const blocks: Block[] = simulateChain({
    seed,
    startHeight: 0,
    startTimeSec: START_SEC,
    startBits: 0x1702796c,
    blocks: 3 * EPOCH_BLOCKS + 1,
    hashrate,
  });
  const e = 2 * EPOCH_BLOCKS;
  const start = blocks[e]!;
  const next = blocks[3 * EPOCH_BLOCKS]!;
  const actualPct = calcBitsDifference(start.bits, next.bits);
  const previousRetargetPct = calcBitsDifference(blocks[EPOCH_BLOCKS]!.bits, start.bits);
  const points = PROGRESS_POINTS.map((progress) => {
    const tipIndex = e + Math.round(progress * EPOCH_BLOCKS);
    const tip = blocks[tipIndex]!;
    const rate = estimateBlockTime(blocks, tipIndex, tip.timestamp, window);
    const est = estimateRetarget({
      bits: start.bits,
      epochStartHeight: e,
      epochStartTimeSec: start.timestamp,
      tipHeight: tip.height,
      tipTimeSec: tip.timestamp,
      nowSec: tip.timestamp,
      rate,
    });
    const da = difficultyAdjustment({
      lastRetargetTimeSec: start.timestamp,
      quarterEpochBlockTimeSec: blocks[tipIndex - 503]!.timestamp,
      nowSec: tip.timestamp,
      tipHeight: tip.height,
      previousRetargetPct,
      latestBlockTimestampSec: tip.timestamp,
      network: 'mainnet',
    });
    return { progress, hashbell: est.changePct, low: est.lowPct, high: est.highPct, mempool: da.difficultyChange };
  });
  // Sanity: the simulator's retarget is the consensus one.
  if (
    next.bits !==
    nextBits({
      bits: start.bits,
      firstBlockTime: start.timestamp,
      lastBlockTime: blocks[3 * EPOCH_BLOCKS - 1]!.timestamp,
    })
  ) {
    throw new Error('simulator retarget mismatch');
  }
  return { actualPct, points };
}

export interface BenchResult {
  readonly maeHashbell: number[];
  readonly maeMempool: number[];
  readonly coverage: number[];
}

export function runBench(
  chainsPerScenario: number,
  scenarios: string[] = Object.keys(SCENARIOS),
  window?: RateWindowConfig,
): BenchResult {
  const n = PROGRESS_POINTS.length;
  const hb = new Array<number>(n).fill(0);
  const mp = new Array<number>(n).fill(0);
  const cov = new Array<number>(n).fill(0);
  let count = 0;
  for (const name of scenarios) {
    for (let s = 1; s <= chainsPerScenario; s++) {
      const seed = s * 1000 + name.length;
      const ev = evaluateChain(seed, SCENARIOS[name]!(seed), window);
      ev.points.forEach((p, i) => {
        hb[i]! += Math.abs(p.hashbell - ev.actualPct);
        mp[i]! += Math.abs(p.mempool - ev.actualPct);
        if (ev.actualPct >= p.low && ev.actualPct <= p.high) cov[i]! += 1;
      });
      count++;
    }
  }
  return {
    maeHashbell: hb.map((v) => v / count),
    maeMempool: mp.map((v) => v / count),
    coverage: cov.map((v) => v / count),
  };
}

function emit(metric: string, value: number, unit: string): void {
  console.log(JSON.stringify({ bench: 'estimators', metric, value, unit }));
}

/** Builder time only (blocks simulated beforehand) for a year of blocks, ms per 10k blocks. */
function builderThroughput(): number {
  const blocks = simulateChain({
    seed: 7,
    startHeight: 2016 * 440,
    startTimeSec: START_SEC,
    startBits: 0x1702796c,
    blocks: 52_560,
    hashrate: (h) => 1 + 0.1 * Math.sin(h / 3000),
    feesSats: (h) => 1_000_000 + (h % 97) * 10_000,
  });
  const builder = new SnapshotBuilder();
  const t0 = performance.now();
  for (const b of blocks)
    builder.push(b, { nowSec: b.timestamp, price: { timeSec: b.timestamp - 300, usd: 90_000 }, source: 'replay' });
  return ((performance.now() - t0) / blocks.length) * 10_000;
}

function main(): void {
  const chains = Number(process.argv[2] ?? 200);
  const names = Object.keys(SCENARIOS);
  const per = names.map((name) => runBench(chains, [name]));
  const mean = (pick: (r: BenchResult) => number[], i: number): number =>
    per.reduce((a, r) => a + pick(r)[i]!, 0) / per.length;
  PROGRESS_POINTS.forEach((p, i) => {
    const tag = `p${Math.round(p * 100)}`;
    const hb = mean((r) => r.maeHashbell, i);
    const mp = mean((r) => r.maeMempool, i);
    emit(`mae_ratio_${tag}`, hb / mp, 'ratio');
    emit(`mae_hashbell_${tag}`, hb, 'pct');
    emit(`mae_mempool_${tag}`, mp, 'pct');
    emit(
      `coverage90_${tag}`,
      mean((r) => r.coverage, i),
      'ratio',
    );
  });
  names.forEach((name, k) => {
    PROGRESS_POINTS.forEach((p, i) => {
      const r = per[k]!;
      emit(`mae_ratio_p${Math.round(p * 100)}_${name}`, r.maeHashbell[i]! / r.maeMempool[i]!, 'ratio');
      emit(`coverage90_p${Math.round(p * 100)}_${name}`, r.coverage[i]!, 'ratio');
    });
  });
  emit('builder_ms_per_10k_blocks', builderThroughput(), 'ms');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
