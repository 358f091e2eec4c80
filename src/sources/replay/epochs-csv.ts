/**
 * Reader for the epochs CSV (`data/bitcoin-mainnet-epochs.csv`, derived from Electrum's
 * checkpoints): the real bits of every difficulty epoch, which `synth` reproduces exactly.
 */
import { bitsToTarget } from '../../domain/bits.ts';
import { EPOCH_BLOCKS } from '../../domain/retarget.ts';
import { ReplayFileError } from './errors.ts';
import { readTextFile } from './lines.ts';

export interface EpochRow {
  readonly epoch: number;
  readonly startHeight: number;
  readonly bits: number;
  readonly difficulty: number;
  /** % change vs the previous epoch as mempool computes it; null for epoch 0. */
  readonly changePct: number | null;
}

const REQUIRED = ['epoch', 'start_height', 'bits_dec', 'difficulty', 'change_vs_prev_pct'] as const;

/** Parses the CSV; rows must be consecutive epochs with consistent heights and valid bits. */
export function parseEpochsCsv(text: string, file: string): EpochRow[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const col: Record<string, number> = {};
  for (const name of REQUIRED) {
    const i = header.indexOf(name);
    if (i < 0) throw new ReplayFileError(file, 1, `header lacks column "${name}"`);
    col[name] = i;
  }
  const rows: EpochRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const f = raw.split(',');
    const get = (name: (typeof REQUIRED)[number]): string => f[col[name]!] ?? '';
    const epoch = Number(get('epoch'));
    const startHeight = Number(get('start_height'));
    const bits = Number(get('bits_dec'));
    const difficulty = Number(get('difficulty'));
    const changeRaw = get('change_vs_prev_pct');
    const changePct = changeRaw === '' ? null : Number(changeRaw);
    const where = (reason: string): ReplayFileError => new ReplayFileError(file, i + 1, reason);
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw where('epoch must be a non-negative integer');
    if (startHeight !== epoch * EPOCH_BLOCKS) throw where(`start_height must be epoch × ${EPOCH_BLOCKS}`);
    if (!Number.isSafeInteger(bits) || bits < 0 || bits > 0xffffffff)
      throw where('bits_dec must be an unsigned 32-bit integer');
    try {
      bitsToTarget(bits);
    } catch (e) {
      throw where(`bits_dec: ${(e as Error).message}`);
    }
    if (!(difficulty > 0)) throw where('difficulty must be a positive number');
    if (changePct !== null && !Number.isFinite(changePct)) throw where('change_vs_prev_pct must be a number or empty');
    const prev = rows[rows.length - 1];
    if (prev !== undefined && epoch !== prev.epoch + 1) throw where(`epoch ${epoch} does not follow ${prev.epoch}`);
    rows.push({ epoch, startHeight, bits, difficulty, changePct });
  }
  if (rows.length === 0) throw new ReplayFileError(file, 0, 'contains no epochs');
  return rows;
}

/** Reads and validates an epochs CSV file. */
export async function readEpochsCsv(path: string): Promise<EpochRow[]> {
  return parseEpochsCsv(await readTextFile(path), path);
}
