/**
 * Bitcoin Core's consensus retarget (`CalculateNextWorkRequired`, mainnet parameters).
 * Exact BigInt arithmetic: this is what the next epoch's bits WILL be, not an estimate.
 */
import { bitsToTarget, targetToBits, truncate256 } from './bits.ts';

/** Blocks per difficulty epoch. */
export const EPOCH_BLOCKS = 2016;
/** Target seconds per block. */
export const TARGET_SPACING_SEC = 600;
/** nPowTargetTimespan: two weeks. */
export const TARGET_TIMESPAN_SEC = 1_209_600;
/** Mainnet proof-of-work limit (compact 0x1d00ffff). */
export const POW_LIMIT = (1n << 224n) - 1n;

/** Input of {@link nextBits}: the epoch's bits and the timestamps of its first and last block. */
export interface NextBitsInput {
  readonly bits: number;
  /** Timestamp of block height − 2015 (the epoch's first block), unix s. */
  readonly firstBlockTime: number;
  /** Timestamp of the epoch's last block (height ≡ 2015 mod 2016), unix s. */
  readonly lastBlockTime: number;
}

/** The span Core uses, after its 4× clamps (note: covers 2015 intervals, Core's off-by-one). */
export function clampedTimespan(firstBlockTime: number, lastBlockTime: number): number {
  const span = lastBlockTime - firstBlockTime;
  return Math.min(Math.max(span, TARGET_TIMESPAN_SEC / 4), TARGET_TIMESPAN_SEC * 4);
}

/**
 * `CalculateNextWorkRequired`: old target × clamped span / two weeks, capped at the pow limit,
 * re-encoded with GetCompact. This is the number every retarget alert must agree with.
 * @throws RangeError on invalid bits or non-integer times.
 */
export function nextBits(input: NextBitsInput): number {
  const { bits, firstBlockTime, lastBlockTime } = input;
  if (!Number.isSafeInteger(firstBlockTime) || !Number.isSafeInteger(lastBlockTime)) {
    throw new RangeError('nextBits: block times must be integer unix seconds');
  }
  const span = clampedTimespan(firstBlockTime, lastBlockTime);
  let target = truncate256(targetOf(bits) * BigInt(span)) / TIMESPAN_BIG;
  if (target > POW_LIMIT) target = POW_LIMIT;
  return targetToBits(target);
}

const TIMESPAN_BIG = BigInt(TARGET_TIMESPAN_SEC);

/** bitsToTarget memoised: the estimator asks nextBits three times a block with the epoch's bits. */
function targetOf(bits: number): bigint {
  let t = TARGETS.get(bits);
  if (t === undefined) {
    t = bitsToTarget(bits);
    if (TARGETS.size < 4096) TARGETS.set(bits, t);
  }
  return t;
}
const TARGETS = new Map<number, bigint>();
