/**
 * The operations endpoint every process serves (issue 13 §4, issue 15 §4): loopback by default,
 * /livez independent of the checks, /readyz (and its old name /healthz) 503 naming each failing
 * check, checks read per request so roles can register as they start.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { Health } from '../../../src/app/health.ts';
import { startHttpServer, type HttpServerHandle } from '../../../src/app/http.ts';
import { silentLogger } from '../../../src/observability/logger.ts';

let server: HttpServerHandle | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server!.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('startHttpServer', () => {
  it('binds 127.0.0.1 unless told otherwise', async () => {
    server = await startHttpServer({ port: 0, registry: new Registry(), checks: {}, logger: silentLogger() });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('/livez is 200 while /readyz and /healthz are 503 naming the failing check; both follow the checks as they change', async () => {
    const health = new Health();
    health.set('redis', () => null);
    health.pending('watcher', 'initial sync in progress');
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      checks: () => health.all(),
      logger: silentLogger(),
    });
    expect((await get('/livez')).status).toBe(200);
    for (const path of ['/readyz', '/healthz']) {
      expect(await get(path)).toEqual({
        status: 503,
        body: {
          status: 'unavailable',
          reasons: { watcher: 'initial sync in progress' },
          checks: { redis: 'ok', watcher: 'initial sync in progress' },
        },
      });
    }
    health.set('watcher', () => null);
    health.set('telegram', async () => {
      throw new Error('boom');
    });
    expect((await get('/readyz')).body).toMatchObject({ reasons: { telegram: 'boom' } });
    health.delete('telegram');
    expect(await get('/readyz')).toEqual({
      status: 200,
      body: { status: 'ok', checks: { redis: 'ok', watcher: 'ok' } },
    });
  });
});
