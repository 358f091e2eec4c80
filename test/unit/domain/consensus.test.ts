import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bitsToTarget, targetToBits } from '../../../src/domain/bits.ts';
import {
  ChainContextTracker,
  checkHeader,
  MAX_FUTURE_BLOCK_TIME_SEC,
  medianTimePastLowerBound,
  requiredBits,
  type ChainContext,
  type HeaderFields,
  type RejectReason,
} from '../../../src/domain/consensus.ts';
import { POW_LIMIT } from '../../../src/domain/retarget.ts';
import { readBlocksFile } from '../../../src/sources/replay/blocks-file.ts';
import { readEpochsCsv } from '../../../src/sources/replay/epochs-csv.ts';

interface RealBlock {
  id: string;
  height: number;
  timestamp: number;
  bits: number;
  previousblockhash: string;
  mediantime: number;
}
const real = JSON.parse(readFileSync('test/fixtures/mempool-real-blocks.json', 'utf8')) as Record<
  string,
  { blocks: RealBlock[] }
>;
const ws2025 = real['ws_2025_04_01']!.blocks;
const init2024 = real['init_2024_03_31']!.blocks;
const header = (b: RealBlock): HeaderFields => ({
  id: b.id,
  height: b.height,
  timestamp: b.timestamp,
  bits: b.bits,
  previousHash: b.previousblockhash,
});

/** A context of 11 held blocks ending at `tip` (times given oldest first). */
function ctxOf(
  tip: { height: number; id: string; bits: number },
  times: number[],
  epochStart: ChainContext['epochStart'] = null,
): ChainContext {
  return { tip: { ...tip, timestamp: times.at(-1)! }, recentTimes: times, epochStart };
}

// Parent: real block 890,448 (mempool.space capture) with eleven plausible times ending at its own.
const P = ws2025.at(-1)!;
const times11 = [
  1743535000,
  1743535100,
  1743535200,
  1743535677,
  1743535803,
  1743536834,
  1743537197,
  1743539347,
  1743539574,
  1743541107,
  P.timestamp,
];
const ctx = ctxOf({ height: P.height, id: P.id, bits: P.bits }, times11);
const MTP = 1743536834; // sorted index 5 of times11
const child = (over: Partial<HeaderFields>): HeaderFields => ({
  id: 'c'.repeat(64),
  height: P.height + 1,
  timestamp: P.timestamp + 600,
  bits: P.bits,
  previousHash: P.id,
  ...over,
});
const NOW = P.timestamp + 700;

