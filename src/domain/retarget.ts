/**
 * Bitcoin Core's consensus retarget (`CalculateNextWorkRequired`, mainnet parameters).
 * Exact BigInt arithmetic: this is what the next epoch's bits WILL be, not an estimate.
 */
import { bitsToTarget, targetToBits, truncate256 } from './bits.ts';
import { memoBounded } from './memo.ts';

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
 * Exact: the usual case is computed in integers that doubles hold exactly ({@link nextBitsFast}),
 * anything else in BigInt ({@link nextBitsBig}); the two agree bit for bit
 * (test/unit/domain/retarget.test.ts compares them over every mainnet bits and all spans).
 * @throws RangeError on invalid bits or non-integer times.
 */
export function nextBits(input: NextBitsInput): number {
  const { bits, firstBlockTime, lastBlockTime } = input;
  if (!Number.isSafeInteger(firstBlockTime) || !Number.isSafeInteger(lastBlockTime)) {
    throw new RangeError('nextBits: block times must be integer unix seconds');
  }
  const span = clampedTimespan(firstBlockTime, lastBlockTime);
  const fast = nextBitsFast(bits, span);
  return fast >= 0 ? fast : nextBitsBig(bits, span);
}

/** The BigInt form of {@link nextBits} for a clamped span: Core's arith_uint256 steps one by one. */
export function nextBitsBig(bits: number, span: number): number {
  let target = truncate256(targetOf(bits) * BigInt(span)) / TIMESPAN_BIG;
  if (target > POW_LIMIT) target = POW_LIMIT;
  return targetToBits(target);
}

const TIMESPAN_BIG = BigInt(TARGET_TIMESPAN_SEC);
/** Two weeks = 2^8 · 4725 s: the power of two moves into the target's byte shift. */
const TIMESPAN_ODD = TARGET_TIMESPAN_SEC / 256;
const POW_LIMIT_BITS = targetToBits(POW_LIMIT);

/**
 * {@link nextBitsBig} without BigInt, or −1 when the inputs are outside the range it is exact for
 * (then the caller uses BigInt). With bits = (e, m), the old target is m·2^(8(e−3)); for
 * 4 ≤ e ≤ 29 and a clamped span (< 2^23 s) the product m·span < 2^46 is an exact double and the
 * 256-bit truncation cannot apply. The new target is ⌊N·2^s / 4725⌋ (N = m·span, s = 8(e−4)); its
 * byte length and top three bytes follow from exact comparisons and one exact integer division
 * (⌊⌊a/b⌋/c⌋ = ⌊a/(bc)⌋), which is all GetCompact keeps.
 */
export function nextBitsFast(bits: number, span: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) return -1;
  const e = bits >>> 24;
  const m = bits & 0x007fffff;
  if (e < 4 || e > 29 || m === 0 || (bits & 0x00800000) !== 0) return -1;
  if (!Number.isInteger(span) || span < 1 || span > TARGET_TIMESPAN_SEC * 4) return -1;
  const n = m * span;
  const s = 8 * (e - 4);
  // new target ≥ 2^224 (above the pow limit) ⇔ n·2^s ≥ 4725·2^224.
  if (n >= TIMESPAN_ODD * pow2(224 - s)) return POW_LIMIT_BITS;
  if (n * pow2(s) < TIMESPAN_ODD * pow2(16)) return -1; // a target under 3 bytes: never mainnet
  // Byte length L: the smallest with target < 2^(8L) ⇔ n < 4725·2^(8L − s).
  let len = Math.ceil((Math.log2(n) + s - LOG2_TIMESPAN_ODD) / 8);
  while (n >= TIMESPAN_ODD * pow2(8 * len - s)) len++;
  while (n < TIMESPAN_ODD * pow2(8 * (len - 1) - s)) len--;
  // Top three bytes: ⌊n·2^j / 4725⌋ with j = s − 8(L − 3).
  const j = s - 8 * (len - 3);
  let compact = j >= 0 ? floorDiv(n * pow2(j), TIMESPAN_ODD) : floorDiv(n, TIMESPAN_ODD * pow2(-j));
  if (compact < 0) return -1;
  if ((compact & 0x00800000) !== 0) {
    compact >>>= 8;
    len += 1;
  }
  return ((len << 24) | compact) >>> 0;
}

const LOG2_TIMESPAN_ODD = Math.log2(TIMESPAN_ODD);
/** 2^k for integers |k| ≤ 300, exact, from a table: `2 ** k` with a variable k is a slow Math.pow. */
const POW2 = Float64Array.from({ length: 601 }, (_, i) => 2 ** (i - 300));
const pow2 = (k: number): number => POW2[k + 300]!;

/** ⌊x / d⌋ for non-negative integers below 2^52 (−1 otherwise), corrected for the division's rounding. */
function floorDiv(x: number, d: number): number {
  if (!(x < TWO_52 && d < TWO_52 && Number.isInteger(x) && Number.isInteger(d) && d > 0)) return -1;
  let q = Math.floor(x / d);
  if (q * d > x) q--;
  else if ((q + 1) * d <= x) q++;
  return q;
}

const TWO_52 = 2 ** 52;

/** bitsToTarget memoised: the estimator asks nextBits three times a block with the epoch's bits. */
const targetOf = memoBounded(bitsToTarget, 4096);
