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
export type { DifficultyAdjustment } from './domain/snapshot-types.ts';
