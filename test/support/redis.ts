/**
 * The Redis every test uses: the private server `global-redis.ts` started for this run (or the
 * one `REDIS_URL` named). Suites keep to their own DB number or key prefix on it.
 */
import { Redis, type RedisOptions } from 'ioredis';

const url = new URL(process.env.HASHBELL_TEST_REDIS_URL ?? 'redis://missing-global-setup:1');

/** Host and port of the test Redis. */
export const TEST_REDIS_HOST = url.hostname;
export const TEST_REDIS_PORT = Number(url.port || 6379);

/** `redis://host:port/db` of the test Redis. */
export function testRedisUrl(db = 0): string {
  return `redis://${TEST_REDIS_HOST}:${TEST_REDIS_PORT}/${db}`;
}

/** Connection options (for BullMQ `connection` or ioredis) for DB `db` of the test Redis. */
export function testRedisOptions(db = 0, extra: RedisOptions = {}): RedisOptions {
  return { host: TEST_REDIS_HOST, port: TEST_REDIS_PORT, db, ...extra };
}

/** A client on DB `db` of the test Redis. */
export function testRedis(db = 0, extra: RedisOptions = {}): Redis {
  return new Redis(testRedisOptions(db, extra));
}
