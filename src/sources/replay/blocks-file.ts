/**
 * Reader for blocks files (PRODUCT.md §2): JSON Lines in mempool.space's block shape, one block a
 * line, heights strictly ascending and contiguous, and every block valid by the header rules a
 * node enforces (src/domain/consensus.ts: bits by the retarget rule, timestamp above the median of
 * the previous 11; no clock rule, a file is history). The whole file is validated before anything
 * is returned, so a replay never acts on half a file.
 */
import { bitsToTarget } from '../../domain/bits.ts';
import { ChainContextTracker } from '../../domain/consensus.ts';
import type { Block } from '../../domain/types.ts';
import { ReplayFileError } from './errors.ts';
import { forEachJsonLine, isNonNegInt, isObject, readTextFile } from './lines.ts';

/** 64 lowercase hex characters (a block hash); a loop, as a regex costs ~5× more per line. */
function isHex64(v: string): boolean {
  if (v.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function validateBits(bits: unknown): string | null {
  if (!isNonNegInt(bits) || bits > 0xffffffff)
    return 'field "bits" must be an integer 0..4294967295 (the compact target, e.g. 386038124)';
  // A whole epoch (2016 lines) shares one bits value: decode each distinct value once.
  const known = BITS_PROBLEMS.get(bits);
  if (known !== undefined) return known;
  const problem = bitsProblem(bits);
  if (BITS_PROBLEMS.size < 4096) BITS_PROBLEMS.set(bits, problem);
  return problem;
}

/** bits → its problem (null: fine). Pure, so sharing it between files is safe. */
const BITS_PROBLEMS = new Map<number, string | null>();

function bitsProblem(bits: number): string | null {
  try {
    if (bitsToTarget(bits) === 0n) return `field "bits" ${bits} encodes a zero target`;
  } catch (e) {
    return `field "bits" ${bits}: ${(e as Error).message.replace(/^bitsToTarget: /, '')}`;
  }
  return null;
}

/** Validates one parsed line; returns the Block or a reason. */
export function blockFromJson(v: unknown, previousId?: string): Block | string {
  if (!isObject(v)) return 'expected a JSON object (one block per line)';
  const { id, height, timestamp, bits, extras, previousblockhash, difficulty } = v;
  if (id === undefined) return 'missing field "id"';
  if (typeof id !== 'string' || !isHex64(id)) return 'field "id" must be 64 lowercase hex characters';
  if (height === undefined) return 'missing field "height"';
  if (!isNonNegInt(height)) return 'field "height" must be a non-negative integer';
  if (timestamp === undefined) return 'missing field "timestamp"';
  if (!isNonNegInt(timestamp) || timestamp === 0) return 'field "timestamp" must be a positive integer (unix seconds)';
  if (timestamp > 1e11) return 'field "timestamp" looks like milliseconds; blocks files use unix seconds';
  if (bits === undefined) return 'missing field "bits"';
  const bitsProblem = validateBits(bits);
  if (bitsProblem !== null) return bitsProblem;
  if (difficulty !== undefined && (typeof difficulty !== 'number' || !(difficulty > 0)))
    return 'field "difficulty" must be a positive number when present';
  // The previous line's id (already checked) is what a well-formed file links to: no second regex.
  if (
    previousblockhash !== undefined &&
    previousblockhash !== null &&
    previousblockhash !== previousId &&
    (typeof previousblockhash !== 'string' || !isHex64(previousblockhash))
  ) {
    return 'field "previousblockhash" must be 64 lowercase hex characters when present';
  }
  let feesSats = 0;
  let feesKnown = false;
  if (extras !== undefined && extras !== null) {
    if (!isObject(extras)) return 'field "extras" must be an object {"reward", "totalFees"}';
    if (extras['totalFees'] === undefined) return 'missing field "extras.totalFees"';
    if (!isNonNegInt(extras['totalFees'])) return 'field "extras.totalFees" must be a non-negative integer (sats)';
    if (extras['reward'] !== undefined && !isNonNegInt(extras['reward']))
      return 'field "extras.reward" must be a non-negative integer (sats)';
    feesSats = extras['totalFees'];
    feesKnown = true;
  }
  const block: Block =
    typeof previousblockhash === 'string'
      ? { id, height, timestamp, bits: bits as number, previousHash: previousblockhash, feesSats, feesKnown }
      : { id, height, timestamp, bits: bits as number, feesSats, feesKnown };
  return block;
}

/** Parses a whole blocks file's text; throws ReplayFileError naming `file:line` on the first problem. */
export function parseBlocksText(text: string, file: string): Block[] {
  const blocks: Block[] = [];
  let prev: Block | undefined;
  const chain = new ChainContextTracker();
  forEachJsonLine(text, file, (value, line) => {
    const b = blockFromJson(value, prev?.id);
    if (typeof b === 'string') throw new ReplayFileError(file, line, b);
    if (prev !== undefined) {
      if (b.height <= prev.height)
        throw new ReplayFileError(
          file,
          line,
          `height ${b.height} after ${prev.height}: heights must be strictly ascending`,
        );
      if (b.height !== prev.height + 1)
        throw new ReplayFileError(
          file,
          line,
          `height ${b.height} after ${prev.height}: heights must be contiguous (missing ${prev.height + 1})`,
        );
      if (b.previousHash !== undefined && b.previousHash !== prev.id) {
        throw new ReplayFileError(
          file,
          line,
          `previousblockhash does not match the id of block ${prev.height} on the line before`,
        );
      }
    }
    const verdict = chain.check(b, null);
    if (!verdict.ok) throw new ReplayFileError(file, line, `invalid block (${verdict.reason}): ${verdict.message}`);
    chain.accept(b);
    blocks.push(b);
    prev = b;
  });
  if (blocks.length === 0) throw new ReplayFileError(file, 0, 'contains no blocks');
  return blocks;
}

/** Reads and fully validates a blocks file. */
export async function readBlocksFile(path: string): Promise<Block[]> {
  return parseBlocksText(await readTextFile(path), path);
}
