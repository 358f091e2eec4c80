/**
 * mempool.space REST client: paced by a token bucket (MEMPOOL_MAX_RPS), backing off on 429
 * (honouring Retry-After for every caller) and 503, validating every body with zod. Used for
 * backfill, reorg repair and the staleness watchdog; the websocket carries the live feed.
 */
import type { z } from 'zod';
import type { Block, PricePoint } from '../../domain/types.ts';
import type { DifficultyAdjustment } from '../../domain/snapshot-types.ts';
import type { WatcherMetrics } from '../../observability/metrics.ts';
import { redactSecrets, type Logger } from '../../observability/logger.ts';
import { TokenBucket, backoffDelayMs, retryAfterMs, sleep, type BackoffOptions } from '../pacing.ts';
import {
  DifficultyAdjustmentSchema,
  MempoolBlockPageSchema,
  PriceSchema,
  TipHeightSchema,
  toBlock,
  toDifficultyAdjustment,
  toPricePoint,
} from './schemas.ts';

/** A REST request that failed for good (after retries) or returned an invalid body. */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    message: string,
    readonly context: {
      readonly path: string;
      readonly status?: number;
      readonly kind: 'http' | 'network' | 'invalid';
    },
  ) {
    super(redactSecrets(message));
  }
}

export interface MempoolRestOptions {
  /** e.g. https://mempool.space (no trailing /api). */
  readonly baseUrl: string;
  readonly maxRps: number;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  readonly fetch?: typeof fetch;
  /** Attempts per request before giving up (default 6). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  readonly timeoutMs?: number;
}

export class MempoolRest {
  private readonly bucket: TokenBucket;
  private readonly fetchFn: typeof fetch;
  private readonly base: string;
  private readonly loggedKinds = new Set<string>();

  constructor(private readonly opts: MempoolRestOptions) {
    this.bucket = new TokenBucket(opts.maxRps);
    this.fetchFn = opts.fetch ?? fetch;
    this.base = opts.baseUrl.replace(/\/+$/, '');
  }

  async tipHeight(signal?: AbortSignal): Promise<number> {
    return this.get('/api/blocks/tip/height', 'text', TipHeightSchema, signal);
  }

  /** One page: up to 15 blocks descending from `startHeight` (or the tip). */
  async blocksPage(startHeight?: number, signal?: AbortSignal): Promise<Block[]> {
    const path = startHeight === undefined ? '/api/v1/blocks' : `/api/v1/blocks/${startHeight}`;
    const page = await this.get(path, 'json', MempoolBlockPageSchema, signal);
    return page.map(toBlock);
  }

  /** Blocks [from, to] ascending; pages walk down from `to`. Fails if the source has a hole. */
  async blocks(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Block[]> {
    const byHeight = new Map<number, Block>();
    let next = toHeight;
    while (next >= fromHeight) {
      const page = await this.blocksPage(next, signal);
      if (page.length === 0) break;
      for (const b of page) if (b.height >= fromHeight && b.height <= toHeight) byHeight.set(b.height, b);
      const lowest = Math.min(...page.map((b) => b.height));
      if (lowest > next) break; // server ignored the start height; avoid looping
      next = lowest - 1;
    }
    const out: Block[] = [];
    for (let h = fromHeight; h <= toHeight; h++) {
      const b = byHeight.get(h);
      if (!b)
        throw new SourceError(`mempool blocks page lacks height ${h}`, { path: '/api/v1/blocks', kind: 'invalid' });
      out.push(b);
    }
    return out;
  }

  async difficultyAdjustment(signal?: AbortSignal): Promise<DifficultyAdjustment> {
    return toDifficultyAdjustment(
      await this.get('/api/v1/difficulty-adjustment', 'json', DifficultyAdjustmentSchema, signal),
    );
  }

  /** Latest USD price; null when mempool has none (-1) or the request failed (never throws). */
  async latestPrice(signal?: AbortSignal): Promise<PricePoint | null> {
    try {
      return toPricePoint(await this.get('/api/v1/prices', 'json', PriceSchema, signal, 2));
    } catch (err) {
      if (signal?.aborted) throw err;
      return null;
    }
  }

  private async get<S extends z.ZodType>(
    path: string,
    as: 'text' | 'json',
    schema: S,
    signal?: AbortSignal,
    attempts = this.opts.maxAttempts ?? 6,
  ): Promise<z.output<S>> {
    const backoff = this.opts.backoff ?? { baseMs: 1000, capMs: 60_000 };
    let lastErr: SourceError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffDelayMs(attempt - 1, backoff), signal);
      await this.bucket.take(signal);
      let res: Response;
      try {
        const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
        res = await this.fetchFn(this.base + path, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (err) {
        if (signal?.aborted) throw err;
        this.count('network', path);
        lastErr = new SourceError(`GET ${path}: ${(err as Error).message}`, { path, kind: 'network' });
        continue;
      }
      this.opts.metrics.restRequests.inc({ source: 'mempool', status: String(res.status) });
      if (res.status === 429 || res.status === 503 || res.status >= 500) {
        const wait = retryAfterMs(res.headers.get('retry-after'));
        if (res.status === 429) this.bucket.pauseFor(wait ?? backoffDelayMs(attempt, backoff));
        else if (wait !== null) this.bucket.pauseFor(wait);
        await res.body?.cancel();
        this.count(String(res.status), path);
        lastErr = new SourceError(`GET ${path}: HTTP ${res.status}`, { path, status: res.status, kind: 'http' });
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new SourceError(`GET ${path}: HTTP ${res.status}`, { path, status: res.status, kind: 'http' });
      }
      const raw: unknown = as === 'text' ? await res.text() : await res.json().catch(() => undefined);
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        this.opts.metrics.framesRejected.inc({
          source: 'mempool',
          kind: `rest:${path.split('/').slice(0, 4).join('/')}`,
        });
        this.logOnce(`invalid:${path.split('/')[3] ?? path}`, { path }, 'mempool REST body failed validation; skipped');
        throw new SourceError(`GET ${path}: invalid body`, { path, kind: 'invalid' });
      }
      return parsed.data;
    }
    throw lastErr ?? new SourceError(`GET ${path}: failed`, { path, kind: 'network' });
  }

  private count(reason: string, path: string): void {
    this.opts.metrics.backoffs.inc({ source: 'mempool', reason });
    this.logOnce(`backoff:${reason}`, { path, reason }, 'mempool REST asked us to back off (or failed); retrying');
  }

  /** Logs the first occurrence of each kind (transitions, not every event). */
  private logOnce(kind: string, obj: object, msg: string): void {
    if (this.loggedKinds.has(kind)) return;
    this.loggedKinds.add(kind);
    this.opts.logger.warn(obj, msg);
  }
}
