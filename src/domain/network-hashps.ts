/** Bitcoin Core's `getnetworkhashps`, for comparison with any node or mempool.space figure. */
import { blockWork, uint256ToDouble } from './bits.ts';

/** The block fields getnetworkhashps reads. */
export interface HeaderLike {
  readonly height: number;
  readonly timestamp: number;
  readonly bits: number;
}

/**
 * `getnetworkhashps(nblocks)` at the last block of `blocks`: exact chainwork of the last `nblocks`
 * blocks / (max − min timestamp over those nblocks + 1 blocks), in H/s. Min/max rather than
 * first/last because header times are not monotonic. `nblocks = -1` means "since the last
 * retarget" as in Core; the window is capped at the tip height; equal times give 0.
 * @throws RangeError when nblocks is 0 or < −1, or `blocks` lacks the history the window needs or
 *   is not contiguous.
 */
export function networkHashps(blocks: ReadonlyArray<HeaderLike>, nblocks = 120): number {
  if (!Number.isInteger(nblocks) || nblocks === 0 || nblocks < -1) {
    throw new RangeError(`networkHashps: invalid nblocks ${String(nblocks)}`);
  }
  const tip = blocks[blocks.length - 1];
  if (tip === undefined) throw new RangeError('networkHashps: no blocks');
  let lookup = nblocks === -1 ? (tip.height % 2016) + 1 : nblocks;
  if (lookup > tip.height) lookup = tip.height;
  if (lookup === 0) return 0;
  const first = blocks.length - 1 - lookup;
  if (first < 0) {
    throw new RangeError(`networkHashps: need ${lookup + 1} blocks ending at ${tip.height}, got ${blocks.length}`);
  }
  let minTime = Infinity;
  let maxTime = -Infinity;
  let work = 0n;
  for (let i = first; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.height !== tip.height - (blocks.length - 1 - i)) {
      throw new RangeError(`networkHashps: blocks not contiguous at height ${b.height}`);
    }
    if (b.timestamp < minTime) minTime = b.timestamp;
    if (b.timestamp > maxTime) maxTime = b.timestamp;
    if (i > first) work += blockWork(b.bits);
  }
  if (minTime === maxTime) return 0;
  return uint256ToDouble(work) / (maxTime - minTime);
}
