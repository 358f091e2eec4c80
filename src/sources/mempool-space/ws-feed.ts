/**
 * mempool.space websocket feed (`/api/v1/ws`): subscribes to blocks and stats, validates each
 * frame key by key, pings after a quiet spell and reconnects when no pong comes (a stalled socket
 * looks open forever otherwise), and reconnects with capped exponential backoff and jitter.
 */
import { WebSocket, type RawData } from 'ws';
import type { Block, PricePoint } from '../../domain/types.ts';
import type { DifficultyAdjustment } from '../../domain/snapshot-types.ts';
import type { WatcherMetrics } from '../../observability/metrics.ts';
import { redactSecrets, type Logger } from '../../observability/logger.ts';
import { backoffDelayMs, type BackoffOptions } from '../pacing.ts';
import {
  DifficultyAdjustmentSchema,
  MempoolBlockSchema,
  PriceSchema,
  toBlock,
  toDifficultyAdjustment,
  toPricePoint,
} from './schemas.ts';

/** mempool's server terminates clients sending more; we refuse frames above it likewise. */
export const MAX_FRAME_BYTES = 50_000;

export type WsFeedEvent =
  | { type: 'block'; block: Block }
  | { type: 'da'; da: DifficultyAdjustment }
  | { type: 'price'; price: PricePoint }
  /** Connected (again): anything may have been missed while down. */
  | { type: 'connected'; reconnect: boolean };

export interface WsFeedOptions {
  /** http(s):// base of the mempool instance; ws(s)://…/api/v1/ws is derived. */
  readonly baseUrl: string;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  readonly pingAfterMs?: number;
  readonly pongTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
  readonly maxFrameBytes?: number;
}

export function wsUrl(baseUrl: string): string {
  const u = new URL(baseUrl.replace(/\/+$/, '') + '/api/v1/ws');
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
}

export class MempoolWsFeed {
  private ws: WebSocket | null = null;
  private stopped = true;
  private attempt = 0;
  private everConnected = false;
  private open = false;
  private lastFrameAt = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly loggedKinds = new Set<string>();
  private readonly pingAfterMs: number;
  private readonly pongTimeoutMs: number;
  private readonly backoff: BackoffOptions;
  private readonly maxFrameBytes: number;

  constructor(
    private readonly opts: WsFeedOptions,
    private readonly onEvent: (e: WsFeedEvent) => void,
  ) {
    this.pingAfterMs = opts.pingAfterMs ?? 30_000;
    this.pongTimeoutMs = opts.pongTimeoutMs ?? 5_000;
    this.backoff = opts.backoff ?? { baseMs: 2_000, capMs: 60_000 };
    this.maxFrameBytes = opts.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.ws = null;
    this.open = false;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
  }

  /** Connected and heard from within ping + pong time. */
  isLive(now = Date.now()): boolean {
    return this.open && now - this.lastFrameAt <= this.pingAfterMs + this.pongTimeoutMs;
  }

  /** Drops the socket and reconnects now (the staleness watchdog's lever). */
  forceReconnect(reason: string): void {
    if (this.stopped || !this.ws) return;
    this.opts.logger.warn({ reason }, 'mempool websocket: forcing reconnect');
    this.drop(reason);
  }

  private connect(): void {
    if (this.stopped) return;
    const url = wsUrl(this.opts.baseUrl);
    const ws = new WebSocket(url, { maxPayload: 10 * 1024 * 1024, handshakeTimeout: 10_000 });
    this.ws = ws;
    ws.on('open', () => {
      this.open = true;
      this.lastFrameAt = Date.now();
      ws.send(JSON.stringify({ action: 'init' }));
      ws.send(JSON.stringify({ action: 'want', data: ['blocks', 'stats'] }));
      this.armQuietTimer();
      const reconnect = this.everConnected;
      this.everConnected = true;
      if (reconnect) this.opts.logger.info('mempool websocket reconnected');
      this.onEvent({ type: 'connected', reconnect });
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', (err) => {
      this.logOnce(`ws-error:${err.message}`, `mempool websocket error: ${redactSecrets(err.message)}; will retry`);
    });
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.scheduleReconnect('closed');
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastFrameAt = Date.now();
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
    this.armQuietTimer();
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (buf.byteLength > this.maxFrameBytes) return this.reject('oversize');
    if (isBinary) return this.reject('binary');
    let msg: unknown;
    try {
      msg = JSON.parse(buf.toString('utf8'));
    } catch {
      return this.reject('garbage');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return this.reject('not-object');
    const frame = msg as Record<string, unknown>;
    if (this.open) this.attempt = 0;
    if ('blocks' in frame) {
      const arr = Array.isArray(frame['blocks']) ? frame['blocks'] : null;
      if (!arr) this.reject('blocks');
      else {
        const blocks = arr.map((b) => MempoolBlockSchema.safeParse(b));
        if (blocks.some((r) => !r.success)) this.reject('blocks');
        else for (const r of blocks) if (r.success) this.onEvent({ type: 'block', block: toBlock(r.data) });
      }
    }
    if ('block' in frame) {
      const r = MempoolBlockSchema.safeParse(frame['block']);
      if (r.success) this.onEvent({ type: 'block', block: toBlock(r.data) });
      else this.reject('block');
    }
    if ('da' in frame) {
      const r = DifficultyAdjustmentSchema.safeParse(frame['da']);
      if (r.success) this.onEvent({ type: 'da', da: toDifficultyAdjustment(r.data) });
      else this.reject('da');
    }
    if ('conversions' in frame) {
      const r = PriceSchema.safeParse(frame['conversions']);
      const price = r.success ? toPricePoint(r.data) : null;
      if (!r.success) this.reject('conversions');
      else if (price) this.onEvent({ type: 'price', price });
    }
  }

  private reject(kind: string): void {
    this.opts.metrics.framesRejected.inc({ source: 'mempool', kind });
    this.logOnce(`reject:${kind}`, `mempool websocket frame rejected (${kind}); skipped`);
  }

  private armQuietTimer(): void {
    clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.ping(), this.pingAfterMs);
  }

  private ping(): void {
    const ws = this.ws;
    if (!ws || !this.open || this.stopped) return;
    try {
      ws.send(JSON.stringify({ action: 'ping' }));
    } catch {
      // a failed send shows up as close/error
    }
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      this.opts.logger.warn({ pongTimeoutMs: this.pongTimeoutMs }, 'mempool websocket stalled (no pong); reconnecting');
      this.drop('stall');
    }, this.pongTimeoutMs);
  }

  private drop(reason: string): void {
    const ws = this.ws;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    this.open = false;
    this.ws = null;
    this.clearTimers();
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    const delay = backoffDelayMs(this.attempt++, this.backoff);
    this.opts.metrics.reconnects.inc({ source: 'mempool', reason });
    if (this.attempt === 1 || this.attempt % 10 === 0) {
      this.opts.logger.warn({ reason, delayMs: delay, attempt: this.attempt }, 'mempool websocket down; reconnecting');
    }
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private clearTimers(): void {
    clearTimeout(this.quietTimer);
    clearTimeout(this.pongTimer);
    this.quietTimer = undefined;
    this.pongTimer = undefined;
  }

  private logOnce(kind: string, msg: string): void {
    if (this.loggedKinds.has(kind)) return;
    this.loggedKinds.add(kind);
    this.opts.logger.warn(msg);
  }
}
