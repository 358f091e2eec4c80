/**
 * A deterministic fake Bitcoin chain in mempool.space's BlockExtended shape, shared by the
 * mempool.space and Bitcoin Core stand-ins so both serve exactly the same blocks. It mines,
 * reorgs (replacing the last `depth` blocks by a heavier branch) and remembers orphaned blocks.
 */
import { createHash } from 'node:crypto';
import { bitsToDifficulty } from '../../src/domain/bits.ts';
import { nextBits } from '../../src/domain/retarget.ts';

/** Mainnet bits of the epoch starting at 889,056 (0x1702796c): the chain's starting bits. */
export const FIXTURE_BITS = 386038124;
const SUBSIDY = 312_500_000;

export interface FixtureBlock {
  readonly id: string;
  readonly height: number;
  readonly version: number;
  readonly timestamp: number;
  readonly bits: number;
  readonly nonce: number;
  readonly difficulty: number;
  readonly merkle_root: string;
  readonly tx_count: number;
  readonly size: number;
  readonly weight: number;
  readonly previousblockhash: string;
  readonly mediantime: number;
  readonly stale: boolean;
  readonly extras: {
    readonly reward: number;
    readonly totalFees: number;
    readonly medianFee: number;
    readonly avgFeeRate: number;
    readonly pool: { readonly id: number; readonly name: string; readonly slug: string };
  };
}

export interface FakeChainOptions {
  readonly startHeight?: number;
  /** Blocks present at construction. */
  readonly length?: number;
  /**
   * Header time of the first block (default: the tip about 100 blocks before now, so a test can
   * mine 100 more before a header is over the node's 2-hour future limit).
   */
  readonly startTimeSec?: number;
  readonly spacingSec?: number;
  /** Changes every hash (a chain that shares no block with the default one). */
  readonly seed?: string;
  /**
   * Seconds from the first block's time to block `index` (default index × spacing): a hash rate
   * that moves (the drop detector's tests swing it).
   */
  readonly offsetSec?: (index: number) => number;
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

export class FakeChain {
  readonly blocks: FixtureBlock[] = [];
  readonly orphans: FixtureBlock[] = [];
  private branch = 0;
  private lastOrphaned: FixtureBlock[] = [];
  private readonly spacing: number;
  private readonly startTime: number;
  readonly startHeight: number;
  private readonly seed: string;
  private readonly offset: (index: number) => number;

  constructor(opts: FakeChainOptions = {}) {
    this.seed = opts.seed ?? 'hashbell-fake';
    this.startHeight = opts.startHeight ?? 890_000;
    this.spacing = opts.spacingSec ?? 600;
    this.offset = opts.offsetSec ?? ((i) => i * this.spacing);
    const length = opts.length ?? 200;
    this.startTime = opts.startTimeSec ?? Math.floor(Date.now() / 1000) - (length + 100) * this.spacing;
    this.mine(length);
  }

  get tip(): FixtureBlock {
    const t = this.blocks.at(-1);
    if (!t) throw new Error('empty chain');
    return t;
  }

  at(height: number): FixtureBlock | undefined {
    return this.blocks[height - this.startHeight];
  }

  byHash(hash: string): FixtureBlock | undefined {
    return this.blocks.find((b) => b.id === hash) ?? this.orphans.find((b) => b.id === hash);
  }

  /** Appends n blocks; returns them. */
  mine(n: number): FixtureBlock[] {
    const out: FixtureBlock[] = [];
    for (let i = 0; i < n; i++) {
      const prev = this.blocks.at(-1);
      const b = this.make(prev ? prev.height + 1 : this.startHeight, prev?.id ?? '0'.repeat(64));
      this.blocks.push(b);
      out.push(b);
    }
    return out;
  }

  /** Replaces the last `depth` blocks with `depth + extra` new ones; returns the new branch. */
  reorg(depth: number, extra = 1): FixtureBlock[] {
    this.branch++;
    this.lastOrphaned = this.blocks.splice(this.blocks.length - depth, depth);
    this.orphans.push(...this.lastOrphaned);
    return this.mine(depth + extra);
  }

  /**
   * Undoes the last reorg: the branch it orphaned comes back (its blocks unchanged) and `extra`
   * new blocks go on top so it is the heavier one. Returns the restored and new blocks.
   */
  reorgBack(extra = 2): FixtureBlock[] {
    const restored = this.lastOrphaned;
    const first = restored[0];
    if (!first) throw new Error('nothing to restore');
    const replaced = this.blocks.splice(first.height - this.startHeight);
    this.orphans.push(...replaced);
    this.lastOrphaned = replaced;
    this.blocks.push(...restored);
    this.branch++;
    return [...restored, ...this.mine(extra)];
  }

  /** Consensus bits: the parent's, except at a retarget whose whole epoch this chain holds. */
  private bitsAt(height: number): number {
    const parent = this.at(height - 1);
    if (!parent) return FIXTURE_BITS;
    const first = this.at(height - 2016);
    if (height % 2016 !== 0 || !first) return parent.bits;
    return nextBits({ bits: parent.bits, firstBlockTime: first.timestamp, lastBlockTime: parent.timestamp });
  }

  private make(height: number, prev: string): FixtureBlock {
    const i = height - this.startHeight;
    const id = sha(`${this.seed}:${this.branch}:${height}:${prev}`);
    const jitter = (parseInt(id.slice(0, 6), 16) % 400) - 200;
    const fees = 1_000_000 + (parseInt(id.slice(6, 12), 16) % 4_000_000);
    const timestamp = this.startTime + Math.round(this.offset(i)) + jitter + this.branch;
    const bits = this.bitsAt(height);
    return {
      id,
      height,
      version: 0x20000000,
      timestamp,
      bits,
      nonce: parseInt(id.slice(12, 20), 16),
      difficulty: bitsToDifficulty(bits),
      merkle_root: sha(`merkle:${id}`),
      tx_count: 3000,
      size: 1_500_000,
      weight: 3_993_000,
      previousblockhash: prev,
      mediantime: timestamp - 3000,
      stale: false,
      extras: {
        reward: SUBSIDY + fees,
        totalFees: fees,
        medianFee: 3,
        avgFeeRate: 4,
        pool: { id: 1, name: 'Foundry USA', slug: 'foundryusa' },
      },
    };
  }
}
