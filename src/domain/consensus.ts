/**
 * The header rules a Bitcoin node enforces that hashbell can check from headers alone, applied to
 * every block before it is stored, snapshotted, charted or evaluated: one invalid block from a
 * source must never page anyone. Pure: the stored context and the clock are parameters.
 *
 * Rules followed: Bitcoin Core v24–v28 `validation.cpp` ContextualCheckBlockHeader and `pow.cpp`
 * GetNextWorkRequired / CalculateNextWorkRequired with MAINNET parameters only
 * (fPowAllowMinDifficultyBlocks = false, fPowNoRetargeting = false, no BIP94), i.e.:
 * - `bad-link`: the block names a parent other than the stored tip (Core: prev-blk-not-found /
 *   the block is not on our chain).
 * - `bad-height`: height ≠ parent height + 1.
 * - `bad-bits` (Core: bad-diffbits): mid-epoch the parent's bits; at a boundary
 *   CalculateNextWorkRequired from the epoch's first block time and the parent's time. Also a
 *   compact form that is zero, negative, overflowing or above the mainnet pow limit.
 * - `time-too-old`: timestamp ≤ the median of the previous 11 blocks' timestamps (MTP).
 * - `time-too-new`: timestamp > now + 2 h (MAX_FUTURE_BLOCK_TIME). Not a permanent verdict in
 *   Core either: the caller holds such a block and checks again later.
 * - `bad-header`: a field that is not a number of the right kind (never reaches Core's rules).
 * Not checked: proof of work against the hash (sources give ids, not serialized headers, and the
 * replay fixtures carry synthetic ids), version / BIP9 rules, checkpoints.
 *
 * Partial context is normal (a replay file starting mid-chain, a cold start's first blocks): a rule
 * whose inputs are not held is not applied, except MTP, which uses a sound lower bound (below).
 */
import { bitsToTarget } from './bits.ts';
import { EPOCH_BLOCKS, nextBits, POW_LIMIT } from './retarget.ts';

/** Blocks in Core's median time past. */
export const MEDIAN_TIME_SPAN = 11;
/** Core's MAX_FUTURE_BLOCK_TIME: a header may be at most this far ahead of the local clock. */
export const MAX_FUTURE_BLOCK_TIME_SEC = 2 * 60 * 60;

export type RejectReason = 'bad-header' | 'bad-height' | 'bad-link' | 'bad-bits' | 'time-too-old' | 'time-too-new';

/** The header fields the rules read (a domain Block satisfies it). */
export interface HeaderFields {
  readonly id: string;
  readonly height: number;
  readonly timestamp: number;
  readonly bits: number;
  readonly previousHash?: string;
}

/** What the stored chain tells about the block's parent. */
export interface ChainContext {
  /** The stored tip the block must extend; null when nothing is held (no contextual check). */
  readonly tip: {
    readonly height: number;
    readonly id: string;
    readonly bits: number;
    readonly timestamp: number;
  } | null;
  /** Timestamps of the tip and the ancestors before it, oldest first, the tip's last (≤ 11). */
  readonly recentTimes: readonly number[];
  /** First block of the tip's epoch, when held (the retarget's start time). */
  readonly epochStart: { readonly height: number; readonly timestamp: number } | null;
  /** `recentTimes` sorted ascending, when the holder keeps it so (saves a sort per block). */
  readonly sortedRecentTimes?: readonly number[];
}

/** A verdict: valid, or the named rule broken and a message naming the block. */
export type ConsensusResult =
  { readonly ok: true } | { readonly ok: false; readonly reason: RejectReason; readonly message: string };

const OK: ConsensusResult = { ok: true };
const err = (reason: RejectReason, message: string): ConsensusResult => ({ ok: false, reason, message });

/** bits already judged intrinsically (an epoch shares one value: no BigInt per block). */
const BITS_VERDICT = new Map<number, string | null>();

