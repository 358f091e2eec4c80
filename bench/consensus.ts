/**
 * Cost of the consensus gate per block (src/domain/consensus.ts): the header rules over the
 * committed 2025–26 blocks file (38,304 blocks, 19 retargets), best of 7, against reading and
 * validating the same file. Goal: O(1) and small beside the rest of a block's work.
 * Prints JSON lines {bench, metric, value, unit}.
 *
 *   npx tsx bench/consensus.ts
 */
import { readFileSync } from 'node:fs';
import { ChainContextTracker } from '../src/domain/consensus.ts';
import { parseBlocksText } from '../src/sources/replay/blocks-file.ts';

const root = new URL('../', import.meta.url).pathname;
const text = readFileSync(`${root}data/mainnet-2025-2026.blocks.jsonl`, 'utf8');
const blocks = parseBlocksText(text, 'mainnet-2025-2026.blocks.jsonl');
const print = (metric: string, value: number, unit: string): void =>
  console.log(JSON.stringify({ bench: 'consensus', metric, value: Number(value.toPrecision(4)), unit }));

function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const checkMs = best(7, () => {
  const chain = new ChainContextTracker();
  for (const b of blocks) {
    if (!chain.check(b, null).ok) throw new Error(`block ${b.height} invalid`);
    chain.accept(b);
  }
});
const readMs = best(7, () => parseBlocksText(text, 'f'));
console.log(JSON.stringify({ bench: 'consensus', metric: 'blocks', value: blocks.length, unit: 'blocks' }));
print('check_ns_per_block', (checkMs * 1e6) / blocks.length, 'ns/block');
print('read_validate_ns_per_block', (readMs * 1e6) / blocks.length, 'ns/block');
print('check_share_of_read', checkMs / readMs, 'x');
