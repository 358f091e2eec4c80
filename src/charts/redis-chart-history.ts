/**
 * ChartHistory on Redis: one compact line per block in a sorted set (score = height), written by
 * the process that builds snapshots and read by whichever process sends alerts. A point is ~250
 * bytes as a JSON array (~330 with the drop detector's four reference levels), so the 30+ days a
 * chart needs (~6,500 blocks) cost about 2 MB.
 */
import type { Cluster, Redis } from 'ioredis';
import type { HashrateWindow, Lookback } from '../domain/types.ts';
import { DEFAULT_HISTORY_BLOCKS, firstInWindow, type ChartHistory } from './history.ts';
import type { ChartPoint } from './types.ts';

const WINDOWS: readonly HashrateWindow[] = ['1d', '3d', '7d'];
const LOOKBACKS: readonly Lookback[] = ['7d', '14d', '30d', '90d'];
type Row = Array<number | string | null>;
/** Fields before the optional drop references: height, hash, time, difficulty, 3 estimates, 12 peaks, retarget, hash price. */
const BASE_FIELDS = 4 + 9 + 24 + 8 + 1;

/** Flat array: fixed field order, nulls kept, so decode is positional and cheap. */
export function encodePoint(p: ChartPoint): string {
  const row: Row = [p.height, p.hash, p.timeSec, p.difficulty];
  for (const w of WINDOWS) {
    const e = p.hashrate[w];
    row.push(e ? e.hps : null, e ? e.lowHps : null, e ? e.highHps : null);
  }
  for (const w of WINDOWS)
    for (const lb of LOOKBACKS) {
      const k = p.peaks[w][lb];
      row.push(k ? k.hps : null, k ? k.height : null);
    }
  const r = p.retarget;
  row.push(
    r.epochStartHeight,
    r.nextRetargetHeight,
    r.changePct,
    r.lowPct,
    r.highPct,
    r.etaSec,
    r.etaLowSec,
    r.etaHighSec,
  );
  row.push(p.hashprice.usdPerPhDay);
  if (p.drop) for (const lb of LOOKBACKS) row.push(p.drop[lb]?.referenceHps ?? null);
  // JSON has no NaN/Infinity: they become null and read back as NaN (a gap), never an error.
  return JSON.stringify(row, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

export function decodePoint(line: string): ChartPoint | null {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return null;
  }
  // Without the drop references (history written before they were kept), or with them.
  if (!Array.isArray(row) || (row.length !== BASE_FIELDS && row.length !== BASE_FIELDS + LOOKBACKS.length)) return null;
  let i = 0;
  const next = (): unknown => row[i++];
  const num = (): number => {
    const v = next();
    return typeof v === 'number' ? v : Number.NaN;
  };
  const height = num();
  const hash = next();
  if (!Number.isSafeInteger(height) || typeof hash !== 'string') return null;
  const timeSec = num();
  const difficulty = num();
  const est = () => {
    const [hps, lowHps, highHps] = [next(), next(), next()];
    return typeof hps === 'number' ? { hps, lowHps: Number(lowHps ?? NaN), highHps: Number(highHps ?? NaN) } : null;
  };
  const hashrate = { '1d': est(), '3d': est(), '7d': est() };
  const peak = () => {
    const [hps, h] = [next(), next()];
    return typeof hps === 'number' && typeof h === 'number' ? { hps, height: h } : null;
  };
  const peaksOf = () => ({ '7d': peak(), '14d': peak(), '30d': peak(), '90d': peak() });
  const peaks = { '1d': peaksOf(), '3d': peaksOf(), '7d': peaksOf() };
  const retarget = {
    epochStartHeight: num(),
    nextRetargetHeight: num(),
    changePct: num(),
    lowPct: num(),
    highPct: num(),
    etaSec: num(),
    etaLowSec: num(),
    etaHighSec: num(),
  };
  const usd = next();
  const ref = () => {
    const v = next();
    return typeof v === 'number' ? { referenceHps: v } : null;
  };
  const drop = row.length > BASE_FIELDS ? { '7d': ref(), '14d': ref(), '30d': ref(), '90d': ref() } : undefined;
  return {
    height,
    hash,
    timeSec,
    difficulty,
    hashrate,
    peaks,
    retarget,
    hashprice: { usdPerPhDay: typeof usd === 'number' ? usd : null },
    ...(drop ? { drop } : {}),
  };
}

export interface RedisChartHistoryOptions {
  /** Key of the sorted set (default `hb:chart-history`). */
  readonly key?: string;
  /** Blocks kept below the newest (default 6,500: 30 days even with fast blocks). */
  readonly keepBlocks?: number;
}

export class RedisChartHistory implements ChartHistory {
  private readonly key: string;
  private readonly keep: number;

  constructor(
    private readonly redis: Redis | Cluster,
    opts: RedisChartHistoryOptions = {},
  ) {
    this.key = opts.key ?? 'hb:chart-history';
    this.keep = opts.keepBlocks ?? DEFAULT_HISTORY_BLOCKS;
  }

  /**
   * Records one block's snapshot (pass the Snapshot itself). A height at or below the newest
   * replaces it and drops everything above (reorg), in one MULTI with the trimming.
   */
  async append(snapshot: ChartPoint): Promise<void> {
    const m = this.redis.multi();
    m.zremrangebyscore(this.key, snapshot.height, '+inf');
    m.zadd(this.key, snapshot.height, encodePoint(snapshot));
    m.zremrangebyscore(this.key, '-inf', `(${snapshot.height - this.keep}`);
    const res = await m.exec();
    if (!res) throw new Error('chart history append aborted');
    for (const [err] of res) if (err) throw err;
  }

  async pointsUpTo(height: number, hash: string, days: number): Promise<readonly ChartPoint[] | null> {
    const span = Math.min(this.keep, Math.ceil(days * 144 * 1.6));
    const raw = await this.redis.zrangebyscore(this.key, height - span, height);
    const points = raw.map(decodePoint).filter((p): p is ChartPoint => p !== null);
    const last = points.at(-1);
    if (!last || last.height !== height || last.hash !== hash) return null;
    return points.slice(firstInWindow(points, points.length - 1, days));
  }

  /** Deletes the history (tests, a reset after an unrepairable fork). */
  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }
}
