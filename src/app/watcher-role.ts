/**
 * The watcher role: mempool.space or Bitcoin Core (CHAIN_SOURCE) as the chain source, the other
 * one (when configured) as a cross-check → chain state → chart history → evaluate jobs. Takes
 * plain options (not Config) so createApp and the `watch` command start it alike. It serves no
 * HTTP of its own: its metrics go on the process registry and its readiness check on the process
 * Health, both served by the one /readyz and /metrics server of the process (http.ts).
 */
import type { RedisClient } from '../store/connection.ts';
import { keyPrefixFor } from '../store/keys.ts';
import { Registry } from 'prom-client';
import type { Config } from '../../config/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { createWatcherMetrics, type WatcherMetrics } from '../observability/metrics.ts';
import { RedisChainState } from '../store/chain-state.ts';
import { MempoolSource } from '../sources/mempool-space/source.ts';
import { BitcoindSource } from '../sources/bitcoind/source.ts';
import { startCrossCheck, type CrossCheckHandle } from '../sources/cross-check.ts';
import { COLD_START_REORG_MARGIN, startWatcher, type WatcherHandle } from '../sources/watcher.ts';
import type { EvaluateQueue, SnapshotHistory } from '../sources/chain-sync.ts';
import type { ChainSource, PriceSource } from '../sources/ports.ts';
import type { SnapshotBuilderFactory } from '../sources/snapshot-port.ts';
import type { HoldLimits } from '../sources/block-gate.ts';
import { domainBuilderFactory } from '../sources/domain-builder.ts';
import type { Health } from './health.ts';
import { redisCheck, type HealthCheck } from './http.ts';

export interface WatcherRoleOptions {
  readonly mempoolUrl: string;
  readonly mempoolMaxRps: number;
  /** With it, Bitcoin Core cross-checks mempool.space (or is the source, see `primary`). */
  readonly bitcoinRpcUrl?: string | undefined;
  /** 'bitcoind' makes the node the chain source (node runners); needs bitcoinRpcUrl. */
  readonly primary?: 'mempool' | 'bitcoind';
  readonly redis: RedisClient;
  /** Chain-state key prefix (the engine reads snapshots under the same one). */
  readonly keyPrefix: string;
  /** Where evaluate jobs go; null = compute and print only (the `watch` command). */
  readonly evaluateQueue: EvaluateQueue | null;
  readonly builder: SnapshotBuilderFactory;
  readonly logger: Logger;
  /** The process registry the watcher's metrics go on (default: a private one). */
  readonly registry?: Registry;
  readonly coldStartBlocks?: number;
  readonly onSnapshot?: (s: Snapshot) => void;
  /** The charts' history (RedisChartHistory): every committed snapshot, before its evaluate job. */
  readonly history?: SnapshotHistory;
  /** How long held blocks wait (tests shorten them). */
  readonly holdLimits?: Partial<HoldLimits>;
}

export interface WatcherRoleHandle {
  readonly watcher: WatcherHandle;
  readonly state: RedisChainState;
  readonly metrics: WatcherMetrics;
  stop(deadlineMs: number): Promise<void>;
}

export async function startWatcherRole(o: WatcherRoleOptions): Promise<WatcherRoleHandle> {
  const metrics = createWatcherMetrics(o.registry ?? new Registry());
  const log = o.logger;
  const mempool = new MempoolSource({
    baseUrl: o.mempoolUrl,
    maxRps: o.mempoolMaxRps,
    logger: log.child({ source: 'mempool' }),
    metrics,
  });
  const node = o.bitcoinRpcUrl
    ? new BitcoindSource({ url: o.bitcoinRpcUrl, logger: log.child({ source: 'bitcoind' }), metrics })
    : null;
  if (o.primary === 'bitcoind' && !node) throw new Error('primary bitcoind needs BITCOIN_RPC_URL');
  const source: ChainSource = o.primary === 'bitcoind' && node ? node : mempool;
  const secondary = source === mempool ? node : mempool;
  const priceSource: PriceSource = mempool;
  const state = new RedisChainState(o.redis, {
    prefix: keyPrefixFor(o.keyPrefix, o.redis),
    keepBlocks: o.builder.requiredHistoryBlocks + COLD_START_REORG_MARGIN + 200,
  });
  const queue: EvaluateQueue = o.evaluateQueue ?? { add: async () => undefined };
  const watcher = await startWatcher({
    source,
    priceSource,
    state,
    queue,
    builder: o.builder,
    logger: log,
    metrics,
    ...(o.coldStartBlocks !== undefined ? { coldStartBlocks: o.coldStartBlocks } : {}),
    ...(o.onSnapshot ? { onSnapshot: o.onSnapshot } : {}),
    ...(o.history ? { history: o.history } : {}),
    // Cross-check mode: the node is the authority on which block is at a height (block-gate.ts).
    ...(node && source !== node ? { authority: node } : {}),
    ...(o.holdLimits ? { holdLimits: o.holdLimits } : {}),
  });
  // The price feed rides on the mempool websocket; a bitcoind primary still wants prices.
  if (source !== mempool)
    await mempool.start((e) => {
      if (e.type === 'price') watcher.pushPrice(e.price);
    });
  const cross: CrossCheckHandle | null = secondary
    ? startCrossCheck({ primary: source, secondary, logger: log.child({ component: 'cross-check' }), metrics })
    : null;
  log.info({ source: source.name, crossCheck: secondary?.name ?? null }, 'watcher started');
  return {
    watcher,
    state,
    metrics,
    async stop(deadlineMs: number) {
      cross?.stop();
      if (source !== mempool) await mempool.stop();
      await watcher.stop(deadlineMs);
    },
  };
}

