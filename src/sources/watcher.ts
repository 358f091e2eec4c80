/**
 * The watcher role: subscribes to a ChainSource, feeds every event through ChainSync one at a
 * time, keeps retrying (with a clear log line) while the source or Redis is unreachable, and
 * never crashes on a source fault. `startWatcher` returns at once; the first sync runs queued.
 */
import type { Block, PricePoint } from '../domain/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { ChainEvent, ChainSource, PriceSource } from './ports.ts';
import type { SnapshotBuilderFactory } from './snapshot-port.ts';
import type { RedisChainState } from '../store/chain-state.ts';
import type { WatcherMetrics } from '../observability/metrics.ts';
import { redactSecrets, type Logger } from '../observability/logger.ts';
import { ChainSync, type EvaluateQueue, type SnapshotHistory } from './chain-sync.ts';
import type { BlockAuthority, HoldLimits } from './block-gate.ts';
import { backoffDelayMs, sleep, type BackoffOptions } from './pacing.ts';

/**
 * Extra blocks a cold start loads below the builder's history, so a reorg soon after start still
 * rebuilds from a full window.
 */
export const COLD_START_REORG_MARGIN = 12;

export interface WatcherDeps {
  readonly source: ChainSource;
  /** Polled once at start when the state has no price yet (the source pushes price events). */
  readonly priceSource?: PriceSource;
  readonly state: RedisChainState;
  readonly queue: EvaluateQueue;
  readonly builder: SnapshotBuilderFactory;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  readonly now?: () => number;
  readonly maxReorgDepth?: number;
  readonly coldStartBlocks?: number;
  readonly maxCatchUpJobs?: number;
  /** Retry pacing while the source or Redis is down (default 1 s … 60 s). */
  readonly retryBackoff?: BackoffOptions;
  /** Every new snapshot (tip or correction), e.g. for `watch --json`. */
  readonly onSnapshot?: (s: Snapshot) => void;
  /** Every committed snapshot, before its evaluate job (the charts' history; see ChainSyncDeps). */
  readonly history?: SnapshotHistory;
  /** Bitcoin Core beside a mempool.space primary: blocks it does not have are held, then not taken. */
  readonly authority?: BlockAuthority;
  /** How long held blocks wait (future time, node agreement, unconfirmed frames). */
  readonly holdLimits?: Partial<HoldLimits>;
}

export interface WatcherHandle {
  /** Stops the source and waits (bounded) for the block in hand to be written. */
  stop(deadlineMs?: number): Promise<void>;
  /** Source live and the last sync succeeded (for /healthz). */
  isLive(): boolean;
  /** Why not live, for /healthz. */
  notLiveReason(): string | null;
  /** A price from elsewhere (e.g. mempool.space beside a Bitcoin Core primary). */
  pushPrice(p: PricePoint): void;
  /** Resolves when every event received so far has been handled (tests, benches). */
  idle(): Promise<void>;
  readonly sync: ChainSync;
}

