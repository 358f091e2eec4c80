/**
 * Two ChartService instances (two notifier processes) sharing one Redis render a block's chart
 * once between them; the bytes come back identical. Redis DB 11, keys `hb-test-chart-*`.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChartService } from '../../../src/charts/chart-service.ts';
import { ChartPointRing } from '../../../src/charts/history.ts';
import { RedisChartCache } from '../../../src/charts/redis-chart-cache.ts';
import type { PngRenderer } from '../../../src/charts/render-png.ts';
import type { ChartPoint } from '../../../src/charts/types.ts';
import { syntheticPoints } from './synthetic.ts';
import { testRedis } from '../../support/redis.ts';

const prefix = `hb-test-chart-${process.pid}:`;
let redis: Redis;

beforeAll(() => {
  redis = testRedis(11, { lazyConnect: false, maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('RedisChartCache', () => {
  it("a second process gets the first one's PNG without rendering; keys expire", async () => {
    const points = syntheticPoints({ blocks: 800, seed: 9 });
    const tip = points.at(-1) as ChartPoint;
    const ring = new ChartPointRing();
    for (const p of points) ring.push(p);
    let renderings = 0;
    const render: PngRenderer = async (svg) => {
      renderings++;
      return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]), Buffer.from(svg.slice(0, 64))]);
    };
    const cache = new RedisChartCache(redis, { prefix, ttlSec: 60 });
    const a = new ChartService({ history: ring, renderPng: render, sharedCache: cache });
    const b = new ChartService({ history: ring, renderPng: render, sharedCache: cache });
    const req = { height: tip.height, hash: tip.hash, timeZone: 'Europe/Paris' };
    const first = await a.render('hashrate', req);
    const second = await b.render('hashrate', req);
    expect(renderings).toBe(1);
    expect(second?.equals(first as Buffer)).toBe(true); // binary-safe (0xff, 0x00 survive)
    expect(b.stats().sharedHits).toBe(1);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.ttl(keys[0] as string);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('a broken shared cache only costs a rendering, never the chart', async () => {
    const points = syntheticPoints({ blocks: 400, seed: 2 });
    const tip = points.at(-1) as ChartPoint;
    const ring = new ChartPointRing();
    for (const p of points) ring.push(p);
    const dead = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    const warnings: string[] = [];
    const svc = new ChartService({
      history: ring,
      renderPng: async () => Buffer.from('png'),
      sharedCache: new RedisChartCache(dead, { prefix }),
      logger: { warn: (_o, msg) => warnings.push(msg) },
    });
    expect((await svc.render('hashrate', { height: tip.height, hash: tip.hash, timeZone: 'UTC' }))?.toString()).toBe(
      'png',
    );
    expect(warnings).toEqual(['chart cache read failed', 'chart cache write failed']);
    dead.disconnect();
  });
});
