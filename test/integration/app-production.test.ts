/**
 * Production wiring pieces, on real Redis (DB 15) and the stand-ins: the charts' connection,
 * history, service and rules lookup; CHAIN_SOURCE=bitcoind driving the watcher inside createApp
 * with the chart history fed; and the chat platforms createApp builds from the configuration.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createApp, type App } from '../../src/app/create-app.ts';
import { DEFAULT_DELIVERY_LIMITS, deliveryLimit, feedLimit } from '../../src/app/delivery-limits.ts';
import { DISCORD_GLOBAL_PER_SEC } from '../../src/platforms/discord/bot.ts';
import { PAID_BROADCAST_PER_SEC, TELEGRAM_LIMITS } from '../../src/platforms/telegram/pacer.ts';
import { chartWiring } from '../../src/app/platform-wiring.ts';
import { engineKeys } from '../../src/store/keys.ts';
import type { Subscription } from '../../src/alerting/types.ts';
import { SnapshotBuilder } from '../../src/domain/snapshot-builder.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { subscriptionId, type Target } from '../../src/subscriptions/service.ts';
import { FakeBitcoind } from '../fakes/bitcoind.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { FakeMempoolSpace } from '../fakes/mempool-space.ts';
import { testBuilderFactory } from './watcher-builder.ts';
import { toBlock, waitFor } from './watcher-harness.ts';
import { testRedis as privateRedis } from '../support/redis.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function testRedis(id: string): Redis {
  const redis = privateRedis(15, { maxRetriesPerRequest: null });
  cleanups.push(async () => {
    const keys = await redis.keys(`*${id}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  return redis;
}

describe('chartWiring', () => {
  it("draws from the shared history, reads the subscriber's rules, and closes its connection", async () => {
    const id = randomUUID().slice(0, 8);
    const prefix = `hb-test-app-prod-${id}:`;
    const redis = testRedis(id);
    const w = chartWiring(redis, engineKeys(prefix), silentLogger());
    cleanups.push(() => w.closeable.close(true));
    const chain = new FakeChain({ length: 300 });
    const builder = new SnapshotBuilder();
    for (const b of chain.blocks) {
      await w.history.append(
        builder.push(toBlock(b), {
          nowSec: chain.tip.timestamp + 60,
          price: { timeSec: chain.tip.timestamp, usd: 95_000 },
          source: 'mempool',
          correction: false,
        }),
      );
    }
    const tip = chain.tip;
    const png = await w.charts.render('hashrate', { height: tip.height, hash: tip.id, timeZone: 'Europe/Berlin' });
    expect(png).not.toBeNull();
    expect(png!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png!.length).toBeGreaterThan(5_000);
    // An unknown block gives no picture (the text goes alone), never an error.
    expect(await w.charts.render('hashrate', { height: tip.height, hash: 'f'.repeat(64), timeZone: 'UTC' })).toBeNull();

    // The rules lookup reads the store createApp writes (same keys).
    const app = await createApp(loadConfig({ ROLES: 'bot', LOG_LEVEL: 'error' }), {
      redis,
      keyPrefix: prefix,
      queuePrefix: `hb-test-app-prod-${id}`,
      logger: silentLogger(),
      tickEveryMs: 0,
    });
    cleanups.push(() => app.shutdown(3_000));
    const target: Target = { platform: 'telegram', targetType: 'user', targetId: '42', userId: '42' };
    const { rules } = await app.service.start(target, 1_760_000_000);
    expect(rules.length).toBeGreaterThan(0);
    const sub = { id: subscriptionId(target) } as Subscription;
    expect((await w.chartRules(sub)).map((r) => r.kind).sort()).toEqual(rules.map((r) => r.kind).sort());

    await w.closeable.close(false);
    await expect(w.chartRules(sub)).rejects.toThrow();
  });
});

describe('CHAIN_SOURCE=bitcoind inside createApp', () => {
  it('Bitcoin Core drives the chain, mempool.space cross-checks; the chart history is fed', async () => {
    const id = randomUUID().slice(0, 8);
    const prefix = `hb-test-app-prod-${id}:`;
    const redis = testRedis(id);
    const chain = new FakeChain({ length: 50 });
    const fake = await FakeMempoolSpace.start({ chain });
    cleanups.push(() => fake.close());
    const node = await FakeBitcoind.start({ chain });
    cleanups.push(() => node.close());
    // Reads the chart history the app's own chart wiring writes (same keys).
    const w = chartWiring(redis, engineKeys(prefix), silentLogger());
    cleanups.push(() => w.closeable.close(true));
    const app = await createApp(
      loadConfig({
        ROLES: 'watcher,evaluator',
        LOG_LEVEL: 'error',
        MEMPOOL_URL: fake.url,
        MEMPOOL_MAX_RPS: '50',
        BITCOIN_RPC_URL: node.url,
        CHAIN_SOURCE: 'bitcoind',
      }),
      {
        redis,
        keyPrefix: prefix,
        queuePrefix: `hb-test-app-prod-${id}`,
        logger: silentLogger(),
        tickEveryMs: 0,
        watcher: { builder: testBuilderFactory(30) },
      },
    );
    cleanups.push(() => app.shutdown(3_000));
    await waitFor(
      'first evaluation',
      async () => (await app.evaluateQueue.getJobCounts('completed'))['completed'] === 1,
      15_000,
    );
    const state = new RedisChainState(redis, { prefix, keepBlocks: 0 });
    const snap = await state.getSnapshot(chain.tip.id);
    expect(snap?.source).toBe('bitcoind');
    expect(node.calls.length).toBeGreaterThan(0);
    const points = await w.history.pointsUpTo(chain.tip.height, chain.tip.id, 365);
    expect(points?.map((p) => p.hash)).toEqual(chain.blocks.slice(-points!.length).map((b) => b.id));
    expect(points!.length).toBeGreaterThanOrEqual(30);
  });

  it('without BITCOIN_RPC_URL is a one-line configuration error', () => {
    expect(() => loadConfig({ CHAIN_SOURCE: 'bitcoind' })).toThrow(
      /^Invalid configuration: CHAIN_SOURCE=bitcoind needs BITCOIN_RPC_URL/,
    );
  });
});

describe('chat platforms from the configuration', () => {
  it('a notifier and a deliver queue per platform whose token is set; console alone without', async () => {
    const id = randomUUID().slice(0, 8);
    const redis = testRedis(id);
    const start = async (env: Record<string, string>): Promise<App> => {
      const app = await createApp(loadConfig({ ROLES: 'evaluator', LOG_LEVEL: 'error', ...env }), {
        redis,
        keyPrefix: `hb-test-app-prod-${id}:`,
        queuePrefix: `hb-test-app-prod-${id}`,
        logger: silentLogger(),
        tickEveryMs: 0,
      });
      cleanups.push(() => app.shutdown(3_000));
      return app;
    };
    const none = await start({});
    expect(Object.keys(none.notifiers)).toEqual(['console']);
    // Stand-in addresses nothing listens on: with the evaluator role alone nothing connects.
    const both = await start({
      TELEGRAM_BOT_TOKEN: '123456:stand-in-token',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9/',
      DISCORD_TOKEN: 'stand-in-discord-token',
      DISCORD_APPLICATION_ID: '400000000000000001',
      DISCORD_API_BASE: 'http://127.0.0.1:9/api',
    });
    expect(Object.keys(both.notifiers).sort()).toEqual(['console', 'discord', 'telegram']);
    expect(Object.keys(both.deliverQueues).sort()).toEqual(['console', 'discord', 'telegram']);
    expect(both.notifiers.telegram?.platform).toBe('telegram');
    expect(both.notifiers.discord?.platform).toBe('discord');
  });
});

describe('delivery limiter defaults', () => {
  it("feed job starts a little faster than the platforms' global limits (the send gate holds those)", () => {
    expect(DEFAULT_DELIVERY_LIMITS.telegram).toEqual(feedLimit(TELEGRAM_LIMITS.globalPerSec));
    expect(DEFAULT_DELIVERY_LIMITS.discord).toEqual(feedLimit(DISCORD_GLOBAL_PER_SEC));
    for (const [perSec, limit] of [
      [30, DEFAULT_DELIVERY_LIMITS.telegram],
      [50, DEFAULT_DELIVERY_LIMITS.discord],
      [PAID_BROADCAST_PER_SEC, deliveryLimit('telegram', { telegramPaidBroadcast: true })],
    ] as const) {
      // Faster than the gate (never what holds the pace back), not so fast that jobs pile up.
      const starts = (1000 / limit.durationMs) * limit.max;
      expect(starts).toBeGreaterThan(perSec);
      expect(starts).toBeLessThanOrEqual(1.5 * perSec);
    }
    expect(deliveryLimit('telegram', { telegramPaidBroadcast: false })).toEqual(DEFAULT_DELIVERY_LIMITS.telegram);
  });
});
