import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nextBits } from '../../../../src/domain/retarget.ts';
import { ChainContextTracker, requiredBits } from '../../../../src/domain/consensus.ts';
import {
  parseBlocksText,
  parseEpochsCsv,
  solveSpan,
  synthesizeChain,
  synthToJsonl,
  SynthError,
} from '../../../../src/sources/replay/index.ts';

const csvPath = new URL('../../../../data/bitcoin-mainnet-epochs.csv', import.meta.url);
const epochs = parseEpochsCsv(readFileSync(csvPath, 'utf8'), 'epochs.csv');

describe('solveSpan', () => {
  it('finds a span reproducing every real retarget since genesis', () => {
    for (let i = 0; i + 1 < epochs.length; i++) {
      const a = epochs[i]!;
      const b = epochs[i + 1]!;
      const span = solveSpan(a.bits, b.bits);
      expect(span, `epoch ${a.epoch}`).not.toBeNull();
      expect(nextBits({ bits: a.bits, firstBlockTime: 1000, lastBlockTime: 1000 + span! })).toBe(b.bits);
    }
  });

  it('returns null for a change beyond the 4× clamp', () => {
    expect(solveSpan(0x1701ddb4, 0x1601ddb4)).toBeNull();
  });
});

describe('synthesizeChain', () => {
  const from = 464;
  const to = 467;
  const a = synthesizeChain({ epochs, fromEpoch: from, toEpoch: to, seed: 7 });

  it('every synthetic epoch retargets to the next real bits (consensus nextBits)', () => {
    expect(a).toHaveLength((to - from + 1) * 2016);
    for (let e = from; e <= to; e++) {
      const blocks = a.filter((b) => Math.floor(b.height / 2016) === e);
      expect(blocks).toHaveLength(2016);
      const row = epochs.find((r) => r.epoch === e)!;
      const next = epochs.find((r) => r.epoch === e + 1)!;
      expect(blocks.every((b) => b.bits === row.bits)).toBe(true);
      expect(
        nextBits({ bits: row.bits, firstBlockTime: blocks[0]!.timestamp, lastBlockTime: blocks[2015]!.timestamp }),
      ).toBe(next.bits);
    }
  });

  it('times strictly increase, ids link, reward = subsidy + fees, and the output reads back', () => {
    for (let i = 1; i < a.length; i++) {
      expect(a[i]!.timestamp).toBeGreaterThan(a[i - 1]!.timestamp);
      expect(a[i]!.previousblockhash).toBe(a[i - 1]!.id);
    }
    expect(a.every((b) => b.extras.reward === 312_500_000 + b.extras.totalFees && b.extras.totalFees > 0)).toBe(true);
    const back = parseBlocksText(synthToJsonl(a), 'synth.jsonl');
    expect(back.map((b) => b.timestamp)).toEqual(a.map((b) => b.timestamp));
  });

  it('gaps look like a Poisson process: mean near the epoch span / 2015, exponential spread', () => {
    const gaps = a.slice(1, 2016).map((b, i) => b.timestamp - a[i]!.timestamp);
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
    expect(sd / mean).toBeGreaterThan(0.85); // exponential: coefficient of variation 1
    expect(sd / mean).toBeLessThan(1.15);
  });

  it('same seed → same bytes; another seed → other times, same retargets', () => {
    const again = synthesizeChain({ epochs, fromEpoch: from, toEpoch: to, seed: 7 });
    expect(synthToJsonl(again)).toBe(synthToJsonl(a));
    const other = synthesizeChain({ epochs, fromEpoch: from, toEpoch: to, seed: 8 });
    expect(other.map((b) => b.timestamp)).not.toEqual(a.map((b) => b.timestamp));
    for (let e = from; e <= to; e++) {
      const o = other.filter((b) => Math.floor(b.height / 2016) === e);
      expect(nextBits({ bits: o[0]!.bits, firstBlockTime: o[0]!.timestamp, lastBlockTime: o[2015]!.timestamp })).toBe(
        epochs.find((r) => r.epoch === e + 1)!.bits,
      );
    }
  });

  it("every chain synth writes, genesis to the last epoch, is valid by the node's header rules (MTP, bits by the retarget rule, links)", () => {
    const all = synthesizeChain({ epochs, fromEpoch: 0, toEpoch: epochs.at(-1)!.epoch, seed: 2025 });
    const chain = new ChainContextTracker();
    let boundaries = 0;
    for (const s of all) {
      const b = { id: s.id, height: s.height, timestamp: s.timestamp, bits: s.bits, previousHash: s.previousblockhash };
      if (b.height > 0 && b.height % 2016 === 0 && requiredBits(chain, b.height) === b.bits) boundaries++;
      const v = chain.check(b, null);
      if (!v.ok) throw new Error(`synth block ${b.height}: ${v.reason}: ${v.message}`);
      chain.accept(b);
    }
    expect(boundaries).toBe(epochs.length - 1); // every retarget judged with its epoch start held
  });

  it('rejects epochs outside the file or reversed', () => {
    expect(() => synthesizeChain({ epochs, fromEpoch: 470, toEpoch: 469, seed: 1 })).toThrow(SynthError);
    expect(() => synthesizeChain({ epochs, fromEpoch: 470, toEpoch: 9999, seed: 1 })).toThrow(/outside/);
  });
});

describe('parseEpochsCsv', () => {
  it('reads every epoch of the real CSV with consistent heights', () => {
    expect(epochs[0]).toMatchObject({ epoch: 0, startHeight: 0, bits: 0x1d00ffff, changePct: null });
    expect(epochs.at(-1)!.epoch).toBe(epochs.length - 1);
  });

  it('names the line of a bad row', () => {
    const text = readFileSync(csvPath, 'utf8').split('\n').slice(0, 4);
    text[3] = text[3]!.replace(',1d00ffff,486604799,', ',1d00ffff,99999999999,');
    expect(() => parseEpochsCsv(text.join('\n'), 'e.csv')).toThrow(/^e\.csv:4: bits_dec/);
  });
});

describe('committed fixtures', () => {
  it('test/fixtures/synth-471-472.blocks.jsonl is exactly synth 471..472 seed 7 (no drift)', () => {
    const text = readFileSync(new URL('../../../fixtures/synth-471-472.blocks.jsonl', import.meta.url), 'utf8');
    expect(text).toBe(synthToJsonl(synthesizeChain({ epochs, fromEpoch: 471, toEpoch: 472, seed: 7 })));
  });

  it('data/mainnet-2025-2026.blocks.jsonl is exactly what data/README.md says made it (synth 455..473 seed 2025)', () => {
    const text = readFileSync(new URL('../../../../data/mainnet-2025-2026.blocks.jsonl', import.meta.url), 'utf8');
    expect(text === synthToJsonl(synthesizeChain({ epochs, fromEpoch: 455, toEpoch: 473, seed: 2025 }))).toBe(true);
  });
});
