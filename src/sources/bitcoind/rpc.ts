/**
 * Minimal Bitcoin Core JSON-RPC client over HTTP. Credentials come from the URL's userinfo and
 * travel only in the Authorization header: fetch refuses URLs with credentials, and no error or
 * log line ever contains them (messages pass through redactSecrets).
 */
import type { z } from 'zod';
import { redactSecrets } from '../../app/logger.ts';

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(message: string, readonly context: { readonly method: string; readonly code?: number; readonly status?: number }) {
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

  async call<S extends z.ZodType>(method: string, params: unknown[], schema: S, signal?: AbortSignal): Promise<z.output<S>> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs ?? 15_000);
    let res: Response;
    try {
      res = await this.fetchFn(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.auth ? { authorization: this.auth } : {}) },
        body: JSON.stringify({ jsonrpc: '1.0', id: ++this.id, method, params }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      throw new RpcError(`bitcoind ${method}: ${(err as Error).message}`, { method });
    }
    const body = (await res.json().catch(() => null)) as { result?: unknown; error?: { code?: number; message?: string } | null } | null;
    if (body?.error) throw new RpcError(`bitcoind ${method}: ${body.error.message ?? 'error'}`, { method, status: res.status, ...(body.error.code !== undefined ? { code: body.error.code } : {}) });
    if (!res.ok || !body) throw new RpcError(`bitcoind ${method}: HTTP ${res.status}`, { method, status: res.status });
    const parsed = schema.safeParse(body.result);
    if (!parsed.success) throw new RpcError(`bitcoind ${method}: unexpected result shape`, { method });
    return parsed.data;
  }
}