export async function startWatcher(deps: WatcherDeps): Promise<WatcherHandle> {
  const log = deps.logger.child({ component: 'watcher', source: deps.source.name });
  const abort = new AbortController();
  const backoff = deps.retryBackoff ?? { baseMs: 1_000, capMs: 60_000 };
  const sync = new ChainSync({
    source: deps.source,
    state: deps.state,
    queue: deps.queue,
    builder: deps.builder,
    logger: log,
    metrics: deps.metrics,
    now: deps.now ?? Date.now,
    maxReorgDepth: deps.maxReorgDepth ?? 100,
    coldStartBlocks: deps.coldStartBlocks ?? deps.builder.requiredHistoryBlocks + COLD_START_REORG_MARGIN,
    maxCatchUpJobs: deps.maxCatchUpJobs ?? 1008,
    ...(deps.onSnapshot ? { onSnapshot: deps.onSnapshot } : {}),
    ...(deps.history ? { history: deps.history } : {}),
    ...(deps.authority ? { authority: deps.authority } : {}),
    ...(deps.holdLimits ? { holdLimits: deps.holdLimits } : {}),
    signal: abort.signal,
  });
  const now = deps.now ?? Date.now;
  let tail: Promise<void> = Promise.resolve();
  let failing: string | null = null;
  let resyncQueued = false;
  let stopped = false;
  let synced = false;

  const enqueue = (task: () => Promise<void>): void => {
    tail = tail
      .then(task)
      .catch((err: unknown) => log.error({ err }, 'watcher task failed (bug)'))
      .then(scheduleRecheck);
  };

  // Held blocks (a header a little in the future, a node not agreeing yet) are looked at again
  // when due, as one more serial task; the watcher never waits on them.
  let recheckTimer: NodeJS.Timeout | undefined;
  let recheckAt = Infinity;
  const scheduleRecheck = (): void => {
    const at = sync.nextRecheckMs();
    if (at === null || stopped || (recheckTimer && at >= recheckAt)) return;
    clearTimeout(recheckTimer);
    recheckAt = at;
    recheckTimer = setTimeout(
      () => {
        recheckTimer = undefined;
        recheckAt = Infinity;
        enqueue(() => untilDone('held blocks', () => sync.recheckHeld(at)));
      },
      Math.max(0, at - now()),
    );
    recheckTimer.unref();
  };

  /** Runs `work` until it succeeds or the watcher stops; logs the first failure and recovery. */
  const untilDone = async (what: string, work: () => Promise<void>): Promise<void> => {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await work();
        if (failing) log.info({ what }, 'watcher recovered');
        failing = null;
        return;
      } catch (err) {
        if (stopped) return;
        sync.invalidate();
        const msg = redactSecrets((err as Error).message ?? String(err));
        const delay = backoffDelayMs(attempt, backoff);
        if (failing !== msg || attempt % 10 === 0) {
          log.warn(
            { what, attempt, retryInMs: delay, error: msg },
            `${what} failed (source or Redis unreachable?); retrying`,
          );
        }
        failing = msg;
        await sleep(delay, abort.signal).catch(() => undefined);
      }
    }
  };

  const onEvent = (e: ChainEvent): void => {
    if (stopped) return;
    switch (e.type) {
      case 'block': {
        const b: Block = e.block;
        enqueue(() => untilDone(`block ${b.height}`, () => sync.onBlock(b)));
        break;
      }
      case 'resync':
        deps.metrics.resyncs.inc({ reason: e.reason });
        if (resyncQueued) break;
        resyncQueued = true;
        enqueue(() => {
          resyncQueued = false;
          return untilDone(`resync (${e.reason})`, () => sync.sync());
        });
        break;
      case 'price':
        onPrice(e.price);
        break;
    }
  };

  const onPrice = (p: PricePoint): void => {
    sync.setPrice(p);
    void deps.state.setPrice(p).catch((err: unknown) => log.debug({ err }, 'price not stored'));
  };

  enqueue(() =>
    untilDone('startup sync', async () => {
      await sync.load();
      if (deps.priceSource && !(await deps.state.getPrice())) {
        const p = await deps.priceSource.latest(abort.signal).catch(() => null);
        if (p) onPrice(p);
      }
      await sync.sync();
      synced = true;
    }),
  );
  await untilDone('source start', () => deps.source.start(onEvent));

  return {
    sync,
    pushPrice: onPrice,
    isLive: () => !stopped && synced && failing === null && deps.source.isLive(),
    notLiveReason: () => {
      if (stopped) return 'watcher stopped';
      if (failing) return `sync failing: ${failing}`;
      if (!synced) return 'initial sync in progress';
      return deps.source.isLive() ? null : `${deps.source.name} live feed not connected`;
    },
    idle: async () => {
      let seen: Promise<void>;
      do {
        seen = tail;
        await seen;
      } while (seen !== tail);
    },
    stop: async (deadlineMs = 10_000) => {
      stopped = true;
      clearTimeout(recheckTimer);
      abort.abort(new Error('watcher stopping'));
      await deps.source.stop().catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        tail,
        new Promise((r) => {
          timer = setTimeout(r, deadlineMs);
        }),
      ]);
      clearTimeout(timer);
      await sync.flushSent().catch(() => undefined);
    },
  };
}
