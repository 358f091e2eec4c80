/**
 * Synthetic snapshots and an in-memory SnapshotReader for engine tests and benches: the figures
 * the index plan reads (hash-rate drop, retarget estimate, hash price, remaining blocks) are set
 * directly, everything else is plausible filler. Alerts in the chat end-to-end suites come from
 * the real SnapshotBuilder over a replayed chain instead (test/e2e/replayed-chain.ts); there these
 * only feed command replies that check formatting of chosen figures.
 */
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { SnapshotReader } from '../../src/alerting/ports.ts';

export interface SnapshotFigures {
  height: number;
  /** Defaults to a hash derived from the height (64 hex). */
  hash?: string;
  timeSec?: number;
  /** % the hash rate is below its peak and drop reference (cells up to it alarmed). */
  dropPct?: number;
  /** Next retarget estimate, %. */
  changePct?: number;
  /** Hash price, USD/PH/day. */
  usd?: number | null;
  retarget?: boolean;
}

export function hashFor(height: number, variant = 0): string {
  return (height.toString(16).padStart(8, '0') + variant.toString(16).padStart(8, '0')).repeat(4);
}

const EHS = 1e18;

export function makeSnapshot(f: SnapshotFigures): Snapshot {
  const timeSec = f.timeSec ?? 1_750_000_000 + f.height * 600;
  const peak = 800 * EHS;
  const cur = peak * (1 - (f.dropPct ?? 0) / 100);
  const est = (w: '1d' | '3d' | '7d', blocks: number) => ({
    window: w,
    blocks,
    hps: cur,
    lowHps: cur * 0.9,
    highHps: cur * 1.1,
    spanSec: blocks * 600,
  });
  const pk = (w: '1d' | '3d' | '7d') => {
    const one = { window: w, hps: peak, lowHps: peak * 0.95, highHps: peak * 1.05, height: f.height - 100 };
    return {
      '7d': { ...one, lookback: '7d' as const },
      '14d': { ...one, lookback: '14d' as const },
      '30d': { ...one, lookback: '30d' as const },
      '90d': { ...one, lookback: '90d' as const },
    };
  };
  const changePct = f.changePct ?? 0;
  // The drop detector as if every cell up to the drop (whole %) were alarmed since 500 blocks ago.
  const alarms = [];
  for (let p = 3; p <= Math.min(50, Math.floor(f.dropPct ?? 0)); p++) {
    alarms.push({
      pct: p,
      sinceHeight: f.height - 500,
      sinceTimeSec: timeSec - 300_000,
      sureHeight: f.height - 10,
      sureTimeSec: timeSec - 6_000,
      blocks: 500,
      ratioSum: (500 * peak) / cur,
    });
  }
  const dropState = { referenceHps: peak, alarms };
  const epochStart = f.height - (f.height % 2016);
  const usd = f.usd === undefined ? 50 : f.usd;
  return {
    height: f.height,
    hash: f.hash ?? hashFor(f.height),
    timeSec,
    computedAtSec: timeSec,
    source: 'replay',
    correction: false,
    bits: 0x17023a04,
    difficulty: 1e14,
    hashrate: { '1d': est('1d', 144), '3d': est('3d', 432), '7d': est('7d', 1008) },
    peaks: { '1d': pk('1d'), '3d': pk('3d'), '7d': pk('7d') },
    drop: { '7d': dropState, '14d': dropState, '30d': dropState, '90d': dropState },
    retarget: {
      epochStartHeight: epochStart,
      nextRetargetHeight: epochStart + 2016,
      remainingBlocks: epochStart + 2016 - f.height,
      progressPct: ((f.height - epochStart) / 2016) * 100,
      changePct,
      lowPct: changePct - 1,
      highPct: changePct + 1,
      etaSec: timeSec + 86_400,
      etaLowSec: timeSec,
      etaHighSec: timeSec + 2 * 86_400,
      mempool: {
        progressPercent: 0,
        difficultyChange: changePct,
        estimatedRetargetDate: 0,
        remainingBlocks: 0,
        remainingTime: 0,
        previousRetarget: 0,
        previousTime: 0,
        nextRetargetHeight: epochStart + 2016,
        timeAvg: 600_000,
        adjustedTimeAvg: 600_000,
        timeOffset: 0,
        expectedBlocks: 0,
      },
    },
    retargetOutcome: f.retarget
      ? { height: f.height, previousBits: 0x17023a04, bits: 0x17023a04, changePct, scorecard: [] }
      : null,
    hashprice: {
      btcPerPhDay: 0.0005,
      satsPerPhDay: 50_000,
      usdPerPhDay: usd,
      usdPerThDay: usd === null ? null : usd / 1000,
      subsidySats: 312_500_000,
      avgFeesSats: 1e6,
      feeBlocks: 144,
      priceUsd: 100_000,
      priceTimeSec: timeSec,
      priceStale: false,
    },
    hashpriceAgo: { '24h': null, '7d': null },
  };
}

/** Snapshots by hash, newest = last put. */
export class MemorySnapshotReader implements SnapshotReader {
  private readonly byHash = new Map<string, Snapshot>();
  private last: Snapshot | null = null;
  put(s: Snapshot): void {
    this.byHash.set(s.hash, s);
    this.last = s;
  }
  async byBlock(height: number, hash: string): Promise<Snapshot | null> {
    const s = this.byHash.get(hash);
    return s && s.height === height ? s : null;
  }
  async latest(): Promise<Snapshot | null> {
    return this.last;
  }
}