/** Why a compact target can never be a mainnet block's, or null when it can. */
export function bitsProblem(bits: number): string | null {
  const known = BITS_VERDICT.get(bits);
  if (known !== undefined) return known;
  let problem: string | null = null;
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff)
    problem = `bits ${String(bits)} is not a 32-bit compact target`;
  else {
    try {
      const t = bitsToTarget(bits);
      if (t === 0n) problem = `bits 0x${bits.toString(16)} encodes a zero target`;
      else if (t > POW_LIMIT) problem = `bits 0x${bits.toString(16)} is easier than the mainnet proof-of-work limit`;
    } catch (e) {
      problem = `bits 0x${bits.toString(16)}: ${(e as Error).message.replace(/^bitsToTarget: /, '')}`;
    }
  }
  if (BITS_VERDICT.size < 4096) BITS_VERDICT.set(bits, problem);
  return problem;
}

/**
 * The bits GetNextWorkRequired demands of a block at `height` on top of `ctx.tip`, or null when
 * the context cannot say (no tip, or a boundary whose epoch start is not held).
 */
export function requiredBits(ctx: ChainContext, height: number): number | null {
  const tip = ctx.tip;
  if (!tip || height !== tip.height + 1) return null;
  if (height % EPOCH_BLOCKS !== 0) return tip.bits;
  const start = ctx.epochStart;
  if (!start || start.height !== height - EPOCH_BLOCKS) return null;
  return nextBits({ bits: tip.bits, firstBlockTime: start.timestamp, lastBlockTime: tip.timestamp });
}

/**
 * The smallest value the parent's median time past can have, given the timestamps held. With all
 * 11 (or every ancestor, near genesis) it is Core's GetMedianTimePast exactly; with `u` of them
 * missing the true median (sorted index m) is at least the held value of sorted index m − u.
 * Null when nothing can be said (too few held).
 */
export function medianTimePastLowerBound(ctx: ChainContext): number | null {
  const tip = ctx.tip;
  const times = ctx.recentTimes;
  if (!tip || times.length === 0) return null;
  const n = Math.min(MEDIAN_TIME_SPAN, tip.height + 1);
  const held = Math.min(times.length, n);
  const m = Math.floor(n / 2);
  const k = m - (n - held);
  if (k < 0) return null;
  const sorted =
    held === times.length && ctx.sortedRecentTimes
      ? ctx.sortedRecentTimes
      : times.slice(times.length - held).sort((a, b) => a - b);
  return sorted[k]!;
}

/**
 * Checks a header against its stored context and the local clock (`nowSec` null: no clock, as in
 * a replay of history). Never throws: bad input is a named reason with a message naming the block.
 */
export function checkHeader(b: HeaderFields, ctx: ChainContext, nowSec: number | null): ConsensusResult {
  const intrinsic = checkIntrinsic(b, nowSec);
  if (!intrinsic.ok) return intrinsic;
  const tip = ctx.tip;
  if (!tip) return OK;
  if (b.height !== tip.height + 1)
    return err('bad-height', `block ${b.height} does not follow the stored tip ${tip.height}`);
  if (b.previousHash !== undefined && b.previousHash !== tip.id) {
    return err(
      'bad-link',
      `block ${b.height} names parent ${b.previousHash}, not the stored block ${tip.height} ${tip.id}`,
    );
  }
  const want = requiredBits(ctx, b.height);
  if (want !== null && b.bits !== want) {
    const where = b.height % EPOCH_BLOCKS === 0 ? 'the retarget rule gives' : "mid-epoch it must keep its parent's";
    return err('bad-bits', `block ${b.height} has bits 0x${b.bits.toString(16)}; ${where} 0x${want.toString(16)}`);
  }
  const mtp = medianTimePastLowerBound(ctx);
  if (mtp !== null && b.timestamp <= mtp) {
    return err(
      'time-too-old',
      `block ${b.height} timestamp ${b.timestamp} is not above the median of the previous 11 blocks (${mtp})`,
    );
  }
  return OK;
}

