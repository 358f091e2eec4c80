/**
 * Bitcoin Core as a ChainSource (for node runners, or as a cross-check beside mempool.space):
 * polls getblockchaininfo every few seconds and reads headers by height. RPC gives bits as a hex
 * string; fees come from getblockstats when the node can answer it, else they are unknown.
 */
import { z } from 'zod';
import type { Block } from '../../domain/types.ts';
import type { ChainEvent, ChainSource } from '../ports.ts';
import type { WatcherMetrics } from '../../observability/metrics.ts';
import type { Logger } from '../../observability/logger.ts';
import { BitcoindRpc, RpcError } from './rpc.ts';
import { isCompactBits } from '../mempool-space/schemas.ts';

const hash = z.string().regex(/^[0-9a-f]{64}$/);
const ChainInfoSchema = z.object({ blocks: z.number().int().nonnegative(), bestblockhash: hash });
const HeaderSchema = z.object({
  hash,
  height: z.number().int().nonnegative(),
  time: z.number().int().nonnegative(),
  bits: z
    .string()
    .regex(/^[0-9a-f]{8}$/)
    .refine((b) => isCompactBits(parseInt(b, 16)), 'not a valid nBits'),
  previousblockhash: hash.optional(),
});
const StatsSchema = z.object({ totalfee: z.number().int().nonnegative() });

/** Blocks per batched request (Core handles far more; this keeps bodies small). */
const BATCH = 50;

function toBlock(hdr: z.infer<typeof HeaderSchema>, fees: number | null): Block {
  return {
    id: hdr.hash,
    height: hdr.height,
    timestamp: hdr.time,
    bits: parseInt(hdr.bits, 16),
    ...(hdr.previousblockhash ? { previousHash: hdr.previousblockhash } : {}),
    feesSats: fees ?? 0,
    feesKnown: fees !== null,
  };
}

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

  /** Blocks [from, to] in three batched requests per chunk (hashes, headers, fee stats). */
  async blocks(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Block[]> {
    const out: Block[] = [];
    for (let from = fromHeight; from <= toHeight; from += BATCH) {
      const heights = Array.from({ length: Math.min(BATCH, toHeight - from + 1) }, (_, i) => [from + i]);
      const ids = (await this.batch('getblockhash', heights, hash, signal)) as string[];
      const headers = await this.batch(
        'getblockheader',
        ids.map((id) => [id, true]),
        HeaderSchema,
        signal,
      );
      const fees = await this.fees(ids, signal);
      headers.forEach((h, i) => out.push(toBlock(h, fees[i] ?? null)));
    }
    return out;
  }

  /**
   * BlockAuthority (src/sources/block-gate.ts): the node's hash at each height, null where the
   * node has no block yet (RPC -8, height out of range). Other failures throw (the gate retries).
   */
  async hashesAt(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Array<string | null>> {
    const out: Array<string | null> = [];
    for (let from = fromHeight; from <= toHeight; from += BATCH) {
      const heights = Array.from({ length: Math.min(BATCH, toHeight - from + 1) }, (_, i) => [from + i]);
      const results = await this.rpc.batch('getblockhash', heights, hash, signal).catch((err: unknown) => {
        this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'error' });
        throw err;
      });
      this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'ok' });
      for (const r of results) {
        if (r instanceof RpcError) {
          if (r.context.code === -8) out.push(null);
          else throw r;
        } else out.push(r as string);
      }
    }
    return out;
  }

  async blockByHash(id: string, signal?: AbortSignal): Promise<Block> {
    const [hdr] = await this.batch('getblockheader', [[id, true]], HeaderSchema, signal);
    const [fee] = await this.fees([id], signal);
    return toBlock(hdr!, fee ?? null);
  }

  /** Fees per block from getblockstats; null where the node cannot say (pruned, old node). */
  private async fees(ids: readonly string[], signal?: AbortSignal): Promise<Array<number | null>> {
    if (this.statsUnavailable) return ids.map(() => null);
    const stats = await this.rpc.batch(
      'getblockstats',
      ids.map((id) => [id, ['totalfee']]),
      StatsSchema,
      signal,
    );
    this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'ok' });
    if (stats.some((s) => s instanceof RpcError && s.context.code === -32601)) this.statsUnavailable = true;
    return stats.map((s) => (s instanceof RpcError ? null : s.totalfee));
  }

  /** A batch where every item must succeed (hashes, headers). */
  private async batch<S extends z.ZodType>(
    method: string,
    params: unknown[][],
    schema: S,
    signal?: AbortSignal,
  ): Promise<Array<z.output<S>>> {
    const results = await this.rpc.batch(method, params, schema, signal).catch((err: unknown) => {
      this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'error' });
      throw err;
    });
    this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'ok' });
    const failed = results.find((r): r is RpcError => r instanceof RpcError);
    if (failed) {
      if (/shape/.test(failed.message)) this.opts.metrics.framesRejected.inc({ source: 'bitcoind', kind: method });
      throw failed;
    }
    return results as Array<z.output<S>>;
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
        this.opts.logger.warn(
          { url: this.rpc.safeUrl, error: (err as Error).message },
          'bitcoind unreachable; polling on',
        );
      }
    } finally {
      this.polling = false;
    }
  }

  private async call<S extends z.ZodType>(
    method: string,
    params: unknown[],
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.output<S>> {
    try {
      const r = await this.rpc.call(method, params, schema, signal);
      this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'ok' });
      return r;
    } catch (err) {
      this.opts.metrics.restRequests.inc({ source: 'bitcoind', status: 'error' });
      if (err instanceof RpcError && /shape/.test(err.message))
        this.opts.metrics.framesRejected.inc({ source: 'bitcoind', kind: method });
      throw err;
    }
  }
}