describe('checkHeader: crafted blocks on top of real block 890,448', () => {
  const rows: Array<[string, HeaderFields, number | null, RejectReason | null]> = [
    // A normal successor is valid: the rules do not reject the chain they follow.
    ['plain successor', child({}), NOW, null],
    // A frame without previousblockhash is judged on everything else (the caller resolves the link).
    ['no previousHash', child({ previousHash: undefined as unknown as string }), NOW, null],
    // Issue 15 (a): 30 days before its parent is below the median time past.
    ['30 days before parent', child({ timestamp: P.timestamp - 30 * 86_400 }), NOW, 'time-too-old'],
    // Exactly the median is not "above" it (Core: time <= MTP is too old).
    ['timestamp = MTP', child({ timestamp: MTP }), NOW, 'time-too-old'],
    // One second above the median is valid even though it is before the parent (timestamps are not monotonic).
    ['MTP + 1, before parent', child({ timestamp: MTP + 1 }), NOW, null],
    // Issue 15 (b): target ×256 mid-epoch breaks "keep the parent's bits".
    ['target ×256 mid-epoch', child({ bits: targetToBits(bitsToTarget(P.bits) * 256n) }), NOW, 'bad-bits'],
    // Even a tiny change of bits mid-epoch is refused (the rule is equality, not a tolerance).
    ['bits mantissa −1 mid-epoch', child({ bits: P.bits - 1 }), NOW, 'bad-bits'],
    // Issue 15 (c): 30 days ahead of the local clock.
    ['+30 days vs clock', child({ timestamp: NOW + 30 * 86_400 }), NOW, 'time-too-new'],
    // Exactly 2 h ahead is allowed (Core: > now + MAX_FUTURE_BLOCK_TIME is too new).
    ['now + 2 h exactly', child({ timestamp: NOW + MAX_FUTURE_BLOCK_TIME_SEC }), NOW, null],
    ['now + 2 h + 1 s', child({ timestamp: NOW + MAX_FUTURE_BLOCK_TIME_SEC + 1 }), NOW, 'time-too-new'],
    // Without a clock (replaying history) the future limit is not applied.
    ['+30 days, no clock', child({ timestamp: NOW + 30 * 86_400 }), null, null],
    // Issue 15 (d): a parent that is not the stored tip.
    ['wrong parent', child({ previousHash: 'ab'.repeat(32) }), NOW, 'bad-link'],
    // Height must be parent + 1, both ways.
    ['height parent + 2', child({ height: P.height + 2 }), NOW, 'bad-height'],
    ['height = parent', child({ height: P.height }), NOW, 'bad-height'],
    // Encodings a node never accepts: zero, negative, overflow, easier than the pow limit.
    ['zero target', child({ bits: 0x17000000 }), NOW, 'bad-bits'],
    ['negative target', child({ bits: 0x04923456 }), NOW, 'bad-bits'],
    ['overflowing target', child({ bits: 0xff123456 }), NOW, 'bad-bits'],
    ['above pow limit', child({ bits: 0x1d01ffff }), NOW, 'bad-bits'],
    ['regtest bits', child({ bits: 0x207fffff }), NOW, 'bad-bits'],
    // Field kinds: never thrown, named.
    ['fractional timestamp', child({ timestamp: P.timestamp + 0.5 }), NOW, 'bad-header'],
    ['NaN height', child({ height: Number.NaN }), NOW, 'bad-header'],
    ['bits not an integer', child({ bits: 1.5 }), NOW, 'bad-bits'],
  ];
  it.each(rows)('%s', (_name, b, now, want) => {
    const r = checkHeader(b, ctx, now);
    if (want === null) expect(r).toEqual({ ok: true });
    else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(want);
        expect(r.message).toMatch(/block/);
      }
    }
  });

  it('with no stored tip only the intrinsic rules apply', () => {
    const empty: ChainContext = { tip: null, recentTimes: [], epochStart: null };
    expect(checkHeader(child({ previousHash: 'ab'.repeat(32), timestamp: 1 }), empty, NOW).ok).toBe(true);
    expect(checkHeader(child({ timestamp: NOW + 3 * 3600 }), empty, NOW)).toMatchObject({
      ok: false,
      reason: 'time-too-new',
    });
  });
});

describe('retarget boundary (GetNextWorkRequired, mainnet)', () => {
  const rows: Array<[string, number, number, number, number, number, number]> = [
    // [name, parent height, parent bits, epoch start time, parent time, required bits]
    // Real: 30,240 → 32,255 gives epoch 16's bits 0x1d00d86a (Core pow_tests get_next_work; CSV row 16).
    ['epoch 15 → 16', 32255, 0x1d00ffff, 1261130161, 1262152739, 0x1d00d86a, 0],
    // Real: the slow genesis epoch is capped at the pow limit, so block 2016 keeps 0x1d00ffff.
    ['epoch 0 → 1', 2015, 0x1d00ffff, 1231006505, 1233061996, 0x1d00ffff, 0],
  ];
  it.each(rows)('%s', (_name, height, bits, first, last, want) => {
    const c: ChainContext = {
      tip: { height, id: 'p'.repeat(64), bits, timestamp: last },
      recentTimes: [last],
      epochStart: { height: height - 2015, timestamp: first },
    };
    expect(requiredBits(c, height + 1)).toBe(want);
    // The block carrying the required bits passes; keeping the old bits across the boundary does not.
    const b = {
      id: 'b'.repeat(64),
      height: height + 1,
      timestamp: last + 600,
      bits: want,
      previousHash: 'p'.repeat(64),
    };
    expect(checkHeader(b, c, null)).toEqual({ ok: true });
    if (want !== bits) expect(checkHeader({ ...b, bits }, c, null)).toMatchObject({ ok: false, reason: 'bad-bits' });
  });

  it('a boundary whose epoch start is not held is not judged on bits (partial context)', () => {
    const c: ChainContext = {
      tip: { height: 32255, id: 'p'.repeat(64), bits: 0x1d00ffff, timestamp: 1262152739 },
      recentTimes: [1262152739],
      epochStart: null,
    };
    expect(requiredBits(c, 32256)).toBeNull();
    expect(
      checkHeader({ id: 'b'.repeat(64), height: 32256, timestamp: 1262153000, bits: 0x1c7fffff }, c, null).ok,
    ).toBe(true);
  });

  it("every epoch of the CSV: mid-epoch a block must keep its bits; the next epoch's bits are refused", async () => {
    const epochs = await readEpochsCsv('test/fixtures/bitcoin-mainnet-epochs.csv');
    let refused = 0;
    for (let i = 0; i < epochs.length; i++) {
      const e = epochs[i]!;
      const c: ChainContext = {
        tip: { height: e.startHeight + 1000, id: 'p'.repeat(64), bits: e.bits, timestamp: 1_300_000_000 },
        recentTimes: [1_300_000_000],
        epochStart: null,
      };
      const b = { id: 'b'.repeat(64), height: e.startHeight + 1001, timestamp: 1_300_000_600, bits: e.bits };
      expect(checkHeader(b, c, null)).toEqual({ ok: true });
      const next = epochs[i + 1];
      if (next && next.bits !== e.bits) {
        expect(checkHeader({ ...b, bits: next.bits }, c, null)).toMatchObject({ ok: false, reason: 'bad-bits' });
        refused++;
      }
    }
    expect(epochs.length).toBe(474);
    expect(refused).toBeGreaterThan(400);
  });
});

