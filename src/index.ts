/**
 * hashbell's library surface (PRODUCT.md §1): the exact Bitcoin math and hashbell's estimators,
 * pure and clock-free, so scripts and other tools can reuse the numbers the bot alerts on.
 */
export { bitsToTarget, targetToBits, bitsToDifficulty, blockWork } from './domain/bits.ts';
export { nextBits, EPOCH_BLOCKS, TARGET_SPACING_SEC, TARGET_TIMESPAN_SEC, POW_LIMIT } from './domain/retarget.ts';
export type { NextBitsInput } from './domain/retarget.ts';
export { calcBitsDifference, difficultyAdjustment } from './domain/difficulty-adjustment.ts';
export type { DifficultyAdjustmentInput } from './domain/difficulty-adjustment.ts';
export { networkHashps } from './domain/network-hashps.ts';
export type { HeaderLike } from './domain/network-hashps.ts';
export { blockSubsidySats } from './domain/subsidy.ts';
export { hashprice } from './domain/hashprice.ts';
export type { Hashprice, HashpriceInput } from './domain/hashprice.ts';
export { hashrateInterval, hpsToEhs } from './domain/hashrate.ts';
export type { HashrateInterval } from './domain/hashrate.ts';
export { estimateRetarget, retargetChangePct } from './domain/retarget-estimator.ts';
export type { BlockTimeEstimate, RetargetEstimate, RetargetEstimateInput } from './domain/retarget-estimator.ts';
export { estimateBlockTime, blockTimeSums, blockTimeFromSums, DEFAULT_RATE_WINDOW } from './domain/block-time.ts';
export type { BlockTimeSums, RateWindowConfig, TimedBlock } from './domain/block-time.ts';
export {
  SnapshotBuilder,
  BlockOrderError,
  PRICE_STALE_AFTER_SEC,
  FEE_AVERAGE_BLOCKS,
} from './domain/snapshot-builder.ts';
export type { PushContext } from './domain/snapshot-builder.ts';
export { SCORECARD_PROGRESS } from './domain/snapshot-retarget.ts';
export { simulateChain } from './domain/simulate.ts';
export type { SimulateOptions } from './domain/simulate.ts';
export { seededRandom, gammaQuantile, betaQuantile, betaPrimeQuantile } from './domain/stats.ts';
export type * from './domain/snapshot-types.ts';
export type * from './domain/types.ts';
export { HASHRATE_WINDOWS, LOOKBACKS, PRICE_WINDOWS } from './domain/types.ts';
