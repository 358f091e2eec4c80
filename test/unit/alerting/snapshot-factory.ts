/**
 * Snapshots for alerting tests without the snapshot builder: sane defaults (a quiet mid-epoch
 * mainnet block) and small helpers to set the one figure a test is about.
 */
import type {
  DropAlarm,
  DropState,
  HashrateEstimate,
  HashratePeak,
  Snapshot,
} from '../../../src/domain/snapshot-types.ts';
import type { HashrateWindow, Lookback } from '../../../src/domain/types.ts';
import { HASHRATE_WINDOWS, LOOKBACKS } from '../../../src/domain/types.ts';
import type { Rule, RuleSpec } from '../../../src/alerting/types.ts';

const Z90 = 1.6448536269514722;
export const EH = 1e18;

/** 64-hex hash that differs per (height, variant). */
export function hashOf(height: number, variant = 0): string {
  return (height.toString(16).padStart(8, '0') + variant.toString(16).padStart(4, '0')).padEnd(64, 'a');
}

/** A full-window estimate of `ehs` EH/s with the 1/√n interval a builder would give. */
export function estimate(
  window: HashrateWindow,
  ehs: number,
  blocks: number = HASHRATE_WINDOWS[window],
): HashrateEstimate {
  const k = Math.exp(Z90 / Math.sqrt(blocks));
  const hps = ehs * EH;
  return { window, blocks, hps, lowHps: hps / k, highHps: hps * k, spanSec: blocks * 600 };
}

export function peak(window: HashrateWindow, lookback: Lookback, ehs: number, height = 929_000): HashratePeak {
  const e = estimate(window, ehs);
  return { window, lookback, hps: e.hps, lowHps: e.lowHps, highHps: e.highHps, height };
}

/**
 * The drop detector's state as if every cell up to the observed drop (1 − ehs/refEhs, whole
 * percent) were alarmed: began 500 blocks ago, sure 10 blocks ago, estimate = the observed drop.
 */
export function dropState(
  ehs: number,
  refEhs: number,
  height = 930_112,
  timeSec = 1_764_000_000,
): NonNullable<Snapshot['drop']> {
  const pct = 100 * (1 - ehs / refEhs);
  const alarms: DropAlarm[] = [];
  for (let p = 3; p <= Math.min(50, Math.floor(pct + 1e-9)); p++) {
    alarms.push({
      pct: p,
      sinceHeight: height - 500,
      sinceTimeSec: timeSec - 300_000,
      sureHeight: height - 10,
      sureTimeSec: timeSec - 6_000,
      blocks: 500,
      ratioSum: (500 * refEhs) / ehs,
    });
  }
  const st: DropState = { referenceHps: refEhs * EH, alarms };
  return { '7d': st, '14d': st, '30d': st, '90d': st };
}

/** Current hash rate `ehs` in every window, every peak and the drop reference at `peakEhs` (default: same). */
export function hashrateFigures(ehs: number, peakEhs = ehs): Pick<Snapshot, 'hashrate' | 'peaks' | 'drop'> {
  const ws = Object.keys(HASHRATE_WINDOWS) as HashrateWindow[];
  const lbs = Object.keys(LOOKBACKS) as Lookback[];
  const hashrate = Object.fromEntries(ws.map((w) => [w, estimate(w, ehs)])) as Snapshot['hashrate'];
  const peaks = Object.fromEntries(
    ws.map((w) => [w, Object.fromEntries(lbs.map((lb) => [lb, peak(w, lb, peakEhs)]))]),
  ) as Snapshot['peaks'];
  return { hashrate, peaks, drop: dropState(ehs, peakEhs) };
}

type Overrides = Partial<Omit<Snapshot, 'retarget' | 'hashprice'>> & {
  retarget?: Partial<Snapshot['retarget']>;
  hashprice?: Partial<Snapshot['hashprice']>;
};

export function makeSnapshot(o: Overrides = {}): Snapshot {
  const height = o.height ?? 930_112;
  const timeSec = o.timeSec ?? 1_764_000_000;
  const epochStart = height - (height % 2016);
  const next = epochStart + 2016;
  const base = {
    height,
    hash: o.hash ?? hashOf(height),
    timeSec,
    computedAtSec: o.computedAtSec ?? timeSec,
    source: o.source ?? 'mempool',
    correction: o.correction ?? false,
    bits: 0x1702796c,
    difficulty: 150e12,
    ...hashrateFigures(800),
    retargetOutcome: null,
    hashpriceAgo: { '24h': null, '7d': null },
  } satisfies Partial<Snapshot>;
  const retarget: Snapshot['retarget'] = {
    epochStartHeight: epochStart,
    nextRetargetHeight: next,
    remainingBlocks: next - height,
    progressPct: (100 * (height - epochStart)) / 2016,
    changePct: 1,
    lowPct: -2,
    highPct: 4,
    etaSec: timeSec + (next - height) * 600,
    etaLowSec: timeSec + (next - height) * 550,
    etaHighSec: timeSec + (next - height) * 650,
    mempool: {
      progressPercent: 50,
      difficultyChange: 1.2,
      estimatedRetargetDate: (timeSec + 600_000) * 1000,
      remainingBlocks: next - height,
      remainingTime: 600_000_000,
      previousRetarget: -2,
      previousTime: timeSec - 600_000,
      nextRetargetHeight: next,
      timeAvg: 600_000,
      adjustedTimeAvg: 600_000,
      timeOffset: 0,
      expectedBlocks: 1008,
    },
    ...o.retarget,
  };
  const hashprice: Snapshot['hashprice'] = {
    btcPerPhDay: 0.0005,
    satsPerPhDay: 50_000,
    usdPerPhDay: 50,
    usdPerThDay: 0.05,
    subsidySats: 312_500_000,
    avgFeesSats: 2_000_000,
    feeBlocks: 144,
    priceUsd: 100_000,
    priceTimeSec: timeSec - 60,
    priceStale: false,
    ...o.hashprice,
  };
  const { retarget: _r, hashprice: _h, ...rest } = o;
  return { ...base, ...rest, retarget, hashprice } as Snapshot;
}

/** A rule of subscription 'sub-1' with id `id`. */
export function rule(spec: RuleSpec, id = '1', subscriptionId = 'sub-1'): Rule {
  return { ...spec, id, subscriptionId, createdSec: 0 } as Rule;
}

/** Hash-price-ago helper: `usd` per PH/day `window` ago. */
export function ago(window: '24h' | '7d', usd: number, timeSec = 1_764_000_000): Snapshot['hashpriceAgo'] {
  const secs = window === '24h' ? 86_400 : 604_800;
  return { '24h': null, '7d': null, [window]: { window, usdPerPhDay: usd, timeSec: timeSec - secs, height: 930_000 } };
}
