/**
 * zod schemas for everything mempool.space sends us (REST bodies and websocket frames), and the
 * mapping to our Block / PricePoint. Units follow chain-data.md §1: timestamps in seconds, bits an
 * integer, fees in sats; the `da` object keeps mempool's mixed ms/s units untouched.
 */
import { z } from 'zod';
import type { Block, PricePoint } from '../../domain/types.ts';
import type { DifficultyAdjustment } from '../../domain/snapshot-types.ts';

const hash = z.string().regex(/^[0-9a-f]{64}$/);

/** A consensus-valid nBits as GetCompact writes it: sign bit clear, mantissa ≠ 0, exponent ≤ 32. */
export function isCompactBits(bits: number): boolean {
  return (
    Number.isInteger(bits) && bits > 0 && bits <= 0x207fffff && (bits & 0x00800000) === 0 && (bits & 0x007fffff) !== 0
  );
}
const nonNegInt = z.number().int().nonnegative();

/** BlockExtended, reduced to the fields we use; everything else passes through unchecked. */
export const MempoolBlockSchema = z.object({
  id: hash,
  height: nonNegInt,
  timestamp: nonNegInt,
  bits: z.number().int().refine(isCompactBits, 'not a valid compact target (nBits)'),
  previousblockhash: hash.nullish(),
  extras: z
    .object({
      totalFees: z.number().int().nonnegative().optional(),
      reward: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type MempoolBlock = z.infer<typeof MempoolBlockSchema>;

export const MempoolBlockPageSchema = z.array(MempoolBlockSchema).max(100);

export const DifficultyAdjustmentSchema = z.object({
  progressPercent: z.number(),
  difficultyChange: z.number(),
  estimatedRetargetDate: z.number(),
  remainingBlocks: z.number(),
  remainingTime: z.number(),
  previousRetarget: z.number(),
  previousTime: z.number(),
  nextRetargetHeight: z.number(),
  timeAvg: z.number(),
  adjustedTimeAvg: z.number(),
  timeOffset: z.number(),
  expectedBlocks: z.number(),
});

/** ApiPrice: `time` unix seconds, fiat per BTC; -1 means "unavailable". */
export const PriceSchema = z.object({ time: nonNegInt, USD: z.number() }).loose();

export const TipHeightSchema = z
  .string()
  .trim()
  .regex(/^\d{1,9}$/)
  .transform((s) => Number(s));

/** Our Block from mempool's: fees are known only when `extras.totalFees` is present. */
export function toBlock(b: MempoolBlock): Block {
  const fees = b.extras?.totalFees;
  return {
    id: b.id,
    height: b.height,
    timestamp: b.timestamp,
    bits: b.bits,
    ...(b.previousblockhash ? { previousHash: b.previousblockhash } : {}),
    feesSats: fees ?? 0,
    feesKnown: fees !== undefined,
  };
}

/** A usable price or null (mempool reports -1 or 0 when its feeds are down). */
export function toPricePoint(p: z.infer<typeof PriceSchema>): PricePoint | null {
  return p.USD > 0 && Number.isFinite(p.USD) ? { timeSec: p.time, usd: p.USD } : null;
}

export function toDifficultyAdjustment(d: z.infer<typeof DifficultyAdjustmentSchema>): DifficultyAdjustment {
  return { ...d };
}
