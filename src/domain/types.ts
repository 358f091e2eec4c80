/**
 * Value types shared by every layer. Pure data: no I/O, no clocks.
 *
 * Units are in the names (`timeSec`, `feesSats`, `hps`) because Bitcoin's sources mix seconds and
 * milliseconds, sats and BTC, H/s and EH/s, and a silent unit slip is the classic bug here.
 */

/** Which chain the numbers follow; only mainnet rules are exercised by the product today. */
export type Network = 'mainnet' | 'testnet' | 'testnet4' | 'signet';

/**
 * One block as hashbell needs it: enough for difficulty, hash rate, retarget and hash price.
 * Built from mempool.space's BlockExtended, a Bitcoin Core header, or a blocks file line.
 */
export interface Block {
  /** Block hash, hex, display order (as mempool.space and RPC print it). */
  readonly id: string;
  readonly height: number;
  /** Header timestamp, unix seconds (not monotonic across blocks). */
  readonly timestamp: number;
  /** Compact target (nBits) as an integer, e.g. 386038124 = 0x1702796c. */
  readonly bits: number;
  /** Hash of the parent block, when the source gives it (needed for reorg detection). */
  readonly previousHash?: string;
  /** Total transaction fees in sats (`extras.totalFees`); 0 when the source does not say. */
  readonly feesSats: number;
  /** True when fees were actually known (mempool extras / RPC stats), false when defaulted to 0. */
  readonly feesKnown: boolean;
}

/** A BTC price observation (mempool.space `/api/v1/prices` shape reduced to USD). */
export interface PricePoint {
  /** Unix seconds of the observation. */
  readonly timeSec: number;
  /** USD per 1 BTC. */
  readonly usd: number;
}

/** Where a snapshot's chain data came from. */
export type SourceName = 'mempool' | 'bitcoind' | 'replay';

/** Hash-rate windows in blocks (PRODUCT.md §5: 1d 3d 7d = 144, 432, 1008 blocks). */
export const HASHRATE_WINDOWS = { '1d': 144, '3d': 432, '7d': 1008 } as const;
export type HashrateWindow = keyof typeof HASHRATE_WINDOWS;

/** Lookbacks (in days of blocks, 144 a day) for the hash-rate peak a drop is measured against. */
export const LOOKBACKS = { '7d': 1008, '14d': 2016, '30d': 4320, '90d': 12960 } as const;
export type Lookback = keyof typeof LOOKBACKS;

/** Hash-price move windows, in seconds of wall-clock (block) time. */
export const PRICE_WINDOWS = { '24h': 86_400, '7d': 604_800 } as const;
export type PriceWindow = keyof typeof PRICE_WINDOWS;

/**
 * The names of a vocabulary table, in its declared order and typed as its literal keys. Every
 * list of windows, lookbacks or price windows (schemas, grammar, slash-command choices, charts,
 * series names) is read from the three tables above through these, never restated.
 */
function namesOf<T extends object>(table: T): ReadonlyArray<keyof T & string> {
  return Object.freeze(Object.keys(table)) as ReadonlyArray<keyof T & string>;
}

export const HASHRATE_WINDOW_NAMES: readonly HashrateWindow[] = namesOf(HASHRATE_WINDOWS);
export const LOOKBACK_NAMES: readonly Lookback[] = namesOf(LOOKBACKS);
export const PRICE_WINDOW_NAMES: readonly PriceWindow[] = namesOf(PRICE_WINDOWS);

/** Which way a move or a retarget estimate is watched. */
export const DIRECTIONS = ['up', 'down', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** True when `name` is one of `names` (narrows a user's or a store's string to the literal type). */
export function isOneOf<T extends string>(names: readonly T[], name: string): name is T {
  return (names as readonly string[]).includes(name);
}
