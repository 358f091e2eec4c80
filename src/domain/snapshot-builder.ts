/**
 * The one place a block becomes a Snapshot (live watcher, replay, `snapshot` command alike).
 *
 * Fed blocks in ascending contiguous order; every figure is kept incrementally in bounded memory
 * (the last {@link SnapshotBuilder.requiredHistoryBlocks} blocks at most), so the cost of a block
 * does not grow with history. After a restart or a reorg, rebuild by constructing a fresh builder
 * and pushing the stored recent blocks: with at least `requiredHistoryBlocks` of them the rebuilt
 * builder gives the same snapshots (hash-price history aside, which depends on the prices you
 * pass again) — except the drop detector's cells, which are sequential: store the
 * {@link SnapshotBuilder.checkpoint} it offers once a day and hand the newest one at or below the
 * rebuild's tip to {@link SnapshotBuilder.resumeFrom}, and they are exact too.
 *
 * What is null and when (data starting mid-chain is normal: a replay file, a fresh watcher):
 * - `hashrate[w]`: null until the builder holds 2 blocks with distinct times; partial windows
 *   are reported with `blocks` < the window size and a correspondingly wide interval.
 * - `peaks[w][l]`: null until a FULL window exists; only full windows enter peaks.
 * - `retarget` is always present; if the data starts after the epoch's first block,
 *   `epochStartEstimated` is true (see RetargetSnapshot) and scorecard rows have mempoolPct null.
 * - `retargetOutcome`: on epoch-start blocks only, null if the previous block is not held.
 * - `hashprice` USD figures: null without a price; `priceStale` when missing or older than 1 h.
 * - `hashpriceAgo[w]`: null until a block at least `w` older (by block time) with a USD figure.
 */
import { bitsToDifficulty, bitsToTarget } from './bits.ts';
import { DROP_HISTORY_BLOCKS, DropDetectors, type DropCell, type DropDetectorsState } from './drop-detectors.ts';
import { hashprice } from './hashprice.ts';
import { BlockRing } from './ring.ts';
import { HashrateTracker } from './snapshot-hashrate.ts';
import { RetargetTracker } from './snapshot-retarget.ts';
import type { HashpriceAgo, HashpriceSnapshot, Snapshot } from './snapshot-types.ts';
import { blockSubsidySats } from './subsidy.ts';
import { HASHRATE_WINDOWS, LOOKBACKS, PRICE_WINDOW_NAMES, PRICE_WINDOWS } from './types.ts';
import type { Block, Network, PricePoint, PriceWindow, SourceName } from './types.ts';

/** A block arrived that does not extend the builder's chain: the caller's bug (or a reorg it
 * must handle by rebuilding). Carries both heights so the log says what happened. */
export class BlockOrderError extends Error {
  override readonly name = 'BlockOrderError';
  constructor(
    readonly expectedHeight: number,
    readonly gotHeight: number,
    detail = '',
  ) {
    super(`block out of order: expected height ${expectedHeight}, got ${gotHeight}${detail}`);
  }
}

/** Context of one push: wall clock, the latest BTC price, where the block came from. */
export interface PushContext {
  readonly nowSec: number;
  readonly price: PricePoint | null;
  readonly source: SourceName;
  /** True when this height was computed before and a reorg replaced it. */
  readonly correction?: boolean;
}

/** A price older than this (vs ctx.nowSec) is flagged stale. */
export const PRICE_STALE_AFTER_SEC = 3600;
/** Blocks in the lagging fee average (Luxor's hash price). */
export const FEE_AVERAGE_BLOCKS = 144;

function validate(block: Block): void {
  if (!Number.isSafeInteger(block.height) || block.height < 0)
    throw new RangeError(`block ${block.id}: bad height ${block.height}`);
  if (!Number.isSafeInteger(block.timestamp))
    throw new RangeError(`block ${block.height}: bad timestamp ${block.timestamp}`);
  if (!Number.isFinite(block.feesSats) || block.feesSats < 0)
    throw new RangeError(`block ${block.height}: bad feesSats ${block.feesSats}`);
  // Consensus-valid compact form only (what GetCompact produces): positive target, sign bit
  // clear, exponent ≤ 0x20. bitsToTarget throws RangeError on negative/overflow encodings.
  const b = block.bits;
  if (VALID_BITS.has(b)) return;
  if (bitsToTarget(b) === 0n || (b & 0x00800000) !== 0 || b > 0x207fffff) {
    throw new RangeError(`block ${block.height}: invalid bits 0x${b.toString(16)}`);
  }
  if (VALID_BITS.size < 4096) VALID_BITS.add(b);
}

