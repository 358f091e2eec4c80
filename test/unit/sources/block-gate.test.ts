import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { silentLogger } from '../../../src/observability/logger.ts';
import { counterTotal, createWatcherMetrics } from '../../../src/observability/metrics.ts';
import { ChainContextTracker } from '../../../src/domain/consensus.ts';
import type { Block } from '../../../src/domain/types.ts';
import { admitBlocks, BlockGate, DEFAULT_HOLD_LIMITS, type BlockAuthority } from '../../../src/sources/block-gate.ts';
import { ChainMovedError } from '../../../src/sources/chain-sync-deps.ts';
import type { ChainSource } from '../../../src/sources/ports.ts';

const BITS = 0x1702796c;
const T0 = 1_743_541_850;
const id = (h: number, tag = ''): string => `${tag}${h.toString(16)}`.padStart(64, '0');
const block = (h: number, over: Partial<Block> = {}): Block => ({
  id: id(h),
  height: h,
  timestamp: T0 + (h - 890_000) * 600,
  bits: BITS,
  previousHash: id(h - 1),
  feesSats: 0,
  feesKnown: false,
  ...over,
});

function rig(authority?: BlockAuthority) {
  let nowMs = (T0 + 600) * 1000;
  const metrics = createWatcherMetrics(new Registry());
  const gate = new BlockGate({
    logger: silentLogger(),
    metrics,
    now: () => nowMs,
    authority,
    limits: { ...DEFAULT_HOLD_LIMITS, futureHoldMs: 60_000, nodeHoldMs: 10_000, recheckMs: 1_000 },
  });
  const chain = new ChainContextTracker();
  for (let h = 889_990; h <= 890_000; h++) chain.accept(block(h));
  return {
    gate,
    chain,
    metrics,
    advance: (ms: number) => {
      nowMs += ms;
    },
    now: () => nowMs,
  };
}

describe('BlockGate holds', () => {
  it('a header 30 s beyond the 2 h limit is held, then taken once the clock has caught up', () => {
    const r = rig();
    const b = block(890_001, { timestamp: Math.floor(r.now() / 1000) + 7200 + 30 });
    expect(r.gate.judge(b, r.chain)).toEqual({ kind: 'hold', reason: 'time-too-new' });
    expect(r.gate.nextRecheckMs()).toBe((b.timestamp - 7200) * 1000 + 1000);
    r.advance(31_000);
    expect(r.gate.due().map((x) => x.id)).toEqual([b.id]);
    expect(r.gate.judge(b, r.chain)).toEqual({ kind: 'accept' });
    expect(r.gate.nextRecheckMs()).toBeNull();
  });

  it('a header further ahead than the hold allows is rejected at once, logged and counted once', async () => {
    const r = rig();
    const b = block(890_001, { timestamp: Math.floor(r.now() / 1000) + 7200 + 3600 });
    expect(r.gate.judge(b, r.chain)).toEqual({ kind: 'reject', reason: 'time-too-new' });
    expect(r.gate.judge(b, r.chain)).toEqual({ kind: 'reject', reason: 'time-too-new' });
    expect(await counterTotal(r.metrics.blocksRejected, { reason: 'time-too-new' })).toBe(1);
  });

  it('a held future header whose clock never catches up is rejected at the hold deadline (no endless loop)', () => {
    const r = rig();
    const b = block(890_001, { timestamp: Math.floor(r.now() / 1000) + 7200 + 30 });
    expect(r.gate.judge(b, r.chain).kind).toBe('hold');
    r.advance(60_000); // the hold deadline, and the same hash now claims a time still ahead (clock skew)
    const still = { ...b, timestamp: b.timestamp + 60 };
    expect(r.gate.judge(still, r.chain)).toEqual({ kind: 'reject', reason: 'time-too-new' });
    expect(r.gate.nextRecheckMs()).toBeNull();
  });

  it('the node lacking a block: held, re-asked, taken when it agrees', async () => {
    let has = false;
    const r = rig({
      name: 'bitcoind',
      hashesAt: async (from, to) =>
        Array.from({ length: to - from + 1 }, (_, i) => (has || from + i < 890_001 ? id(from + i) : null)),
    });
    const b = block(890_001);
    expect(await r.gate.confirmWithNode([b])).toBe(0);
    expect(r.gate.nextRecheckMs()).toBe(r.now() + 1_000);
    r.advance(1_000);
    has = true;
    expect(await r.gate.confirmWithNode([b])).toBe(1);
    expect(r.gate.nextRecheckMs()).toBeNull();
    expect(await counterTotal(r.metrics.blocksRejected)).toBe(0);
  });

  it('the node never agreeing: rejected node-disagrees at the deadline, not before', async () => {
    const r = rig({
      name: 'bitcoind',
      hashesAt: async (from, to) => Array.from({ length: to - from + 1 }, (_, i) => id(from + i, 'f')),
    });
    const b = block(890_001);
    for (let t = 0; t < 10; t++) {
      expect(await r.gate.confirmWithNode([b])).toBe(0);
      expect(await counterTotal(r.metrics.blocksRejected)).toBe(0);
      r.advance(1_000);
    }
    expect(await r.gate.confirmWithNode([b])).toBe(0);
    expect(await counterTotal(r.metrics.blocksRejected, { reason: 'node-disagrees' })).toBe(1);
    expect(r.gate.nextRecheckMs()).toBeNull();
  });
});

describe('admitBlocks', () => {
  const source = (below: string | null): ChainSource => ({
    name: 'mempool',
    tipHeight: async () => 890_003,
    start: async () => undefined,
    stop: async () => undefined,
    isLive: () => true,
    blocks: async (from) => (below === null ? [] : [block(from, { id: below })]),
  });

  it('takes the valid prefix of a batch and stops at the first invalid block', async () => {
    const r = rig();
    const batch = [block(890_001), block(890_002, { bits: BITS + 1 }), block(890_003)];
    expect(await admitBlocks(batch, r.chain, r.gate, source(id(890_001)))).toBe(1);
    expect(r.chain.tip?.height).toBe(890_000); // the real context moves only on commit
  });

  it('a link mismatch is a race when the source changed the block below (ChainMovedError), else bad-link', async () => {
    const r = rig();
    const orphanChild = block(890_001, { previousHash: id(890_000, 'e') });
    await expect(admitBlocks([orphanChild], r.chain, r.gate, source(id(890_000, 'e')))).rejects.toBeInstanceOf(
      ChainMovedError,
    );
    expect(await admitBlocks([orphanChild], r.chain, r.gate, source(id(890_000)))).toBe(0);
    expect(await counterTotal(r.metrics.blocksRejected, { reason: 'bad-link' })).toBe(1);
  });
});
