/**
 * The watcher role's outside faces, served by the process's one HTTP server (src/app/http.ts, as
 * run-process.ts serves it): `/healthz` (503 with a reason when the source is down or Redis does
 * not answer), `/metrics` (prom-client text with our series), and `watch --json` printing one
 * snapshot per line with the contract's leading fields.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.ts';
import { createApp, type App } from '../../src/app/create-app.ts';
import { startHttpServer, type HttpServerHandle } from '../../src/app/http.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { QUEUE_NAMES } from '../../src/jobs/queues.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { runWatch } from '../../src/cli/watch.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { waitFor } from './watcher-harness.ts';
import { testRedis, testRedisUrl } from '../support/redis.ts';

const DB = 7;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('watcher role HTTP', () => {
  it('/healthz follows the source and Redis; /metrics shows blocks, lag and queue depth', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 80 }) });
    const redis = testRedis(DB, { maxRetriesPerRequest: null });
    const id = randomUUID().slice(0, 8);
    const keyPrefix = `hb-test-watch-http-${id}:`;
    let app: App | null = null;
    let http: HttpServerHandle | null = null;
    cleanups.push(async () => {
      await http?.close();
      await app?.shutdown(2_000);
      await fake.close();
      const keys = await redis.keys(`*${id}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });
    // The watcher alone: its evaluate jobs wait (no evaluator), so the queue depth shows them.
    app = await createApp(
      loadConfig({ ROLES: 'watcher', LOG_LEVEL: 'silent', MEMPOOL_URL: fake.url, MEMPOOL_MAX_RPS: '50' }),
      {
        redis,
        keyPrefix,
        queuePrefix: `hb-test-watch-http-${id}`,
        logger: silentLogger(),
        tickEveryMs: 0,
        watcher: { builder: testBuilderFactory(40) },
      },
    );
    const a = app;
    http = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: a.registry,
      checks: () => a.health.all(),
      logger: silentLogger(),
    });
    const url = http.url;
    const state = new RedisChainState(redis, { prefix: keyPrefix, keepBlocks: 0 });
    await waitFor('healthy', async () => (await fetch(`${url}/healthz`)).status === 200);
    fake.mine(2);
    await waitFor('two more blocks', async () => (await state.getCursor())?.hash === fake.chain.tip.id);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/hashbell_blocks_seen_total\{source="mempool"\} \d+/);
    expect(metrics).toMatch(new RegExp(`hashbell_queue_depth\\{queue="${QUEUE_NAMES.evaluate}",state="waiting"\\} 3`));
    expect(metrics).toMatch(/hashbell_source_lag_seconds\{source="mempool"\} -?\d+/);
    expect(metrics).toContain('hashbell_reorgs_total');
    expect(metrics).toContain('hashbell_frames_rejected_total');
    expect(metrics).toMatch(new RegExp(`hashbell_last_block_height ${fake.chain.tip.height}`));

    fake.refuseWebsocket(true);
    fake.stall(true); // no pong: the feed must notice it is dead
    fake.dropConnections();
    await waitFor('unhealthy', async () => (await fetch(`${url}/healthz`)).status === 503);
    const body = (await (await fetch(`${url}/healthz`)).json()) as { reasons: Record<string, string> };
    expect(body.reasons['watcher']).toContain(`chain source ${fake.url} unreachable`);
    expect(body.reasons['watcher']).toContain('mempool live feed not connected');
    expect(body.reasons['redis']).toBeUndefined();
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it('/healthz is 503 with a redis reason when Redis does not answer', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 60 }) });
    const good = testRedis(DB);
    const dead = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const id = randomUUID().slice(0, 8);
    const { startHttpServer, redisCheck } = await import('../../src/app/http.ts');
    const { Registry } = await import('prom-client');
    const srv = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: silentLogger(),
      checks: { redis: redisCheck(dead), ok: () => null },
    });
    cleanups.push(async () => {
      await srv.close();
      await fake.close();
      good.disconnect();
      dead.disconnect();
    });
    const res = await fetch(`${srv.url}/healthz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { reasons: Record<string, string> };
    expect(Object.keys(body.reasons)).toEqual(['redis']);
    expect(id).toBeTruthy();
  });
});

describe('watch command', () => {
  it('--json prints one snapshot per line with height, hash, time, correction first', async () => {
    const fake = await FakeMempoolSpace.start({ chain: new FakeChain({ length: 60 }) });
    const prefix = `hb-test-watch-cli-${randomUUID().slice(0, 8)}:`;
    const out: string[] = [];
    const abort = new AbortController();
    const io = {
      stdout: (t: string) => out.push(t),
      stderr: () => undefined,
      env: { MEMPOOL_URL: fake.url, MEMPOOL_MAX_RPS: '50', REDIS_URL: testRedisUrl(DB) },
    };
    const done = runWatch(['--json', '--history', '45'], {
      io,
      env: io.env,
      signal: abort.signal,
      builder: testBuilderFactory(40),
      logger: silentLogger(),
      keyPrefix: prefix,
    });
    cleanups.push(async () => {
      const r = testRedis(DB);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length > 0) await r.del(...keys);
      r.disconnect();
      await fake.close();
    });
    await waitFor('first line', () => out.length >= 1);
    fake.mine(2);
    await waitFor('three lines', () => out.length >= 3);
    abort.abort();
    expect(await done).toBe(0);
    const lines = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const tip = fake.chain.tip;
    expect(lines.map((l) => l['height'])).toEqual([tip.height - 2, tip.height - 1, tip.height]);
    for (const l of lines) {
      expect(Object.keys(l).slice(0, 4)).toEqual(['height', 'hash', 'time', 'correction']);
      expect(l['hash']).toBe(fake.chain.at(l['height'] as number)!.id);
      expect(l['time']).toBe(fake.chain.at(l['height'] as number)!.timestamp);
      expect(l['correction']).toBe(false);
    }
  });

  it('rejects an unknown option with a usage error', async () => {
    const io = { stdout: () => undefined, stderr: () => undefined, env: {} };
    await expect(runWatch(['--jsn'], { io, env: io.env })).rejects.toBeInstanceOf(UsageError);
  });
});
