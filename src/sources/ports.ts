/**
 * What the watcher needs from a chain or price source. mempool.space (websocket + REST), a
 * Bitcoin Core node and a replay file all implement these, so everything downstream is the same.
 */
import type { Block, PricePoint } from '../domain/types.ts';

/** Events a live chain source emits. */
export type ChainEvent =
  | { type: 'block'; block: Block }
  /** The source believes its view jumped (reconnect, reorg notice): re-read the tip via REST. */
  | { type: 'resync'; reason: string }
  | { type: 'price'; price: PricePoint };

export interface ChainSource {
  readonly name: 'mempool' | 'bitcoind' | 'replay';
  /** Height of the best block the source knows. */
  tipHeight(signal?: AbortSignal): Promise<number>;
  /** Blocks [from, to] ascending, inclusive; the source paces itself (MEMPOOL_MAX_RPS). */
  blocks(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Block[]>;
  /** Start pushing live events; resolves when subscribed. `stop()` ends it. */
  start(onEvent: (event: ChainEvent) => void): Promise<void>;
  stop(): Promise<void>;
  /** True while the live feed is connected and not stale (for /healthz). */
  isLive(): boolean;
}

export interface PriceSource {
  /** Latest USD price, or null when unavailable (never throws for a network failure). */
  latest(signal?: AbortSignal): Promise<PricePoint | null>;
}
