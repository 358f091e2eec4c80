/**
 * mempool.space's difficulty arithmetic, reproduced operation for operation
 * (`backend/src/api/difficulty-adjustment.ts`), so hashbell's "what mempool says" figure and
 * every retarget % equal what users see on mempool.space and in the epochs CSV.
 */
import type { DifficultyAdjustment } from './snapshot-types.ts';
import type { Network } from './types.ts';

const EPOCH_BLOCK_LENGTH = 2016;
const BLOCK_SECONDS_TARGET = 600;
const TESTNET_MAX_BLOCK_SECONDS = 1200;

function verifyBits(bits: number): void {
  if (
    Math.floor(bits) !== bits ||
    bits > 0x207fffff ||
    bits < 1 ||
    (bits & 0x00800000) !== 0 ||
    (bits & 0x007fffff) === 0
  ) {
    throw new RangeError(`Invalid bits: ${String(bits)}`);
  }
}

/**
 * % difficulty change from `oldBits` to `newBits` using mempool's mantissa/exponent steps (its
 * rounding, not `(D_new/D_old − 1)·100` computed from doubles), clamped to −75…300.
 * @throws RangeError('Invalid bits') like mempool, or when exponents differ by more than one.
 */
export function calcBitsDifference(oldBits: number, newBits: number): number {
  verifyBits(oldBits);
  verifyBits(newBits);
  const oldExp = oldBits >> 24;
  const newExp = newBits >> 24;
  const oldNum = oldBits & 0x007fffff;
  const newNum = newBits & 0x007fffff;
  let result: number;
  switch (newExp - oldExp) {
    case -1:
      result = ((oldNum << 8) * 100) / newNum - 100;
      break;
    case 0:
      result = (oldNum * 100) / newNum - 100;
      break;
    case 1:
      result = (oldNum * 100) / (newNum << 8) - 100;
      break;
    default:
      throw new RangeError(`Impossible exponent difference: ${oldBits} -> ${newBits}`);
  }
  return result > 300 ? 300 : result < -75 ? -75 : result;
}

/** Inputs of mempool's estimate, as its backend fills them (chain-data.md §2.1). */
export interface DifficultyAdjustmentInput {
  /** Timestamp of the current epoch's first block (height % 2016 === 0), unix s. */
  readonly lastRetargetTimeSec: number;
  /** Timestamp of block tip − 503, unix s; null when the tip is below 503. */
  readonly quarterEpochBlockTimeSec: number | null;
  /** Wall clock, unix s. */
  readonly nowSec: number;
  readonly tipHeight: number;
  /** calcBitsDifference(previous epoch's bits, current bits). */
  readonly previousRetargetPct: number;
  readonly latestBlockTimestampSec: number;
  readonly network: Network;
}

/**
 * mempool.space's `/api/v1/difficulty-adjustment` object, quirks included: the 504-block sliding
 * window before block 503 of the epoch (/503 for the average, /504 for the change), the lock-in
 * at block 2015 (the tip's timestamp instead of now), ms vs s units, the testnet 20-minute cap.
 * Kept faithful so hashbell can show, and be scored against, exactly what mempool would say.
 */
export function difficultyAdjustment(input: DifficultyAdjustmentInput): DifficultyAdjustment {
  const DATime = input.lastRetargetTimeSec;
  const quarterEpochTime = input.quarterEpochBlockTimeSec;
  const nowSeconds = input.nowSec;
  const blockHeight = input.tipHeight;
  const previousRetarget = input.previousRetargetPct;
  const latestBlockTimestamp = input.latestBlockTimestampSec;

  const diffSeconds = Math.max(0, nowSeconds - DATime);
  const blocksInEpoch = blockHeight >= 0 ? blockHeight % EPOCH_BLOCK_LENGTH : 0;
  const progressPercent = blockHeight >= 0 ? (blocksInEpoch / EPOCH_BLOCK_LENGTH) * 100 : 100;
  const remainingBlocks = EPOCH_BLOCK_LENGTH - blocksInEpoch;
  const nextRetargetHeight = blockHeight >= 0 ? blockHeight + remainingBlocks : 0;
  const expectedBlocks = diffSeconds / BLOCK_SECONDS_TARGET;
  const actualTimespan = (blocksInEpoch === 2015 ? latestBlockTimestamp : nowSeconds) - DATime;

  let difficultyChange: number;
  let timeAvgSecs = blocksInEpoch ? diffSeconds / blocksInEpoch : BLOCK_SECONDS_TARGET;
  let adjustedTimeAvgSecs = timeAvgSecs;

  if (quarterEpochTime && blocksInEpoch < 503) {
    const timeLastEpoch = DATime - quarterEpochTime;
    const adjustedTimeLastEpoch = timeLastEpoch * (1 + previousRetarget / 100);
    const adjustedTimeSpan = diffSeconds + adjustedTimeLastEpoch;
    adjustedTimeAvgSecs = adjustedTimeSpan / 503;
    difficultyChange = (BLOCK_SECONDS_TARGET / (adjustedTimeSpan / 504) - 1) * 100;
  } else {
    difficultyChange = (BLOCK_SECONDS_TARGET / (actualTimespan / (blocksInEpoch + 1)) - 1) * 100;
  }
  if (difficultyChange > 300) difficultyChange = 300;
  if (difficultyChange < -75) difficultyChange = -75;

  let timeOffset = 0;
  if (input.network === 'testnet') {
    if (timeAvgSecs > TESTNET_MAX_BLOCK_SECONDS) timeAvgSecs = TESTNET_MAX_BLOCK_SECONDS;
    const secondsSinceLastBlock = nowSeconds - latestBlockTimestamp;
    if (secondsSinceLastBlock + timeAvgSecs > TESTNET_MAX_BLOCK_SECONDS) {
      timeOffset = -Math.min(secondsSinceLastBlock, TESTNET_MAX_BLOCK_SECONDS) * 1000;
    }
  }

  const timeAvg = Math.floor(timeAvgSecs * 1000);
  const adjustedTimeAvg = Math.floor(adjustedTimeAvgSecs * 1000);
  const remainingTime = remainingBlocks * adjustedTimeAvg;
  const estimatedRetargetDate = remainingTime + nowSeconds * 1000;

  return {
    progressPercent,
    difficultyChange,
    estimatedRetargetDate,
    remainingBlocks,
    remainingTime,
    previousRetarget,
    previousTime: DATime,
    nextRetargetHeight,
    timeAvg,
    adjustedTimeAvg,
    timeOffset,
    expectedBlocks,
  };
}