/** bits already decoded and found valid: an epoch's 2016 blocks share one value (no BigInt per block). */
const VALID_BITS = new Set<number>();

/** Blocks between two checkpoints a builder offers (one a day). */
export const CHECKPOINT_EVERY_BLOCKS = 144;
/**
 * How far below the tip a checkpoint still helps a rebuild: the stored history must refill the
 * drop detector's reference ring up to it (required history − reference − gap, less a margin).
 */
export const CHECKPOINT_USEFUL_BLOCKS = 2_000;

/**
 * What a rebuild cannot recompute from stored blocks alone: the drop detector's sequential state
 * (its CUSUMs and alarmed cells depend on every block since the chain was first seen, not on a
 * window). Taken after block (height, hash); plain JSON.
 */
export interface BuilderCheckpoint {
  readonly height: number;
  readonly hash: string;
  readonly drop: DropDetectorsState;
}

export class SnapshotBuilder {
  /**
   * Enough blocks to rebuild every figure: the largest lookback (90d) + largest window (7d) for
   * peaks, and for the drop detector its 90d reference, the 14-day gap and a warm-up.
   */
  static readonly requiredHistoryBlocks = Math.max(
    Math.max(...Object.values(LOOKBACKS)) + Math.max(...Object.values(HASHRATE_WINDOWS)),
    DROP_HISTORY_BLOCKS,
  );

  private readonly ring = new BlockRing(SnapshotBuilder.requiredHistoryBlocks);
  private readonly hashrate = new HashrateTracker(this.ring);
  private readonly retarget: RetargetTracker;
  private readonly drop: DropDetectors;
  private lastId: string | null = null;
  private feeSum = 0;
  private feeCount = 0;
  private resume: BuilderCheckpoint | null = null;
  private resumedAt = -1;

  /**
   * `dropCells`: compute only these drop cells (replay and preview know their rules; the live
   * watcher computes all, since a rule may be added any time). Other cells then never alarm.
   */
  constructor(options: { network?: Network; dropCells?: readonly DropCell[] } = {}) {
    this.retarget = new RetargetTracker(this.ring, options.network ?? 'mainnet');
    this.drop = new DropDetectors(options.dropCells);
  }

  /** Height the next push must have, or null before the first block. */
  get nextHeight(): number | null {
    return this.ring.lastHeight < 0 ? null : this.ring.lastHeight + 1;
  }

  /**
   * The state to store with the block just pushed, every {@link CHECKPOINT_EVERY_BLOCKS} blocks
   * (null in between and before the first block). Fed back through {@link resumeFrom}, a rebuilt
   * builder's drop cells equal those of a builder that never stopped, bit for bit.
   */
  checkpoint(): BuilderCheckpoint | null {
    const h = this.ring.lastHeight;
    if (h < 0 || this.lastId === null || h % CHECKPOINT_EVERY_BLOCKS !== 0) return null;
    return { height: h, hash: this.lastId, drop: this.drop.save() };
  }

  /**
   * Call on a fresh builder before replaying stored blocks: when the push of the checkpoint's block
   * (same height and hash) comes, the drop detector takes the saved state instead of its warm-up.
   * A checkpoint that does not fit (other branch, malformed, the history does not reach far
   * enough back to refill the reference) is ignored: the rebuild is then a warm-up, as before.
   */
  resumeFrom(cp: BuilderCheckpoint): void {
    this.resume = cp;
  }

  /** Height the drop detector resumed at (see {@link resumeFrom}), −1 when it did not. */
  get resumedAtHeight(): number {
    return this.resumedAt;
  }

