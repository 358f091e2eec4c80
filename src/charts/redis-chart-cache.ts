/**
 * ChartCache on Redis, so several notifier processes (ROLES spread over machines) render each
 * picture once between them. PNGs are stored as raw bytes with a TTL: a block's pictures matter
 * for minutes, and the cache must never grow without bound on a `noeviction` Redis.
 */
import type { Cluster, Redis } from 'ioredis';
import type { ChartCache } from './chart-service.ts';

export interface RedisChartCacheOptions {
  /** Key prefix (default `hb:chart:`; tests use `hb-test-chart-…:`). */
  readonly prefix?: string;
  /** Seconds a picture is kept (default 1 hour). */
  readonly ttlSec?: number;
}

export class RedisChartCache implements ChartCache {
  private readonly prefix: string;
  private readonly ttlSec: number;

  constructor(
    private readonly redis: Redis | Cluster,
    opts: RedisChartCacheOptions = {},
  ) {
    this.prefix = opts.prefix ?? 'hb:chart:';
    this.ttlSec = opts.ttlSec ?? 3600;
  }

  async get(key: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.prefix + key);
  }

  async set(key: string, png: Buffer): Promise<void> {
    await this.redis.set(this.prefix + key, png, 'EX', this.ttlSec);
  }
}
