/**
 * Pure pieces of the chain sources: the zod schemas and mapping on real captured mempool.space
 * data (blocks, `da`, `conversions` of 2024-03-31 and 2025-04-01), the unit traps (bits integer vs
 * RPC hex, -1 prices), token-bucket pacing, backoff bounds and Retry-After parsing.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DifficultyAdjustmentSchema,
  MempoolBlockSchema,
  PriceSchema,
  TipHeightSchema,
  toBlock,
  toPricePoint,
} from '../../src/sources/mempool-space/schemas.ts';
import { TokenBucket, backoffDelayMs, retryAfterMs } from '../../src/sources/pacing.ts';
import { wsUrl } from '../../src/sources/mempool-space/ws-feed.ts';

interface RealBlock {
  height: number;
  id: string;
  timestamp: number;
  bits: number;
  bits_hex: string;
  previousblockhash: string;
  reward_sats: number;
  totalFees_sats: number;
}
const real = JSON.parse(readFileSync(new URL('../fixtures/mempool-real-blocks.json', import.meta.url), 'utf8')) as {
  init_2024_03_31: { da: unknown; conversions: unknown; blocks: RealBlock[] };
  ws_2025_04_01: { blocks: RealBlock[] };
};
const realBlocks = [...real.init_2024_03_31.blocks, ...real.ws_2025_04_01.blocks];

/** A real block in mempool's BlockExtended shape (the fields the captures kept). */
function asMempool(b: RealBlock, withExtras = true): Record<string, unknown> {
  return {
    id: b.id,
    height: b.height,
    timestamp: b.timestamp,
    bits: b.bits,
    previousblockhash: b.previousblockhash,
    version: 0x20000000,
    nonce: 1,
    difficulty: 1,
    tx_count: 1,
    size: 1,
    weight: 1,
    mediantime: b.timestamp - 1,
    stale: false,
    ...(withExtras
      ? { extras: { reward: b.reward_sats, totalFees: b.totalFees_sats, medianFee: 3, pool: { slug: 'x' } } }
      : {}),
  };
}

describe('mempool.space schemas on real captured data', () => {
  it.each(realBlocks.map((b) => [b.height, b] as const))(
    'block %i maps with fees from extras.totalFees and integer bits',
    (_h, b) => {
      const block = toBlock(MempoolBlockSchema.parse(asMempool(b)));
      expect(block).toEqual({
        id: b.id,
        height: b.height,
        timestamp: b.timestamp,
        bits: parseInt(b.bits_hex, 16),
        previousHash: b.previousblockhash,
        feesSats: b.totalFees_sats,
        feesKnown: true,
      });
    },
  );

  it('a block without extras has unknown fees (0, feesKnown false)', () => {
    const block = toBlock(MempoolBlockSchema.parse(asMempool(realBlocks[0]!, false)));
    expect([block.feesSats, block.feesKnown]).toEqual([0, false]);
  });

  it.each([
    ['bits as the RPC hex string', { bits: '1702796c' }],
    ['timestamp in ms as a string', { timestamp: '1743535677000' }],
    ['fractional height', { height: 1.5 }],
    ['short hash', { id: 'abc' }],
    ['upper-case hash', { id: realBlocks[0]!.id.toUpperCase() }],
    ['negative fees', { extras: { totalFees: -1 } }],
    ['bits with the sign bit set', { bits: 0x1780796c }],
    ['bits with a zero mantissa', { bits: 0x17000000 }],
    ['bits above the pow limit encoding', { bits: 0x217fffff }],
  ])('rejects %s', (_what, patch) => {
    expect(MempoolBlockSchema.safeParse({ ...asMempool(realBlocks[0]!), ...patch }).success).toBe(false);
  });

  it('real `da` and `conversions` validate; -1 price means none', () => {
    expect(DifficultyAdjustmentSchema.parse(real.init_2024_03_31.da).nextRetargetHeight).toBe(838656);
    expect(toPricePoint(PriceSchema.parse(real.init_2024_03_31.conversions))).toEqual({
      timeSec: 1711854906,
      usd: 69880,
    });
    expect(toPricePoint(PriceSchema.parse({ time: 1711854906, USD: -1 }))).toBeNull();
  });

  it('tip height is plain text', () => {
    expect(TipHeightSchema.parse('698767\n')).toBe(698767);
    expect(TipHeightSchema.safeParse('{"height":1}').success).toBe(false);
  });

  it('websocket URL follows the REST base, including self-hosted paths and TLS', () => {
    expect(wsUrl('https://mempool.space')).toBe('wss://mempool.space/api/v1/ws');
    expect(wsUrl('http://umbrel.local:3006/')).toBe('ws://umbrel.local:3006/api/v1/ws');
  });
});

describe('pacing', () => {
  it('token bucket spaces requests at the rate (simulated clock)', async () => {
    let now = 0;
    const bucket = new TokenBucket(4, () => now);
    const times: number[] = [];
    const origSetTimeout = globalThis.setTimeout;
    // advance the fake clock instead of sleeping
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      now += ms;
      return origSetTimeout(fn, 0);
    }) as typeof setTimeout;
    try {
      for (let i = 0; i < 9; i++) {
        await bucket.take();
        times.push(now);
      }
      bucket.pauseFor(2_000);
      await bucket.take();
      times.push(now);
    } finally {
      globalThis.setTimeout = origSetTimeout;
    }
    expect(times.slice(0, 9)).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000]);
    expect(times[9]).toBeGreaterThanOrEqual(4_000);
  });

  it('backoff grows, is capped, and jitters within [half, full]', () => {
    const opts = { baseMs: 100, capMs: 1_000 };
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, { ...opts, random: () => 0.999999 }))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, { ...opts, random: () => 0 }))).toEqual([
      50, 100, 200, 400, 500,
    ]);
  });

  it('Retry-After: seconds or HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', Date.parse('Thu, 01 Jan 2026 00:00:00 GMT'))).toBe(10_000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
  });
});
