/**
 * RedisChartHistory: the compact encoding loses nothing a chart reads, NaN comes back as a gap,
 * reorgs replace the tip, old blocks are trimmed. Redis DB 11, key `hb-test-chart-*`.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toChartPoint } from '../../../src/charts/history.ts';
import { RedisChartHistory, decodePoint, encodePoint } from '../../../src/charts/redis-chart-history.ts';
import type { ChartPoint } from '../../../src/charts/types.ts';
import { syntheticPoints } from './synthetic.ts';
import { testRedis } from '../../support/redis.ts';

const key = `hb-test-chart-${process.pid}:history`;
let redis: Redis;
const points = syntheticPoints({ blocks: 700, seed: 21 });

beforeAll(() => {
  redis = testRedis(11, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  await redis.del(key);
  await redis.quit();
});

describe('chart point encoding', () => {
  it('round-trips every field a chart reads', () => {
    for (const p of [points[0], points[300], points.at(-1)] as ChartPoint[]) {
      expect(decodePoint(encodePoint(p))).toEqual(toChartPoint(p));
    }
  });

  it('NaN/Infinity become gaps; garbage lines are skipped, not thrown', () => {
    const p = points[500] as ChartPoint;
    const bad = {
      ...p,
      difficulty: Infinity,
      hashprice: { usdPerPhDay: NaN },
      retarget: { ...p.retarget, changePct: NaN },
    };
    const back = decodePoint(encodePoint(bad));
    expect(back?.difficulty).toBeNaN();
    expect(back?.retarget.changePct).toBeNaN();
    expect(back?.hashprice.usdPerPhDay).toBeNull();
    expect(decodePoint('not json')).toBeNull();
    expect(decodePoint('[1,2,3]')).toBeNull();
  });
});

describe('RedisChartHistory', () => {
  it('append, reorg, trim, read by exact block', async () => {
    const h = new RedisChartHistory(redis, { key, keepBlocks: 500 });
    await h.clear();
    for (const p of points) await h.append(p);
    expect(await redis.zcard(key)).toBe(501);
    const tip = points.at(-1) as ChartPoint;
    const got = await h.pointsUpTo(tip.height, tip.hash, 30);
    expect(got?.length).toBe(501);
    expect(got?.at(-1)).toEqual(toChartPoint(tip));
    // Reorg at tip−1: the old tip is gone, the new branch is readable.
    const fork = { ...(points.at(-2) as ChartPoint), hash: 'cd'.repeat(32) };
    await h.append(fork);
    expect(await h.pointsUpTo(tip.height, tip.hash, 30)).toBeNull();
    expect((await h.pointsUpTo(fork.height, fork.hash, 30))?.at(-1)?.hash).toBe(fork.hash);
    // Short windows read only what they need.
    const day = await h.pointsUpTo(fork.height, fork.hash, 1);
    expect(day?.length).toBeLessThan(250);
  });
});