/**
 * The watcher's readiness check: synced and its live feed connected. It says plainly when the
 * chain source, not Redis, is what cannot be reached, and says so in the log too (every 15 s at
 * most once): a first run offline must be told what is wrong, not only on /readyz. Returns the
 * check and a stop for its timer.
 */
export function watcherReadiness(
  role: WatcherRoleHandle,
  o: { redis: RedisClient; sourceDescription: string; logger: Logger },
): { check: HealthCheck; stop(): void } {
  const redisUp = redisCheck(o.redis);
  let hinted = false;
  const check = async (): Promise<string | null> => {
    const why = role.watcher.notLiveReason();
    if (why === null || why === 'initial sync in progress') return why;
    if ((await redisUp()) !== null) return why;
    const line = `chain source ${o.sourceDescription} unreachable (${why})`;
    if (!hinted && why.startsWith('sync failing')) {
      hinted = true;
      o.logger.warn(`${line}; hashbell keeps retrying. No network? \`npm run demo\` shows what hashbell does, offline`);
    }
    return line;
  };
  const nudge = setInterval(() => void check().catch(() => undefined), 15_000);
  nudge.unref();
  return { check, stop: () => clearInterval(nudge) };
}

/** The part of Config the watcher role reads. */
export type WatcherConfig = Pick<Config, 'mempoolUrl' | 'mempoolMaxRps' | 'bitcoinRpcUrl' | 'chainSource'>;

/**
 * The watcher role as createApp runs it: started from the configuration on the app's connection,
 * key prefix and evaluate queue, its metrics on the process registry and its readiness check
 * (`watcher`) on the process Health. The builder defaults to the domain's SnapshotBuilder.
 */
export async function appWatcher(
  config: WatcherConfig,
  d: {
    readonly redis: RedisClient;
    readonly keyPrefix: string;
    readonly evaluateQueue: EvaluateQueue;
    readonly logger: Logger;
    readonly registry: Registry;
    readonly health: Health;
    readonly history?: SnapshotHistory;
    readonly builder?: SnapshotBuilderFactory;
    readonly holdLimits?: Partial<HoldLimits>;
  },
): Promise<{ stop(deadlineMs: number): Promise<void> }> {
  const role = await startWatcherRole({
    mempoolUrl: config.mempoolUrl,
    mempoolMaxRps: config.mempoolMaxRps,
    bitcoinRpcUrl: config.bitcoinRpcUrl,
    primary: config.chainSource,
    redis: d.redis,
    keyPrefix: d.keyPrefix,
    evaluateQueue: d.evaluateQueue,
    builder: d.builder ?? domainBuilderFactory(),
    logger: d.logger,
    registry: d.registry,
    ...(d.history ? { history: d.history } : {}),
    ...(d.holdLimits ? { holdLimits: d.holdLimits } : {}),
  });
  const readiness = watcherReadiness(role, {
    redis: d.redis,
    sourceDescription:
      config.chainSource === 'bitcoind' ? 'the Bitcoin Core node (BITCOIN_RPC_URL)' : config.mempoolUrl,
    logger: d.logger,
  });
  d.health.set('watcher', readiness.check);
  return {
    stop: async (deadlineMs) => {
      readiness.stop();
      await role.stop(deadlineMs);
    },
  };
}
