/** Loaders for the real-chain fixtures copied from ../shared/data (see test/fixtures). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface EpochRow {
  readonly epoch: number;
  readonly startHeight: number;
  readonly bitsHex: string;
  readonly bits: number;
  readonly targetHex: string;
  /** The CSV's difficulty text, parsed as a double. */
  readonly difficulty: number;
  readonly changePct: number | null;
}

export function loadEpochs(): EpochRow[] {
  const lines = readFileSync(`${dir}bitcoin-mainnet-epochs.csv`, 'utf8').trim().split('\n');
  return lines.slice(1).map((line) => {
    const c = line.split(',');
    return {
      epoch: Number(c[0]),
      startHeight: Number(c[1]),
      bitsHex: c[3]!,
      bits: Number(c[4]),
      targetHex: c[5]!,
      difficulty: Number.parseFloat(c[6]!),
      changePct: c[7] === '' ? null : Number.parseFloat(c[7]!),
    };
  });
}

export interface RealBlock {
  readonly height: number;
  readonly id: string;
  readonly timestamp: number;
  readonly bits: number;
  readonly bits_hex: string;
  readonly difficulty: number;
  readonly reward_sats: number;
  readonly totalFees_sats: number;
}

export interface RealData {
  readonly init_2024_03_31: {
    readonly da: Record<string, number>;
    readonly conversions: { time: number; USD: number };
    readonly blocks: RealBlock[];
  };
  readonly ws_2025_04_01: { readonly blocks: RealBlock[] };
}

export function loadRealBlocks(): RealData {
  return JSON.parse(readFileSync(`${dir}mempool-real-blocks.json`, 'utf8')) as RealData;
}
