/**
 * Seeded chain simulator: Poisson block arrivals under a chosen hash-rate path, with consensus
 * retargets. It is how hashbell's estimators are calibrated and benchmarked against mempool's
 * rule on chains whose true hash rate is known.
 */
import { bitsToDifficulty } from './bits.ts';
import { EPOCH_BLOCKS, nextBits } from './retarget.ts';
import { seededRandom } from './stats.ts';
import type { Block } from './types.ts';

export interface SimulateOptions {
  readonly seed: number;
  /** Must be an epoch start (multiple of 2016). */
  readonly startHeight: number;
  readonly startTimeSec: number;
  readonly startBits: number;
  readonly blocks: number;
  /**
   * Hash rate at a block, as a multiple of the rate that mines `startBits` at 600 s per block.
   * Called with the height being mined and the real (un-rounded) time it starts.
   */
  readonly hashrate: (height: number, timeSec: number) => number;
  /** Fees per block in sats (default 0, feesKnown true). */
  readonly feesSats?: (height: number) => number;
}

/** Blocks of a simulated chain, ascending; timestamps are rounded real arrival times. */
export function simulateChain(opts: SimulateOptions): Block[] {
  if (opts.startHeight % EPOCH_BLOCKS !== 0) throw new RangeError('simulateChain: startHeight must start an epoch');
  const rnd = seededRandom(opts.seed);
  const d0 = bitsToDifficulty(opts.startBits);
  const out: Block[] = [];
  let bits = opts.startBits;
  let clock = opts.startTimeSec;
  let epochStartTime = Math.round(clock);
  let diffRatio = 1;
  for (let i = 0; i < opts.blocks; i++) {
    const height = opts.startHeight + i;
    if (i > 0) {
      if (height % EPOCH_BLOCKS === 0) {
        bits = nextBits({ bits, firstBlockTime: epochStartTime, lastBlockTime: out[i - 1]!.timestamp });
        diffRatio = bitsToDifficulty(bits) / d0;
      }
      const mean = (600 * diffRatio) / opts.hashrate(height, clock);
      clock += -Math.log(1 - rnd()) * mean;
    }
    const timestamp = Math.round(clock);
    if (height % EPOCH_BLOCKS === 0) epochStartTime = timestamp;
    const fees = opts.feesSats?.(height) ?? 0;
    out.push({ id: `sim-${opts.seed}-${height}`, height, timestamp, bits, feesSats: fees, feesKnown: true });
  }
  return out;
}
