/**
 * The chain the end-to-end suites replay: the committed synthetic epochs 471–472 fixture read by
 * the real replay reader and turned into snapshots by the real SnapshotBuilder, as the watcher
 * would (nowSec = block time). A constant BTC price per block gives hash price a value, so it
 * moves only with difficulty and fees: it steps down at the retarget (+1.72 % difficulty).
 * Built once per test file (≈ 0.2 s); the suites feed short slices of it to the engine.
 */
import { SnapshotBuilder } from '../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { Block, PricePoint } from '../../src/domain/types.ts';
import { readBlocksFile } from '../../src/sources/replay/blocks-file.ts';
import { readEpochsCsv } from '../../src/sources/replay/epochs-csv.ts';
import type { StoredBlock } from '../../src/store/chain-state.ts';

export const BLOCKS_FIXTURE = 'test/fixtures/synth-471-472.blocks.jsonl';
export const EPOCHS_FIXTURE = 'test/fixtures/bitcoin-mainnet-epochs.csv';
/** First block of epoch 472: its snapshot carries the retarget outcome. */
export const RETARGET_HEIGHT = 951_552;
/** USD per BTC at every block (a flat price keeps the hash-price steps the chain's own). */
export const REPLAY_BTC_USD = 100_000;

/** One replayed block as the watcher commits it: the stored block and its snapshot. */
export interface ReplayedBlock {
  readonly stored: StoredBlock;
  readonly snapshot: Snapshot;
}

export interface ReplayedChain {
  /** The replayed blocks with from ≤ height ≤ to, ascending; throws if the fixture lacks one. */
  slice(from: number, to: number): ReplayedBlock[];
  at(height: number): ReplayedBlock;
}

/** Reads the fixture and builds every snapshot up to `toHeight` with the real builder. */
export async function loadReplayedChain(toHeight = RETARGET_HEIGHT + 16): Promise<ReplayedChain> {
  const blocks: Block[] = await readBlocksFile(BLOCKS_FIXTURE);
  const builder = new SnapshotBuilder();
  const byHeight = new Map<number, ReplayedBlock>();
  for (const block of blocks) {
    if (block.height > toHeight) break;
    const price: PricePoint = { timeSec: block.timestamp, usd: REPLAY_BTC_USD };
    const stored: StoredBlock = { block, price, nowSec: block.timestamp };
    const snapshot = builder.push(block, { nowSec: block.timestamp, price, source: 'replay', correction: false });
    byHeight.set(block.height, { stored, snapshot });
  }
  const at = (height: number): ReplayedBlock => {
    const b = byHeight.get(height);
    if (!b) throw new Error(`block ${height} is not in ${BLOCKS_FIXTURE} (up to ${toHeight})`);
    return b;
  };
  return {
    at,
    slice: (from, to) => Array.from({ length: to - from + 1 }, (_, i) => at(from + i)),
  };
}

/** The actual difficulty change of `epoch` from the epochs CSV (independent of the builder), %. */
export async function csvChangePct(epoch: number): Promise<number> {
  const row = (await readEpochsCsv(EPOCHS_FIXTURE)).find((r) => r.epoch === epoch);
  if (!row || row.changePct === null) throw new Error(`epoch ${epoch} has no change in ${EPOCHS_FIXTURE}`);
  return row.changePct;
}

/** A hash-price level strictly between two blocks' values, to 2 decimals (what a user types). */
export function levelBetween(a: Snapshot, b: Snapshot): number {
  const x = a.hashprice.usdPerPhDay;
  const y = b.hashprice.usdPerPhDay;
  if (x === null || y === null) throw new Error('no hash price on the replayed blocks');
  const level = Math.round(((x + y) / 2) * 100) / 100;
  if (!(level > Math.min(x, y) && level < Math.max(x, y))) throw new Error(`no 2-decimal level between ${x} and ${y}`);
  return level;
}
