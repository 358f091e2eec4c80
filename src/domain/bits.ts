/**
 * Compact nBits <-> 256-bit target <-> difficulty <-> work, exactly as Bitcoin Core does it.
 *
 * Consensus quantities (targets, work) are BigInt so that no rounding can creep into a retarget
 * or a chainwork sum; difficulty is a double computed with Core's own loop so it matches
 * `getdifficulty` / mempool.space output bit for bit.
 */

const MASK_256 = (1n << 256n) - 1n;
const TWO_256 = 1n << 256n;

function assertUint32(bits: number, what: string): void {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) {
    throw new RangeError(`${what}: bits must be an unsigned 32-bit integer, got ${String(bits)}`);
  }
}

/**
 * Bitcoin Core `arith_uint256::SetCompact`. A negative or overflowing encoding is never a valid
 * block target, so instead of Core's out-flags it throws, which stops a corrupt header from
 * silently becoming a huge or zero target.
 * @throws RangeError on a non-uint32 input, a negative (sign bit with non-zero mantissa) or an
 *   overflowing (> 256 bits) encoding.
 */
export function bitsToTarget(bits: number): bigint {
  assertUint32(bits, 'bitsToTarget');
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = BigInt(word) << BigInt(8 * (size - 3));
  }
  // Core tests the sign and overflow on the word AFTER the small-size shift (0x01803456 is 0, not negative).
  if (word !== 0 && (bits & 0x00800000) !== 0) {
    throw new RangeError(`bitsToTarget: 0x${bits.toString(16)} encodes a negative target`);
  }
  if (word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))) {
    throw new RangeError(`bitsToTarget: 0x${bits.toString(16)} overflows 256 bits`);
  }
  return target;
}

/**
 * Bitcoin Core `arith_uint256::GetCompact` for a non-negative target. Rounds down to 3 mantissa
 * bytes and moves a would-be sign bit into the exponent, so the result never has 0x00800000 set.
 * @throws RangeError when the target is negative or wider than 256 bits.
 */
/** Bytes needed for a non-negative target (0 for 0): estimated from its double, then checked. */
function byteLength(target: bigint): number {
  if (target === 0n) return 0;
  // The double may round up across a byte boundary (2^64 − 1 → 2^64): correct by exact shifts.
  let size = Math.max(1, Math.ceil(Math.log2(Number(target) + 1) / 8));
  while (size > 1 && target >> BYTE_SHIFTS[size - 1]! === 0n) size--;
  while (target >> BYTE_SHIFTS[size]! !== 0n) size++;
  return size;
}

/** BigInt(8 · k) for k = 0..33, so byteLength allocates no shift amounts. */
const BYTE_SHIFTS: readonly bigint[] = Array.from({ length: 34 }, (_, k) => BigInt(8 * k));

export function targetToBits(target: bigint): number {
  if (target < 0n || target > MASK_256) {
    throw new RangeError(`targetToBits: target must be in [0, 2^256), got ${target.toString(16)}`);
  }
  let size = byteLength(target);
  let compact: number;
  if (size <= 3) {
    compact = Number(target << BigInt(8 * (3 - size)));
  } else {
    compact = Number((target >> BigInt(8 * (size - 3))) & 0xffffffn);
  }
  if ((compact & 0x00800000) !== 0) {
    compact >>>= 8;
    size += 1;
  }
  return ((size << 24) | compact) >>> 0;
}

/**
 * Bitcoin Core `GetDifficulty`: 0xffff / mantissa, scaled by 256 per exponent step in a loop.
 * Doing it in this exact order of double operations is what makes the figure equal RPC output.
 */
export function bitsToDifficulty(bits: number): number {
  assertUint32(bits, 'bitsToDifficulty');
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    shift++;
  }
  while (shift > 29) {
    diff /= 256.0;
    shift--;
  }
  return diff;
}

/**
 * Bitcoin Core `GetBlockProof`: expected hashes for one block, floor(2^256 / (target + 1)).
 * Summing these is chainwork, the only exact basis for a hash-rate figure. A zero target gives 0
 * as in Core.
 */
export function blockWork(bits: number): bigint {
  const target = bitsToTarget(bits);
  if (target === 0n) return 0n;
  return TWO_256 / (target + 1n);
}

/**
 * Core's `base_uint::getdouble`: sums 32-bit limbs from low to high in double. Used where Core
 * turns a 256-bit integer into a double (getnetworkhashps), so our rounding matches its.
 */
export function uint256ToDouble(value: bigint): number {
  if (value < 0n || value > MASK_256) {
    throw new RangeError('uint256ToDouble: value must be in [0, 2^256)');
  }
  let ret = 0;
  let fact = 1;
  let v = value;
  for (let i = 0; i < 8; i++) {
    ret += fact * Number(v & 0xffffffffn);
    fact *= 4294967296.0;
    v >>= 32n;
  }
  return ret;
}

/** Bitcoin Core's 256-bit truncation, for arithmetic that Core does modulo 2^256. */
export function truncate256(value: bigint): bigint {
  return value & MASK_256;
}
