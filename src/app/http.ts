/**
 * The operations endpoint every process serves:
 * - `/livez`: 200 while the process answers at all (its event loop runs). A container
 *   orchestrator restarts on this one, so a slow first sync or a platform outage never restarts us.
 * - `/readyz` (and `/healthz`, its old name): 200 only when every check passes (Redis answering,
 *   each role of the process working), else 503 with `reasons` naming each failing check.
 * - `/metrics`: Prometheus text from an injected registry.
 * Checks are functions (or a function returning them, read per request) so each role adds its
 * own as it starts without this file knowing them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';

/** One health check: null when healthy, else a short reason. Must not throw (it is wrapped anyway). */
export type HealthCheck = () => Promise<string | null> | string | null;

export interface HttpServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  /** Readiness checks, or a function giving the current set (roles register as they start). */
  readonly checks: Readonly<Record<string, HealthCheck>> | (() => Readonly<Record<string, HealthCheck>>);
  readonly logger: Logger;
  /** Per-check time limit, ms (default 2000): a hung Redis is unhealthy, not a hung probe. */
  readonly checkTimeoutMs?: number;
}

export interface HttpServerHandle {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(check),
      new Promise<string>((r) => {
        timer = setTimeout(() => r(`no answer within ${timeoutMs} ms`), timeoutMs);
      }),
    ]);
  } catch (err) {
    return (err as Error).message || 'check failed';
  } finally {
    clearTimeout(timer);
  }
}

/** A Redis health check: PING must answer PONG. */
export function redisCheck(redis: { ping(): Promise<string> }): HealthCheck {
  return async () => ((await redis.ping()) === 'PONG' ? null : 'redis did not answer PONG');
}

/** How to reach a server bound to `host` from this machine (wildcards → loopback, IPv6 bracketed). */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const timeoutMs = opts.checkTimeoutMs ?? 2_000;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/livez') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', uptimeSec: Math.round(process.uptime()) }));
      return;
    }
    if (path === '/readyz' || path === '/healthz') {
      void (async () => {
        const checks = typeof opts.checks === 'function' ? opts.checks() : opts.checks;
        const entries = Object.entries(checks);
        const results = await Promise.all(
          entries.map(async ([name, c]) => [name, await runCheck(c, timeoutMs)] as const),
        );
        const failing = Object.fromEntries(results.filter(([, r]) => r !== null));
        const ok = Object.keys(failing).length === 0;
        const all = Object.fromEntries(results.map(([name, r]) => [name, r ?? 'ok']));
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(ok ? { status: 'ok', checks: all } : { status: 'unavailable', reasons: failing, checks: all }),
        );
      })();
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(body),
        (err: unknown) => {
          opts.logger.warn({ err }, 'metrics collection failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://${urlHost(opts.host ?? '127.0.0.1')}:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
