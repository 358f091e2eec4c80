/**
 * The one place a Redis connection is opened: a single server (`redis://host:port/db`) or a Redis
 * Cluster (REDIS_URL listing several seed nodes, comma-separated, or REDIS_CLUSTER=true with one).
 * Everything above takes a `RedisClient` and works on both, because every multi-key operation of
 * the engine stays inside one hash slot (see `keyPrefixFor` in keys.ts) and BullMQ gets a
 * hash-tagged prefix per queue (`queuePrefixFor`).
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A single-node or a cluster connection; both speak the same commands. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: REDIS_URL (one URL, or seed URLs separated by commas) and the cluster switch. */
export interface RedisTarget {
  readonly redisUrl: string;
  /** REDIS_CLUSTER; unset: a cluster when redisUrl lists more than one node. */
  readonly redisCluster?: boolean;
}

/** The URLs of a REDIS_URL value (one, or the seed nodes of a cluster). */
export function redisUrls(redisUrl: string): string[] {
  return redisUrl
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** True when `target` names a Redis Cluster. */
export function isClusterTarget(target: RedisTarget | string): boolean {
  const t = typeof target === 'string' ? { redisUrl: target } : target;
  return t.redisCluster ?? redisUrls(t.redisUrl).length > 1;
}

/** Host:port of every node named (never credentials): for logs and /readyz reasons. */
export function describeTarget(target: RedisTarget | string): string {
  const urls = redisUrls(typeof target === 'string' ? target : target.redisUrl);
  return urls.map((u) => new URL(u).host).join(',');
}

/** Credentials and TLS of a seed URL, which the cluster uses for every node it discovers. */
function nodeOptions(url: URL): RedisOptions {
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Opens a connection to `target` with `opts` (for a cluster they apply to every node connection:
 * `maxRetriesPerRequest: null` for BullMQ workers, `lazyConnect`, `enableOfflineQueue`…).
 * `cluster` adds cluster-only options (tests shorten the slot refresh).
 */
export function openRedis(
  target: RedisTarget | string,
  opts: RedisOptions = {},
  cluster: Omit<ClusterOptions, 'redisOptions'> = {},
): RedisClient {
  const t = typeof target === 'string' ? { redisUrl: target } : target;
  const urls = redisUrls(t.redisUrl);
  if (!isClusterTarget(t)) return new Redis(urls[0] ?? t.redisUrl, opts);
  const seeds = urls.map((u) => new URL(u));
  return new Cluster(
    seeds.map((u) => ({ host: u.hostname, port: Number(u.port || 6379) })),
    clusterOptions({ ...nodeOptions(seeds[0] as URL), ...opts }, cluster),
  );
}

/** Connection options split into the cluster's own and those of each node connection. */
function clusterOptions(opts: RedisOptions, cluster: Omit<ClusterOptions, 'redisOptions'>): ClusterOptions {
  const { lazyConnect, enableOfflineQueue, retryStrategy, host: _h, port: _p, ...nodeOpts } = opts;
  return {
    ...cluster,
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
    ...(retryStrategy ? { clusterRetryStrategy: (n: number) => retryStrategy(n) ?? null } : {}),
    redisOptions: nodeOpts,
  };
}

/**
 * A second connection to what `main` talks to (the same server and database, or the same
 * cluster with the same credentials), with `opts` for its purpose.
 */
export function duplicateConnection(main: RedisClient, opts: RedisOptions): RedisClient {
  if (!(main instanceof Cluster)) return main.duplicate(opts);
  return main.duplicate(undefined, clusterOptions({ ...main.options.redisOptions, ...opts }, {}));
}

/**
 * The connections a keyspace walk (SCAN, KEYS) must visit: every master of a cluster (each holds
 * only its slots' keys), or the one server.
 */
export function scanTargets(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}
