/**
 * `hashbell replay` and `hashbell snapshot`: every input file is read and validated completely
 * before the first line is printed, and output is written in one piece at the end.
 */
import type { PricePoint } from '../domain/types.ts';
import { readBlocksFile } from '../sources/replay/blocks-file.ts';
import { readPricesFile } from '../sources/replay/prices-file.ts';
import { eventLine, replayEvents, snapshotAt } from './replay-engine.ts';
import { readRulesFile } from './rules-file.ts';
import { intOption, parseOptions, required, UsageError, type CliIo } from './usage.ts';

const readPrices = async (file: string | undefined): Promise<PricePoint[]> =>
  file === undefined ? [] : readPricesFile(file);

export async function runReplayCommand(args: readonly string[], io: CliIo): Promise<number> {
  const o = parseOptions('replay', args, {
    blocks: { type: 'string' },
    prices: { type: 'string' },
    rules: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  });
  const blocksFile = required('replay', 'blocks', o.blocks);
  const rulesFile = required('replay', 'rules', o.rules);
  const fromHeight = intOption('replay', 'from', o.from);
  const toHeight = intOption('replay', 'to', o.to);
  if (fromHeight !== undefined && toHeight !== undefined && fromHeight > toHeight) {
    throw new UsageError(`replay: --from ${fromHeight} is after --to ${toHeight}`);
  }
  const rules = await readRulesFile(rulesFile);
  const [blocks, prices] = await Promise.all([readBlocksFile(blocksFile), readPrices(o.prices)]);
  const first = blocks[0]!.height;
  const last = blocks[blocks.length - 1]!.height;
  for (const [name, h] of [
    ['from', fromHeight],
    ['to', toHeight],
  ] as const) {
    if (h !== undefined && (h < first || h > last))
      throw new UsageError(`replay: --${name} ${h} is outside the file's heights ${first}..${last}`);
  }
  const lines: string[] = [];
  const input = {
    blocks,
    prices,
    rules,
    ...(fromHeight === undefined ? {} : { fromHeight }),
    ...(toHeight === undefined ? {} : { toHeight }),
  };
  replayEvents(input, (e) => lines.push(eventLine(e)));
  if (lines.length > 0) io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

export async function runSnapshotCommand(args: readonly string[], io: CliIo): Promise<number> {
  const o = parseOptions('snapshot', args, {
    blocks: { type: 'string' },
    prices: { type: 'string' },
    at: { type: 'string' },
  });
  const blocksFile = required('snapshot', 'blocks', o.blocks);
  const at = intOption('snapshot', 'at', o.at);
  const [blocks, prices] = await Promise.all([readBlocksFile(blocksFile), readPrices(o.prices)]);
  const first = blocks[0]!.height;
  const last = blocks[blocks.length - 1]!.height;
  const height = at ?? last;
  if (height < first || height > last)
    throw new UsageError(`snapshot: --at ${height} is outside the file's heights ${first}..${last}`);
  const snapshot = snapshotAt(blocks, prices, height);
  if (snapshot === null) throw new UsageError(`snapshot: no block at height ${height}`);
  io.stdout(`${JSON.stringify(snapshot, null, 2)}\n`);
  return 0;
}
