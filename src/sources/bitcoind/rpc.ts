/**
 * Minimal Bitcoin Core JSON-RPC client over HTTP. Credentials come from the URL's userinfo and
 * travel only in the Authorization header: fetch refuses URLs with credentials, and no error or
 * log line ever contains them (messages pass through redactSecrets).
 */
import type { z } from 'zod';
import { redactSecrets } from '../../observability/logger.ts';

interface RpcReply {
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { code?: number; message?: string } | null;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    message: string,
    readonly context: { readonly method: string; readonly code?: number; readonly status?: number },
  ) {
    super(redactSecrets(message));
  }
}

export interface BitcoindRpcOptions {
  /** http://user:pass@host:8332 */
  readonly url: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export class BitcoindRpc {
  private readonly endpoint: string;
  private readonly auth: string | null;
  private readonly fetchFn: typeof fetch;
  private id = 0;

  constructor(private readonly opts: BitcoindRpcOptions) {
    const u = new URL(opts.url);
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    this.auth = user || pass ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : null;
    u.username = '';
    u.password = '';
    this.endpoint = u.toString();
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** The endpoint without credentials (safe to log). */
  get safeUrl(): string {
    return this.endpoint;
  }

  async call<S extends z.ZodType>(
    method: string,
    params: unknown[],
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.output<S>> {
    const [r] = await this.batch(method, [params], schema, signal, false);
    if (r instanceof RpcError) throw r;
    return r as z.output<S>;
  }

  /**
   * One HTTP request carrying many calls of the same method (Core's JSON-RPC batch): an item that
   * failed comes back as its RpcError, so one pruned block does not sink the rest.
   */
  async batch<S extends z.ZodType>(
    method: string,
    paramsList: readonly unknown[][],
    schema: S,
    signal?: AbortSignal,
    asArray = true,
  ): Promise<Array<z.output<S> | RpcError>> {
    if (paramsList.length === 0) return [];
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
    const calls = paramsList.map((params) => ({ jsonrpc: '1.0', id: ++this.id, method, params }));
    let res: Response;
    try {
      res = await this.fetchFn(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.auth ? { authorization: this.auth } : {}) },
        body: JSON.stringify(asArray ? calls : calls[0]),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new RpcError(`bitcoind ${method}: ${(err as Error).message}`, { method });
    }
    const body = (await res.json().catch(() => null)) as RpcReply | RpcReply[] | null;
    const replies = Array.isArray(body) ? body : body ? [body] : [];
    if (replies.length !== calls.length)
      throw new RpcError(`bitcoind ${method}: HTTP ${res.status}`, { method, status: res.status });
    const byId = new Map(replies.map((r) => [r.id, r]));
    return calls.map((c) => {
      const r = byId.get(c.id);
      if (!r) return new RpcError(`bitcoind ${method}: no reply`, { method, status: res.status });
      if (r.error)
        return new RpcError(`bitcoind ${method}: ${r.error.message ?? 'error'}`, {
          method,
          status: res.status,
          ...(r.error.code !== undefined ? { code: r.error.code } : {}),
        });
      const parsed = schema.safeParse(r.result);
      return parsed.success ? parsed.data : new RpcError(`bitcoind ${method}: unexpected result shape`, { method });
    });
  }
}
