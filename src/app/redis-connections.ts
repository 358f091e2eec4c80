/**
 * Every Redis connection a hashbell process opens, with its options, in one place: the engine's
 * (queues, workers, store), the charts' and the readiness probe's. A change to how hashbell
 * connects (TLS, Sentinel, Cluster) is made here once.
 */
import type { RedisOptions } from 'ioredis';
import { duplicateConnection, openRedis, type RedisClient, type RedisTarget } from '../store/connection.ts';
import type { Logger } from '../observability/logger.ts';

/** Why a connection exists decides how it behaves while Redis is away. */
export const CONNECTION_OPTIONS = {
  /** Workers block on Redis; maxRetriesPerRequest null lets commands wait out a Redis restart. */
  engine: { maxRetriesPerRequest: null },
  /** Charts are decoration: fail fast rather than wait out a restart; connect on first use. */
  charts: { maxRetriesPerRequest: 2, lazyConnect: true },
  /** /readyz's PING: fails fast instead of queueing while Redis is away, and keeps retrying. */
  health: {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (n: number) => Math.min(n * 200, 2_000),
  },
} as const satisfies Record<string, RedisOptions>;

export type ConnectionPurpose = keyof typeof CONNECTION_OPTIONS;

/**
 * A new connection for `purpose` to REDIS_URL: one server, or a Redis Cluster when it lists
 * several seed nodes or REDIS_CLUSTER says so (src/store/connection.ts).
 */
export function connectRedis(at: RedisTarget | string, purpose: ConnectionPurpose): RedisClient {
  return openRedis(at, { ...CONNECTION_OPTIONS[purpose] });
}

/** A second connection to the server (and database) or cluster `main` talks to, for `purpose`. */
export function companionConnection(main: RedisClient, purpose: ConnectionPurpose): RedisClient {
  return duplicateConnection(main, { ...CONNECTION_OPTIONS[purpose] });
}

/**
 * Logs the connection's transitions, not every reconnect attempt (ioredis retries every few
 * hundred ms): one warning when it is lost, one line when it is back. Returns `redis`.
 */
export function logTransitions<R extends RedisClient>(redis: R, logger: Logger): R {
  let down = false;
  redis.on('error', (e) => {
    if (down) return;
    down = true;
    logger.warn({ error: e.message }, 'redis connection lost; retrying (/readyz reports it)');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis connection back');
  });
  return redis;
}