/** The checks that need no stored chain: field kinds, bits encoding, the 2-hour future limit. */
export function checkIntrinsic(b: HeaderFields, nowSec: number | null): ConsensusResult {
  if (!Number.isSafeInteger(b.height) || b.height < 0)
    return err('bad-header', `block ${String(b.height)}: height is not a non-negative integer`);
  if (!Number.isSafeInteger(b.timestamp) || b.timestamp <= 0 || b.timestamp > 0xffffffff) {
    return err('bad-header', `block ${b.height}: timestamp ${String(b.timestamp)} is not a uint32 of unix seconds`);
  }
  const bits = bitsProblem(b.bits);
  if (bits !== null) return err('bad-bits', `block ${b.height}: ${bits}`);
  if (nowSec !== null && b.timestamp > nowSec + MAX_FUTURE_BLOCK_TIME_SEC) {
    return err(
      'time-too-new',
      `block ${b.height} timestamp ${b.timestamp} is ${b.timestamp - nowSec} s ahead of the local clock (limit ${MAX_FUTURE_BLOCK_TIME_SEC} s)`,
    );
  }
  return OK;
}

/**
 * The context kept incrementally (O(1) a block, no allocation): the tip, its last 11 timestamps
 * (in arrival order and sorted) and its epoch's first block. Feed it accepted blocks in height
 * order; `reset` on a rebuild.
 */
export class ChainContextTracker implements ChainContext {
  private tipHeight = -1;
  private readonly tipBox = { height: 0, id: '', bits: 0, timestamp: 0 };
  private readonly startBox = { height: 0, timestamp: 0 };
  private hasStart = false;
  private readonly times: number[] = [];
  private readonly sorted: number[] = [];

  get tip(): ChainContext['tip'] {
    return this.tipHeight < 0 ? null : this.tipBox;
  }

  get epochStart(): ChainContext['epochStart'] {
    return this.hasStart ? this.startBox : null;
  }

  get recentTimes(): readonly number[] {
    return this.times;
  }

  get sortedRecentTimes(): readonly number[] {
    return this.sorted;
  }

  /** Checks `b` on top of the blocks accepted so far. */
  check(b: HeaderFields, nowSec: number | null): ConsensusResult {
    return checkHeader(b, this, nowSec);
  }

  /** Records `b` as the new tip (checked, or trusted history). A gap or a step back starts over. */
  accept(b: HeaderFields): void {
    if (this.tipHeight >= 0 && b.height !== this.tipHeight + 1) this.reset();
    const t = this.tipBox;
    this.tipHeight = t.height = b.height;
    t.id = b.id;
    t.bits = b.bits;
    t.timestamp = b.timestamp;
    if (this.times.length === MEDIAN_TIME_SPAN) removeSorted(this.sorted, this.times.shift()!);
    this.times.push(b.timestamp);
    insertSorted(this.sorted, b.timestamp);
    const inEpoch = b.height % EPOCH_BLOCKS;
    if (inEpoch === 0) {
      this.startBox.height = b.height;
      this.startBox.timestamp = b.timestamp;
      this.hasStart = true;
    } else if (this.hasStart && this.startBox.height !== b.height - inEpoch) this.hasStart = false;
  }

  /** An independent copy (a trial run over a batch before it is committed). */
  clone(): ChainContextTracker {
    const c = new ChainContextTracker();
    c.tipHeight = this.tipHeight;
    Object.assign(c.tipBox, this.tipBox);
    Object.assign(c.startBox, this.startBox);
    c.hasStart = this.hasStart;
    c.times.push(...this.times);
    c.sorted.push(...this.sorted);
    return c;
  }

  reset(): void {
    this.tipHeight = -1;
    this.hasStart = false;
    this.times.length = 0;
    this.sorted.length = 0;
  }
}

/** Inserts `v` into the ascending array `a` (≤ 11 long: a shifting scan, no allocation). */
function insertSorted(a: number[], v: number): void {
  let i = a.length;
  a.push(v);
  while (i > 0 && a[i - 1]! > v) {
    a[i] = a[i - 1]!;
    i--;
  }
  a[i] = v;
}

/** Removes one `v` from the ascending array `a`. */
function removeSorted(a: number[], v: number): void {
  let i = a.indexOf(v);
  if (i < 0) return;
  for (; i < a.length - 1; i++) a[i] = a[i + 1]!;
  a.pop(); // not `length--`: the generic length setter costs more than the whole check
}
