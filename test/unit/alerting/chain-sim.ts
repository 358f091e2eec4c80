/**
 * A compact stand-in for the snapshot builder's hash-rate part: simulated block arrivals
 * (exponential intervals, seeded) → per-window estimates with 90 % intervals and the per-lookback
 * peaks, incrementally (sliding maxima), so a year of blocks takes well under a second.
 */
import type { HashrateEstimate, HashratePeak } from '../../../src/domain/snapshot-types.ts';
import { HASHRATE_WINDOWS, LOOKBACKS, type HashrateWindow, type Lookback } from '../../../src/domain/types.ts';

/** Mulberry32: small, seeded, good enough for arrival simulations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const Z90 = 1.6448536269514722;

export interface SimBlock {
  readonly height: number;
  readonly timeSec: number;
  readonly hashrate: Record<HashrateWindow, HashrateEstimate | null>;
  readonly peaks: Record<HashrateWindow, Record<Lookback, HashratePeak | null>>;
}

/**
 * Simulates `blocks` blocks at constant difficulty; `rateAt(height)` is the true hash rate as a
 * multiple of the difficulty's (1 = 600 s blocks). Calls `onBlock` for each block.
 */
export function simulateChain(
  opts: { seed: number; blocks: number; baseHps: number; rateAt?: (height: number) => number; startHeight?: number },
  onBlock: (b: SimBlock) => void,
): void {
  const r = rng(opts.seed);
  const start = opts.startHeight ?? 0;
  const times: number[] = [1_700_000_000];
  const windows = Object.entries(HASHRATE_WINDOWS) as Array<[HashrateWindow, number]>;
  const lookbacks = Object.entries(LOOKBACKS) as Array<[Lookback, number]>;
  // Sliding-max deques of (index, estimate) per window × lookback.
  const deques = new Map<string, Array<{ i: number; e: HashrateEstimate }>>();
  for (let i = 1; i <= opts.blocks; i++) {
    const rate = opts.rateAt?.(start + i) ?? 1;
    const prev = times[i - 1] as number;
    times.push(prev + (-Math.log(1 - r()) * 600) / rate);
    const hashrate = {} as Record<HashrateWindow, HashrateEstimate | null>;
    const peaks = {} as Record<HashrateWindow, Record<Lookback, HashratePeak | null>>;
    for (const [w, size] of windows) {
      const n = Math.min(size, i);
      const span = (times[i] as number) - (times[i - n] as number);
      const hps = (opts.baseHps * 600 * n) / span;
      const k = Math.exp(Z90 / Math.sqrt(n));
      const e: HashrateEstimate = { window: w, blocks: n, hps, lowHps: hps / k, highHps: hps * k, spanSec: span };
      hashrate[w] = e;
      peaks[w] = {} as Record<Lookback, HashratePeak | null>;
      for (const [lb, len] of lookbacks) {
        // Peaks only from full windows: a 3-block "hash rate" is not a peak anyone should chase.
        if (n < size) {
          peaks[w][lb] = null;
          continue;
        }
        const key = `${w}/${lb}`;
        const dq = deques.get(key) ?? [];
        deques.set(key, dq);
        while (dq.length > 0 && (dq[dq.length - 1] as { e: HashrateEstimate }).e.hps <= hps) dq.pop();
        dq.push({ i, e });
        while ((dq[0] as { i: number }).i <= i - len) dq.shift();
        const best = (dq[0] as { i: number; e: HashrateEstimate });
        peaks[w][lb] = { window: w, lookback: lb, hps: best.e.hps, lowHps: best.e.lowHps, highHps: best.e.highHps, height: start + best.i };
      }
    }
    onBlock({ height: start + i, timeSec: Math.round(times[i] as number), hashrate, peaks });
  }
}
