/**
 * The mempool.space ChainSource and PriceSource: websocket for the live feed, REST for tip,
 * backfill and prices, and a staleness watchdog — if no block arrived for a while but the REST
 * tip moved, the socket is silently broken: resync and reconnect.
 */
import type { ChainEvent, ChainSource, PriceSource } from '../ports.ts';
import type { Block, PricePoint } from '../../domain/types.ts';
import type { DifficultyAdjustment } from '../../domain/snapshot-types.ts';
import type { WatcherMetrics } from '../../observability/metrics.ts';
import type { Logger } from '../../observability/logger.ts';
import type { BackoffOptions } from '../pacing.ts';
import { MempoolRest } from './rest.ts';
import { MempoolWsFeed, type WsFeedEvent } from './ws-feed.ts';

export interface MempoolSourceOptions {
  readonly baseUrl: string;
  readonly maxRps: number;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  readonly fetch?: typeof fetch;
  readonly pingAfterMs?: number;
  readonly pongTimeoutMs?: number;
  readonly wsBackoff?: BackoffOptions;
  readonly restBackoff?: BackoffOptions;
  readonly restMaxAttempts?: number;
  /** How often the watchdog compares the REST tip with the last block frame (default 60 s). */
  readonly watchdogIntervalMs?: number;
  /** No block frame for this long while the REST tip is ahead → stale (default 90 s). */
  readonly staleAfterMs?: number;
  /** How often to poll /api/v1/prices (default 10 min; the websocket's conversions come too). */
  readonly pricePollMs?: number;
  readonly now?: () => number;
}

export class MempoolSource implements ChainSource, PriceSource {
  readonly name = 'mempool' as const;
  readonly rest: MempoolRest;
  private readonly feed: MempoolWsFeed;
  private onEvent: ((e: ChainEvent) => void) | null = null;
  private lastBlockAt = 0;
  private lastBlockHeight = -1;
  private watchdog: NodeJS.Timeout | undefined;
  private priceTimer: NodeJS.Timeout | undefined;
  private lastPrice: PricePoint | null = null;
  private lastDa: DifficultyAdjustment | null = null;
  private readonly now: () => number;
  private readonly abort = new AbortController();

  constructor(private readonly opts: MempoolSourceOptions) {
    this.now = opts.now ?? Date.now;
    this.rest = new MempoolRest({
      baseUrl: opts.baseUrl,
      maxRps: opts.maxRps,
      logger: opts.logger,
      metrics: opts.metrics,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.restBackoff ? { backoff: opts.restBackoff } : {}),
      ...(opts.restMaxAttempts ? { maxAttempts: opts.restMaxAttempts } : {}),
    });
    this.feed = new MempoolWsFeed(
      {
        baseUrl: opts.baseUrl,
        logger: opts.logger,
        metrics: opts.metrics,
        ...(opts.pingAfterMs !== undefined ? { pingAfterMs: opts.pingAfterMs } : {}),
        ...(opts.pongTimeoutMs !== undefined ? { pongTimeoutMs: opts.pongTimeoutMs } : {}),
        ...(opts.wsBackoff ? { backoff: opts.wsBackoff } : {}),
      },
      (e) => this.handleFeed(e),
    );
  }

  tipHeight(signal?: AbortSignal): Promise<number> {
    return this.rest.tipHeight(signal);
  }

  blocks(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Block[]> {
    return this.rest.blocks(fromHeight, toHeight, signal);
  }

  async start(onEvent: (event: ChainEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    this.lastBlockAt = this.now();
    this.feed.start();
    this.watchdog = setInterval(() => void this.checkStale(), this.opts.watchdogIntervalMs ?? 60_000);
    this.watchdog.unref();
    const pollPrice = async (): Promise<void> => {
      const p = await this.rest.latestPrice(this.abort.signal).catch(() => null);
      if (p) this.setPrice(p);
    };
    void pollPrice();
    this.priceTimer = setInterval(() => void pollPrice(), this.opts.pricePollMs ?? 600_000);
    this.priceTimer.unref();
  }

  async stop(): Promise<void> {
    this.onEvent = null;
    this.abort.abort(new Error('source stopped'));
    clearInterval(this.watchdog);
    clearInterval(this.priceTimer);
    this.feed.stop();
  }

  isLive(): boolean {
    return this.feed.isLive(this.now());
  }

  /** The newest price seen (websocket conversions or REST), else a REST read; never throws. */
  async latest(signal?: AbortSignal): Promise<PricePoint | null> {
    if (this.lastPrice) return this.lastPrice;
    const p = await this.rest.latestPrice(signal).catch(() => null);
    if (p) this.lastPrice = p;
    return p;
  }

  /** mempool's own difficulty-adjustment object from the last `da` frame, if any. */
  latestDifficultyAdjustment(): DifficultyAdjustment | null {
    return this.lastDa;
  }

  private setPrice(p: PricePoint): void {
    if (this.lastPrice && this.lastPrice.timeSec >= p.timeSec) return;
    this.lastPrice = p;
    this.onEvent?.({ type: 'price', price: p });
  }

  private handleFeed(e: WsFeedEvent): void {
    switch (e.type) {
      case 'block':
        this.lastBlockAt = this.now();
        this.lastBlockHeight = Math.max(this.lastBlockHeight, e.block.height);
        this.onEvent?.({ type: 'block', block: e.block });
        break;
      case 'price':
        this.setPrice(e.price);
        break;
      case 'da':
        this.lastDa = e.da;
        break;
      case 'connected':
        if (e.reconnect) this.onEvent?.({ type: 'resync', reason: 'websocket reconnected' });
        break;
    }
  }

  private async checkStale(): Promise<void> {
    if (this.now() - this.lastBlockAt < (this.opts.staleAfterMs ?? 90_000)) return;
    let tip: number;
    try {
      tip = await this.rest.tipHeight(this.abort.signal);
    } catch {
      return; // REST down too: the websocket reconnect loop is all we can do
    }
    if (tip > this.lastBlockHeight && this.lastBlockHeight >= 0) {
      this.opts.logger.warn(
        { restTip: tip, lastFrameHeight: this.lastBlockHeight },
        'mempool websocket stale: REST tip moved without a block frame; resyncing',
      );
      this.lastBlockAt = this.now();
      this.onEvent?.({ type: 'resync', reason: 'stale websocket' });
      this.feed.forceReconnect('stale');
    }
  }
}
