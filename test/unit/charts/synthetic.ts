/**
 * Synthetic chart histories: blocks arriving as a Poisson process around a chosen hash rate (with a
 * drop and a recovery), difficulty retargeting every 2016 blocks, and the estimates a snapshot
 * would carry. Deterministic (seeded) so pictures and tests are reproducible; used until/alongside
 * the real replay fixture.
 */
import type { ChartPoint } from '../../../src/charts/types.ts';
import type { HashrateWindow, Lookback } from '../../../src/domain/types.ts';
import { createRng } from '../../../src/domain/prng.ts';

const TWO_32 = 4_294_967_296;
const WIN: Record<HashrateWindow, number> = { '1d': 144, '3d': 432, '7d': 1008 };
const LOOK: Record<Lookback, number> = { '7d': 1008, '14d': 2016, '30d': 4320, '90d': 12960 };

export interface SyntheticOptions {
  readonly blocks?: number;
  readonly seed?: number;
  readonly startHeight?: number;
  readonly startTimeSec?: number;
  /** True hash rate in EH/s as a function of block index. */
  readonly ehs?: (i: number) => number;
}

/** A history of ChartPoints in height order. */
export function syntheticPoints(o: SyntheticOptions = {}): ChartPoint[] {
  const n = o.blocks ?? 5000;
  const rand = createRng(o.seed ?? 7);
  const h0 = o.startHeight ?? 915_264;
  const ehs = o.ehs ?? ((i: number) => 900 + 60 * Math.sin(i / 900) - (i > n * 0.8 ? 120 : 0));
  let difficulty = (900e18 * 600) / TWO_32;
  let t = o.startTimeSec ?? 1_760_000_000;
  const times: number[] = [];
  const diffs: number[] = [];
  const out: ChartPoint[] = [];
  let epochStartIdx = 0;
  for (let i = 0; i < n; i++) {
    const h = h0 + i;
    if (h % 2016 === 0 && i > 0) {
      const first = times[epochStartIdx] ?? t;
      const span = Math.min(Math.max((times[i - 1] ?? t) - first, 302_400), 4_838_400);
      difficulty = (difficulty * 1_209_600) / span;
      epochStartIdx = i;
    }
    if (h % 2016 === 0 && i === 0) epochStartIdx = 0;
    const meanSec = (difficulty * TWO_32) / (ehs(i) * 1e18);
    t += Math.max(1, Math.round(rand.exponential(meanSec)));
    times.push(t);
    diffs.push(difficulty);
    out.push(point(i, h, t, difficulty, times, diffs, out, epochStartIdx));
  }
  return out;
}

function estimate(i: number, w: number, times: readonly number[], diffs: readonly number[]) {
  const k = Math.min(w, i);
  if (k < 2) return null;
  const span = (times[i] ?? 0) - (times[i - k] ?? 0);
  let work = 0;
  for (let j = i - k + 1; j <= i; j++) work += (diffs[j] ?? 0) * TWO_32;
  const hps = work / Math.max(1, span);
  const rel = 1.645 / Math.sqrt(k);
  return { hps, lowHps: hps * (1 - rel), highHps: hps * (1 + rel) };
}

function point(
  i: number,
  h: number,
  t: number,
  difficulty: number,
  times: readonly number[],
  diffs: readonly number[],
  prev: readonly ChartPoint[],
  epochStartIdx: number,
): ChartPoint {
  const hashrate = {
    '1d': estimate(i, WIN['1d'], times, diffs),
    '3d': estimate(i, WIN['3d'], times, diffs),
    '7d': estimate(i, WIN['7d'], times, diffs),
  };
  const peaks = {} as Record<HashrateWindow, Record<Lookback, { hps: number; height: number } | null>>;
  for (const w of Object.keys(WIN) as HashrateWindow[]) {
    peaks[w] = {} as Record<Lookback, { hps: number; height: number } | null>;
    for (const lb of Object.keys(LOOK) as Lookback[]) {
      const before = prev.at(-1)?.peaks[w][lb] ?? null;
      const cur = hashrate[w];
      let best = before && before.height > h - LOOK[lb] ? before : null;
      if (before && !best) {
        for (let j = Math.max(0, i - LOOK[lb]); j < i; j++) {
          const e = prev[j]?.hashrate[w];
          if (e && (!best || e.hps > best.hps)) best = { hps: e.hps, height: prev[j]?.height ?? 0 };
        }
      }
      peaks[w][lb] = cur && (!best || cur.hps > best.hps) ? { hps: cur.hps, height: h } : best;
    }
  }
  const epochStart = h - (h % 2016);
  const done = h - epochStart + 1;
  const t0 = times[Math.max(epochStartIdx - 1, 0)] ?? t;
  const elapsed = Math.max(600, t - t0);
  const changePct = ((600 * done) / elapsed - 1) * 100;
  const rel = (164.5 / Math.sqrt(Math.max(done, 1))) * (1 - done / 2016) + 1;
  const remaining = 2016 - done;
  const perBlock = elapsed / done;
  const price = 95_000 + 8_000 * Math.sin(i / 700);
  return {
    height: h,
    hash: `${h.toString(16).padStart(64, '0')}`,
    timeSec: t,
    difficulty,
    hashrate,
    peaks,
    retarget: {
      epochStartHeight: epochStart,
      nextRetargetHeight: epochStart + 2016,
      changePct,
      lowPct: changePct - rel,
      highPct: changePct + rel,
      etaSec: t + remaining * perBlock,
      etaLowSec: t + remaining * perBlock * (1 - 1.645 / Math.sqrt(Math.max(remaining, 1))),
      etaHighSec: t + remaining * perBlock * (1 + 1.645 / Math.sqrt(Math.max(remaining, 1))),
    },
    hashprice: { usdPerPhDay: ((1e15 * 86_400) / (difficulty * TWO_32)) * 3.16 * price },
  };
}