describe('median time past', () => {
  it("with 11 held it is Core's median (sorted index 5)", () => {
    expect(medianTimePastLowerBound(ctx)).toBe(MTP);
  });

  it('near genesis fewer ancestors exist: the median of those (index ⌊n/2⌋)', () => {
    const c: ChainContext = {
      tip: { height: 2, id: 'x', bits: 0x1d00ffff, timestamp: 30 },
      recentTimes: [10, 20, 30],
      epochStart: null,
    };
    expect(medianTimePastLowerBound(c)).toBe(20);
  });

  it('with some of the 11 missing it is a lower bound that never exceeds the real median (real blocks)', () => {
    // Real 2024 and 2025 captures carry mempool's `mediantime` (Core's MTP of the block itself).
    for (const run of [init2024, ws2025]) {
      const tr = new ChainContextTracker();
      for (const b of run) {
        tr.accept(header(b));
        const bound = medianTimePastLowerBound(tr);
        if (bound !== null) expect(bound).toBeLessThanOrEqual(b.mediantime);
      }
      // Eight or nine of eleven held still gives a bound (index 5 − missing ≥ 0).
      expect(medianTimePastLowerBound(tr)).not.toBeNull();
    }
  });

  it('with too few held nothing is said (no false rejection)', () => {
    const c: ChainContext = {
      tip: { height: 890_000, id: 'x', bits: 0x1702796c, timestamp: 100 },
      recentTimes: [100, 200, 300, 400, 500],
      epochStart: null,
    };
    expect(medianTimePastLowerBound(c)).toBeNull();
  });
});

describe('ChainContextTracker over real and fixture chains', () => {
  it('the 17 real blocks are each valid on top of the one before (real links, bits, times)', () => {
    for (const run of [init2024, ws2025]) {
      const tr = new ChainContextTracker();
      for (const b of run) {
        expect(tr.check(header(b), b.timestamp + 60)).toEqual({ ok: true });
        tr.accept(header(b));
      }
    }
  });

  it('the committed 471–472 fixture validates with full context, including the real retarget at 951,552', async () => {
    const blocks = await readBlocksFile('test/fixtures/synth-471-472.blocks.jsonl');
    const tr = new ChainContextTracker();
    let boundaryChecked = false;
    for (const b of blocks) {
      if (b.height === 951_552) boundaryChecked = requiredBits(tr, b.height) === b.bits;
      expect(tr.check(b, null)).toEqual({ ok: true });
      tr.accept(b);
    }
    expect(boundaryChecked).toBe(true);
  });

  it('a gap or a step back starts the context over', () => {
    const tr = new ChainContextTracker();
    for (const b of ws2025) tr.accept(header(b));
    tr.accept({ id: 'z'.repeat(64), height: 900_000, timestamp: 1, bits: 0x1702796c });
    expect(tr.recentTimes).toEqual([1]);
    expect(tr.epochStart).toBeNull();
  });

  it('keeps O(1) state: never more than 11 timestamps', () => {
    const tr = new ChainContextTracker();
    for (let h = 0; h < 5000; h++) {
      // Jittered, non-monotonic times: the kept sorted window must always equal a fresh sort.
      tr.accept({
        id: String(h),
        height: h,
        timestamp: 1_231_006_505 + h * 600 + ((h * 7919) % 1800) - 900,
        bits: 0x1d00ffff,
      });
      expect(tr.sortedRecentTimes).toEqual([...tr.recentTimes].sort((a, b) => a - b));
    }
    expect(tr.recentTimes.length).toBe(11);
    expect(tr.epochStart).toEqual({
      height: 4032,
      timestamp: 1_231_006_505 + 4032 * 600 + ((4032 * 7919) % 1800) - 900,
    });
    expect(bitsToTarget(0x1d00ffff)).toBeLessThanOrEqual(POW_LIMIT);
  });
});
