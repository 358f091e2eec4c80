/** Block subsidy schedule (Bitcoin Core `GetBlockSubsidy`, mainnet halving every 210,000 blocks). */

/** Blocks between halvings on mainnet. */
export const HALVING_INTERVAL = 210_000;

/**
 * New coins a block at `height` may create, in sats. Hash price needs the current subsidy, and
 * halvings are the largest step changes it ever sees.
 * @throws RangeError on a negative or non-integer height.
 */
export function blockSubsidySats(height: number): number {
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new RangeError(`blockSubsidySats: height must be a non-negative integer, got ${String(height)}`);
  }
  const halvings = Math.floor(height / HALVING_INTERVAL);
  if (halvings >= 64) return 0;
  return SUBSIDY_SATS[halvings]!;
}

/** Per halving: Core shifts an int64 right; floor division by 2^halvings is the same and exact in doubles. */
const SUBSIDY_SATS: readonly number[] = Array.from({ length: 64 }, (_, halvings) =>
  Math.floor(5_000_000_000 / 2 ** halvings),
);
