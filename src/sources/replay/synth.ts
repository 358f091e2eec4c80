/**
 * Synthetic chains whose every epoch reproduces a real retarget exactly: for each epoch the
 * timespan is solved so that consensus `nextBits` gives the next real bits, then the block times
 * are drawn as a Poisson process conditioned on that span (uniform distinct points, sorted).
 * Nothing here touches the network; the same seed gives the same bytes.
 */
import { createHash } from 'node:crypto';
import { bitsToTarget } from '../../domain/bits.ts';
import { EPOCH_BLOCKS, nextBits, TARGET_TIMESPAN_SEC } from '../../domain/retarget.ts';
import { blockSubsidySats } from '../../domain/subsidy.ts';
import type { EpochRow } from './epochs-csv.ts';
import { createRng, type Rng } from '../../domain/prng.ts';

const MIN_SPAN = TARGET_TIMESPAN_SEC / 4;
const MAX_SPAN = TARGET_TIMESPAN_SEC * 4;

/** A real block used to place synthetic chains in time: 890,448 (mempool.space capture). */
export const TIME_ANCHOR = { height: 890_448, timeSec: 1_743_541_850 } as const;

/** One generated line, in mempool.space's block shape (PRODUCT.md §2). */
export interface SynthBlock {
  readonly id: string;
  readonly height: number;
  readonly timestamp: number;
  readonly bits: number;
  readonly previousblockhash: string;
  readonly extras: { readonly reward: number; readonly totalFees: number };
}

export interface SynthOptions {
  readonly epochs: readonly EpochRow[];
  readonly fromEpoch: number;
  readonly toEpoch: number;
  readonly seed: number;
  /** Timestamp of the first block; default: estimated from TIME_ANCHOR and the real retargets. */
  readonly startTimeSec?: number;
}

/**
 * The integer span (last − first block time) whose consensus retarget turns `bits` into
 * `wantedBits`, nearest to the ideal two weeks × target ratio; null when no span can (a change
 * beyond the 4× clamps).
 */
export function solveSpan(bits: number, wantedBits: number): number | null {
  const ideal = Number((BigInt(TARGET_TIMESPAN_SEC) * bitsToTarget(wantedBits)) / bitsToTarget(bits));
  const start = Math.min(Math.max(ideal, MIN_SPAN), MAX_SPAN);
  for (let d = 0; d <= 200_000; d++) {
    for (const s of d === 0 ? [start] : [start + d, start - d]) {
      if (s < MIN_SPAN || s > MAX_SPAN) continue;
      if (nextBits({ bits, firstBlockTime: 0, lastBlockTime: s }) === wantedBits) return s;
    }
  }
  return null;
}

/** Ideal span of each epoch (next real bits), or two weeks for the last known epoch. */
function idealSpanSec(epochs: readonly EpochRow[], index: number): number {
  const row = epochs[index]!;
  const next = epochs[index + 1];
  if (next === undefined) return TARGET_TIMESPAN_SEC;
  return Number((BigInt(TARGET_TIMESPAN_SEC) * bitsToTarget(next.bits)) / bitsToTarget(row.bits));
}

/** Where the real chain roughly was at the first block of `epoch`, from the anchor block. */
export function estimateEpochStartSec(epochs: readonly EpochRow[], epoch: number): number {
  const first = epochs[0]!.epoch;
  const spacing = (height: number): number => {
    const i = Math.floor(height / EPOCH_BLOCKS) - first;
    return i >= 0 && i < epochs.length ? idealSpanSec(epochs, i) / (EPOCH_BLOCKS - 1) : 600;
  };
  const target = epoch * EPOCH_BLOCKS;
  let t = TIME_ANCHOR.timeSec;
  if (target >= TIME_ANCHOR.height) for (let h = TIME_ANCHOR.height; h < target; h++) t += spacing(h);
  else for (let h = TIME_ANCHOR.height - 1; h >= target; h--) t -= spacing(h);
  return Math.round(t);
}

/** 2015 gaps summing to `span`: distinct uniform points in (0, span), sorted. */
function drawOffsets(span: number, rng: Rng): number[] {
  const n = EPOCH_BLOCKS - 2;
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(rng.int(1, span - 1));
  return [0, ...[...chosen].sort((a, b) => a - b), span];
}

/** Fees per block: a slow weekly rhythm times log-normal block-to-block noise (~0.028 BTC mean). */
function drawFeesSats(timeSec: number, rng: Rng): number {
  const weekly = 1 + 0.2 * Math.sin((2 * Math.PI * timeSec) / 604_800);
  const sigma = 0.5;
  return Math.round(2_800_000 * weekly * Math.exp(sigma * rng.normal() - (sigma * sigma) / 2));
}

function fakeId(seed: number, height: number): string {
  const h = createHash('sha256').update(`hashbell-synth:${seed}:${height}`).digest('hex');
  return `0000000000000000000${h.slice(19)}`;
}

/** Why a synth request cannot be honoured (exit 2 in the CLI). */
export class SynthError extends Error {
  override readonly name = 'SynthError';
}

/** Generates the chain; every epoch with a known successor reproduces its retarget exactly. */
export function synthesizeChain(opts: SynthOptions): SynthBlock[] {
  const { epochs, fromEpoch, toEpoch, seed } = opts;
  const first = epochs[0]?.epoch ?? 0;
  const last = epochs[epochs.length - 1]?.epoch ?? -1;
  if (!Number.isSafeInteger(fromEpoch) || !Number.isSafeInteger(toEpoch) || fromEpoch > toEpoch) {
    throw new SynthError(`--from-epoch ${fromEpoch} must be an integer not above --to-epoch ${toEpoch}`);
  }
  if (fromEpoch < first || toEpoch > last)
    throw new SynthError(`epochs ${fromEpoch}..${toEpoch} are outside the file's ${first}..${last}`);
  const rng = createRng(seed);
  const out: SynthBlock[] = [];
  let t = opts.startTimeSec ?? estimateEpochStartSec(epochs, fromEpoch);
  let prevId = fakeId(seed, fromEpoch * EPOCH_BLOCKS - 1);
  for (let e = fromEpoch; e <= toEpoch; e++) {
    const row = epochs[e - first]!;
    const next = epochs[e - first + 1];
    const span = next === undefined ? TARGET_TIMESPAN_SEC : solveSpan(row.bits, next.bits);
    if (span === null)
      throw new SynthError(`epoch ${e}: no timespan turns bits ${row.bits} into ${next!.bits} (beyond the 4× clamps)`);
    const offsets = drawOffsets(span, rng);
    for (let i = 0; i < EPOCH_BLOCKS; i++) {
      const height = row.startHeight + i;
      const timestamp = t + offsets[i]!;
      const totalFees = drawFeesSats(timestamp, rng);
      const id = fakeId(seed, height);
      out.push({
        id,
        height,
        timestamp,
        bits: row.bits,
        previousblockhash: prevId,
        extras: { reward: blockSubsidySats(height) + totalFees, totalFees },
      });
      prevId = id;
    }
    // The gap into the next epoch is one more Poisson interval with the epoch's mean.
    t += span + Math.max(1, Math.round(rng.exponential(span / (EPOCH_BLOCKS - 1))));
  }
  return out;
}

/** JSON Lines text of a synthetic chain (what `hashbell synth` writes). */
export function synthToJsonl(blocks: readonly SynthBlock[]): string {
  let s = '';
  for (const b of blocks) s += `${JSON.stringify(b)}\n`;
  return s;
}
