/**
 * Bitcoin Core as a ChainSource (for node runners, or as a cross-check beside mempool.space):
 * polls getblockchaininfo every few seconds and reads headers by height. RPC gives bits as a hex
 * string; fees come from getblockstats when the node can answer it, else they are unknown.
 */
import { z } from 'zod';
import type { Block } from '../../domain/types.ts';
import type { ChainEvent, ChainSource } from '../ports.ts';
import type { WatcherMetrics } from '../../app/metrics.ts';
import type { Logger } from '../../app/logger.ts';
import { BitcoindRpc, RpcError } from './rpc.ts';
import { isCompactBits } from '../mempool-space/schemas.ts';

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const ChainInfoSchema = z.object({ blocks: z.number().int().nonnegative(), bestblockhash: hash });
const HeaderSchema = z.object({
  hash, height: z.number().int().nonnegative(), time: z.number().int().nonnegative(),
  bits: z.string().regex(/^[0-9a-f]{8}$/).refine((b) => isCompactBits(parseInt(b, 16)), 'not a valid nBits'), previousblockhash: hash.optional(),
});
const StatsSchema = z.object({ totalfee: z.number().int().nonnegative() });

export interface BitcoindSourceOptions {
  readonly url: string;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  readonly pollMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export class BitcoindSource implements ChainSource {
  readonly name = 'bitcoind' as const;
  readonly rpc: BitcoindRpc;
  private timer: NodeJS.Timeout | undefined;
  private onEvent: ((e: ChainEvent) => void) | null = null;
  private lastBest: string | null = null;
  private lastOkAt = 0;
  private down = false;
  private statsUnavailable = false;
  private polling = false;
  private readonly pollMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: BitcoindSourceOptions) {
    this.rpc = new BitcoindRpc({ url: opts.url, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
    this.pollMs = opts.pollMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  async tipHeight(signal?: AbortSignal): Promise<number> {
    return (await this.call('getblockchaininfo', [], ChainInfoSchema, signal)).blocks;
  }

  async tipHash(signal?: AbortSignal): Promise<string> {
    return (await this.call('getblockchaininfo', [], ChainInfoSchema, signal)).bestblockhash;
  }

  async blocks(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Block[]> {
    const out: Block[] = [];
    for (let h = fromHeight; h <= toHeight; h++) {
      const id = await this.call('getblockhash', [h], hash, signal);
      out.push(await this.blockByHash(id, signal));
    }
    return out;
  }

  async blockByHash(id: string, signal?: AbortSignal): Promise<Block> {
    const hdr = await this.call('getblockheader', [id, true], HeaderSchema, signal);
    let fees: number | null = null;
    if (!this.statsUnavailable) {
      try {
        fees = (await this.call('getblockstats', [id, ['totalfee']], StatsSchema, signal)).totalfee;
      } catch (err) {
        // -32601 method not found (old node); -1 pruned/unavailable: fees unknown for this block
        if (err instanceof RpcError && err.context.code === -32601) this.statsUnavailable = true;
        if (!(err instanceof RpcError && err.context.code !== undefined)) throw err;
      }
    }
    return {
      id: hdr.hash, height: hdr.height, timestamp: hdr.time, bits: parseInt(hdr.bits, 16),
      ...(hdr.previousblockhash ? { previousHash: hdr.previousblockhash } : {}),
      feesSats: fees ?? 0, feesKnown: fees !== null,
    };
  }

  async start(onEvent: (event: ChainEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    void this.poll();
  }

  async stop(): Promise<void> {
    this.onEvent = null;
    clearInterval(this.timer);
  }

  isLive(): boolean {
    return this.lastOkAt > 0 && this.now() - this.lastOkAt <= this.pollMs * 3;
  }

  private async poll(): Promise<void> {
    if (this.polling || !this.onEvent) return;
    this.polling = true;
    try {
      const info = await this.call('getblockchaininfo', [], ChainInfoSchema);
      this.lastOkAt = this.now();
      if (this.down) {
        this.down = false;
        this.opts.logger.info({ url: this.rpc.safeUrl }, 'bitcoind reachable again; resyncing');
        this.opts.metrics.reconnects.inc({ source: 'bitcoind', reason: 'recovered' });
        this.onEvent?.({ type: 'resync', reason: 'bitcoind recovered' });
      }
      if (info.bestblockhash !== this.lastBest) {
        const block = await this.blockByHash(info.bestblockhash);
        this.lastBest = info.bestblockhash;
        this.onEvent?.({ type: 'block', block });
      }
    } catch (err) {
      if (!this.down) {
        this.down = true;
        this.opts.logger.warn({ url: this.rpc.safeUrl, error: (err as Error).message }, 'bitcoind unreachable; polling on');
      }
    } finally {
      this.polling = false;
    }
  }

  private async call<S extends z.ZodType>(method: string, params: unknown[], schema: S, signal?: AbortSignal): Promise<z.output<S>> {
    try {
      const r = await this.rpc.call(method, params, schema, signal);
      this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'ok' });
      return r;
    } catch (err) {
      this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'error' });
      if (err instanceof RpcError && /shape/.test(err.message)) this.opts.metrics.framesRejected.inc({ source: 'bitcoind', kind: method });
      throw err;
    }
  }
}