  /**
   * Adds the next block and returns its snapshot.
   * @throws BlockOrderError when the block is not the next height or does not link to the tip.
   * @throws RangeError on a block whose fields are not valid numbers (nothing is changed).
   */
  push(block: Block, ctx: PushContext): Snapshot {
    const next = this.nextHeight;
    if (next !== null && block.height !== next) throw new BlockOrderError(next, block.height);
    if (
      next !== null &&
      block.previousHash !== undefined &&
      this.lastId !== null &&
      block.previousHash !== this.lastId
    ) {
      throw new BlockOrderError(
        next,
        block.height,
        ` (previousHash ${block.previousHash} is not the tip ${this.lastId})`,
      );
    }
    validate(block);
    const ring = this.ring;
    const h = block.height;
    this.trackFees(h, block);
    ring.push(h, block.timestamp, block.bits, block.feesSats, block.feesKnown);
    this.lastId = block.id;
    const { hashrate, peaks } = this.hashrate.update();
    if (ring.has(h - 1)) {
      // Difficulty-normalised interval: time (never backwards) per unit of work.
      this.drop.push(
        h,
        block.timestamp,
        (ring.maxTimeAt(h) - ring.maxTimeAt(h - 1)) / this.hashrate.workOf(block.bits),
      );
    }
    const cp = this.resume;
    if (cp !== null && cp.height === h) {
      this.resume = null;
      if (cp.hash === block.id && this.drop.restore(cp.drop)) this.resumedAt = h;
    }
    const { retarget, outcome } = this.retarget.update(ctx.nowSec);
    const difficulty = bitsToDifficulty(block.bits);
    const hp = this.hashprice(h, difficulty, ctx);
    ring.setUsdPerPhDay(h, hp.usdPerPhDay);
    return {
      height: h,
      hash: block.id,
      timeSec: block.timestamp,
      computedAtSec: ctx.nowSec,
      source: ctx.source,
      correction: ctx.correction ?? false,
      bits: block.bits,
      difficulty,
      hashrate,
      peaks,
      retarget,
      retargetOutcome: outcome,
      hashprice: hp,
      hashpriceAgo: this.hashpriceAgo(block.timestamp),
      drop: this.drop.state(),
    };
  }

  /** Running sum of the last 144 blocks' known fees (a block leaving is 144 behind the new one). */
  private trackFees(h: number, block: Block): void {
    const leaving = h - FEE_AVERAGE_BLOCKS;
    if (this.ring.has(leaving) && this.ring.feesKnownAt(leaving)) {
      this.feeSum -= this.ring.feesAt(leaving);
      this.feeCount -= 1;
    }
    if (block.feesKnown) {
      this.feeSum += block.feesSats;
      this.feeCount += 1;
    }
  }

  private hashprice(h: number, difficulty: number, ctx: PushContext): HashpriceSnapshot {
    const subsidySats = blockSubsidySats(h);
    const avgFeesSats = this.feeCount > 0 ? this.feeSum / this.feeCount : 0;
    const price = ctx.price;
    const usable = price !== null && Number.isFinite(price.usd) && price.usd > 0;
    const hp = hashprice({ difficulty, subsidySats, avgFeesSats, priceUsd: usable ? price.usd : 0 });
    return {
      btcPerPhDay: hp.btcPerPhDay,
      satsPerPhDay: hp.satsPerPhDay,
      usdPerPhDay: usable ? hp.usdPerPhDay : null,
      usdPerThDay: usable ? hp.usdPerThDay : null,
      subsidySats,
      avgFeesSats,
      feeBlocks: this.feeCount,
      priceUsd: usable ? price.usd : null,
      priceTimeSec: usable ? price.timeSec : null,
      priceStale: !usable || ctx.nowSec - price.timeSec > PRICE_STALE_AFTER_SEC,
    };
  }

  private hashpriceAgo(timeSec: number): Record<PriceWindow, HashpriceAgo | null> {
    const out = {} as Record<PriceWindow, HashpriceAgo | null>;
    for (const w of PRICE_WINDOW_NAMES) {
      const at = this.ring.lastHeightAtOrBefore(timeSec - PRICE_WINDOWS[w]);
      const usd = at === null ? null : this.ring.usdPerPhDayAt(at);
      out[w] =
        at === null || usd === null ? null : { window: w, usdPerPhDay: usd, timeSec: this.ring.timeAt(at), height: at };
    }
    return out;
  }
}
