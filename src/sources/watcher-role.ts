/**
 * The watcher role as the app runs it: mempool.space or Bitcoin Core (CHAIN_SOURCE) as the chain
 * source, the other one (when configured) as a cross-check → chain state → chart history →
 * evaluate jobs, plus `/healthz` and `/metrics`. Takes plain options
 * (not Config) so it can start from createApp, the `watch` command or a test alike.
 */
import type { RedisClient } from '../store/connection.ts';
import { keyPrefixFor } from '../store/keys.ts';
import { Registry } from 'prom-client';
import type { Logger } from '../app/logger.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { createWatcherMetrics, registerQueueDepths, type CountableQueue, type WatcherMetrics } from '../app/metrics.ts';
import { redisCheck, startHttpServer, type HttpServerHandle } from '../app/http.ts';
import { RedisChainState } from '../store/chain-state.ts';
import { MempoolSource } from './mempool-space/source.ts';
import { BitcoindSource } from './bitcoind/source.ts';
import { startCrossCheck, type CrossCheckHandle } from './cross-check.ts';
import { COLD_START_REORG_MARGIN, startWatcher, type WatcherHandle } from './watcher.ts';
import type { EvaluateQueue, SnapshotHistory } from './chain-sync.ts';
import type { ChainSource, PriceSource } from './ports.ts';
import type { SnapshotBuilderFactory } from './snapshot-port.ts';
import { domainBuilderFactory } from './domain-builder.ts';
import type { HoldLimits } from './block-gate.ts';

export interface WatcherRoleOptions {
  readonly mempoolUrl: string;
  readonly mempoolMaxRps: number;
  /** With it, Bitcoin Core cross-checks mempool.space (or is the source, see `primary`). */
  readonly bitcoinRpcUrl?: string | undefined;
  /** 'bitcoind' makes the node the chain source (node runners); needs bitcoinRpcUrl. */
  readonly primary?: 'mempool' | 'bitcoind';
  readonly redis: RedisClient;
  /** Chain-state key prefix (the engine reads snapshots under the same one). */
  readonly keyPrefix?: string;
  /** Where evaluate jobs go; null = compute and print only (the `watch` command). */
  readonly evaluateQueue: (EvaluateQueue & CountableQueue) | null;
  /** Extra queues whose depth /metrics shows. */
  readonly otherQueues?: readonly CountableQueue[];
  readonly builder: SnapshotBuilderFactory;
  readonly logger: Logger;
  /** HTTP port for /healthz and /metrics; null = no server. */
  readonly httpPort: number | null;
  readonly httpHost?: string;
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
  readonly http: HttpServerHandle | null;
  stop(deadlineMs: number): Promise<void>;
}

export async function startWatcherRole(o: WatcherRoleOptions): Promise<WatcherRoleHandle> {
  const registry = o.registry ?? new Registry();
  const metrics = createWatcherMetrics(registry);
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
    prefix: keyPrefixFor(o.keyPrefix ?? 'hb:', o.redis),
    keepBlocks: o.builder.requiredHistoryBlocks + COLD_START_REORG_MARGIN + 200,
  });
  const queue: EvaluateQueue = o.evaluateQueue ?? { add: async () => undefined };
  registerQueueDepths(registry, [...(o.evaluateQueue ? [o.evaluateQueue] : []), ...(o.otherQueues ?? [])]);
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
  const http =
    o.httpPort === null
      ? null
      : await startHttpServer({
          port: o.httpPort,
          ...(o.httpHost ? { host: o.httpHost } : {}),
          registry,
          logger: log,
          checks: { source: () => watcher.notLiveReason(), redis: redisCheck(o.redis) },
        });
  log.info({ source: source.name, crossCheck: secondary?.name ?? null, http: http?.port ?? null }, 'watcher started');
  return {
    watcher,
    state,
    metrics,
    http,
    async stop(deadlineMs: number) {
      cross?.stop();
      if (source !== mempool) await mempool.stop();
      await watcher.stop(deadlineMs);
      await http?.close();
    },
  };
}

/** What the app gives the watcher role (createApp's App satisfies it). */
export interface AppForWatcher {
  readonly redis: RedisClient;
  readonly logger: Logger;
  readonly evaluateQueue: EvaluateQueue & CountableQueue;
  readonly deliverQueues: Readonly<Partial<Record<string, CountableQueue>>>;
}

export interface AppWatcherConfig {
  readonly mempoolUrl: string;
  readonly mempoolMaxRps: number;
  readonly bitcoinRpcUrl: string | undefined;
  /** CHAIN_SOURCE: which source drives the chain; the other (if configured) cross-checks. */
  readonly chainSource?: 'mempool' | 'bitcoind';
  readonly httpPort: number;
}

/**
 * The `startWatcher` override for createApp: `startWatcher: appWatcherRole(config)`. Loads the
 * domain's SnapshotBuilder (unless given) and serves /healthz and /metrics on HTTP_PORT.
 */
export function appWatcherRole(
  config: AppWatcherConfig,
  opts: {
    keyPrefix?: string;
    builder?: SnapshotBuilderFactory;
    registry?: Registry;
    history?: SnapshotHistory;
    holdLimits?: Partial<HoldLimits>;
  } = {},
): (app: AppForWatcher) => Promise<{ stop(deadlineMs: number): Promise<void> }> {
  return async (app) => {
    const builder = opts.builder ?? domainBuilderFactory();
    return startWatcherRole({
      mempoolUrl: config.mempoolUrl,
      mempoolMaxRps: config.mempoolMaxRps,
      bitcoinRpcUrl: config.bitcoinRpcUrl,
      ...(config.chainSource !== undefined ? { primary: config.chainSource } : {}),
      redis: app.redis,
      keyPrefix: opts.keyPrefix ?? 'hb:',
      evaluateQueue: app.evaluateQueue,
      otherQueues: Object.values(app.deliverQueues).filter((q): q is CountableQueue => q !== undefined),
      builder,
      logger: app.logger.child({ role: 'watcher' }),
      httpPort: config.httpPort,
      ...(opts.registry ? { registry: opts.registry } : {}),
      ...(opts.history ? { history: opts.history } : {}),
      ...(opts.holdLimits ? { holdLimits: opts.holdLimits } : {}),
    });
  };
}
