/** Hash price, Luxor's definition: expected revenue of one unit of hash rate per day. */

/** Input of {@link hashprice}. */
export interface HashpriceInput {
  /** Current network difficulty (bitsToDifficulty of the tip). */
  readonly difficulty: number;
  /** Current block subsidy, sats. */
  readonly subsidySats: number;
  /** 144-block lagging simple average of fees per block, sats. */
  readonly avgFeesSats: number;
  /** USD per BTC. */
  readonly priceUsd: number;
}

/** Hash price in the units miners quote. */
export interface Hashprice {
  readonly btcPerPhDay: number;
  readonly satsPerPhDay: number;
  readonly usdPerPhDay: number;
  readonly usdPerThDay: number;
}

const PH = 1e15;
const SECONDS_PER_DAY = 86_400;
const TWO_32 = 4_294_967_296;

/**
 * Expected (difficulty-based, not measured-hash-rate-based) revenue per PH/s per day, as the
 * Hashrate Index publishes it: blocks a PH/s finds per day × (subsidy + average fees) × price.
 * @throws RangeError on a non-positive difficulty or negative/non-finite amounts.
 */
export function hashprice(input: HashpriceInput): Hashprice {
  const { difficulty, subsidySats, avgFeesSats, priceUsd } = input;
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) {
    throw new RangeError(`hashprice: difficulty must be positive, got ${String(difficulty)}`);
  }
  for (const [name, v] of [
    ['subsidySats', subsidySats],
    ['avgFeesSats', avgFeesSats],
    ['priceUsd', priceUsd],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`hashprice: ${name} must be ≥ 0, got ${String(v)}`);
  }
  const blocksPerPhDay = (PH * SECONDS_PER_DAY) / (difficulty * TWO_32);
  const satsPerPhDay = blocksPerPhDay * (subsidySats + avgFeesSats);
  const btcPerPhDay = satsPerPhDay / 1e8;
  const usdPerPhDay = btcPerPhDay * priceUsd;
  return { btcPerPhDay, satsPerPhDay, usdPerPhDay, usdPerThDay: usdPerPhDay / 1000 };
}
