/**
 * Bitcoin Core as the chain source, against a JSON-RPC stand-in serving the same FakeChain as the
 * mempool.space stand-in: identical snapshots, fees from getblockstats (unknown without it), the
 * RPC password never in a log line, and the cross-check flags a node on another chain.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import { counterTotal, createWatcherMetrics } from '../../src/observability/metrics.ts';
import { BitcoindSource } from '../../src/sources/bitcoind/source.ts';
import { startCrossCheck } from '../../src/sources/cross-check.ts';
import { startWatcher, type WatcherHandle } from '../../src/sources/watcher.ts';
import { RedisChainState } from '../../src/store/chain-state.ts';
import { FakeBitcoind } from '../fakes/bitcoind.ts';
import { FakeChain } from '../fakes/fake-chain.ts';
import { comparable, createHarness, waitFor, type Harness } from './watcher-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function withHarness(): Promise<Harness> {
  const h = await createHarness();
  cleanups.push(() => h.close());
  return h;
}

async function bitcoindWatcher(
  h: Harness,
  node: FakeBitcoind,
  logger = silentLogger(),
): Promise<{ watcher: WatcherHandle; state: RedisChainState; source: BitcoindSource }> {
  const metrics = createWatcherMetrics(new Registry());
  const source = new BitcoindSource({ url: node.url, logger, metrics, pollMs: 30 });
  const state = new RedisChainState(h.redis, { prefix: `${h.state.keys.cursor}-btcd:`, keepBlocks: 500 });
  const watcher = await startWatcher({
    source,
    state,
    builder: h.builder,
    logger,
    metrics,
    queue: { add: async () => undefined },
    retryBackoff: { baseMs: 20, capMs: 100 },
    now: () => h.nowSec * 1000,
  });
  cleanups.push(async () => {
    await watcher.stop();
    await state.clear();
  });
  return { watcher, state, source };
}

describe('Bitcoin Core source', () => {
  it('gives the same snapshots as the mempool source on the same blocks', async () => {
    const h = await withHarness();
    const node = await FakeBitcoind.start({ chain: h.fake.chain });
    cleanups.push(() => node.close());
    h.fake.setPriceMode('minus-one'); // both without price, so the figures compare 1:1
    await h.start();
    const b = await bitcoindWatcher(h, node);
    await h.caughtUp();
    h.fake.mine(3);
    h.fake.reorg(1, 1);
    await h.caughtUp();
    await waitFor('bitcoind watcher at tip', async () => (await b.state.getCursor())?.hash === h.fake.chain.tip.id);
    const tip = h.fake.chain.tip.height;
    for (let x = tip - 3; x <= tip; x++) {
      const hash = h.fake.chain.at(x)!.id;
      const m = await h.state.getSnapshot(hash);
      const c = await b.state.getSnapshot(hash);
      expect(c, `bitcoind snapshot ${x}`).not.toBeNull();
      expect({ ...comparable(c!), source: 'x', correction: false }).toEqual({
        ...comparable(m!),
        source: 'x',
        correction: false,
      });
      expect(c!.source).toBe('bitcoind');
    }
    const [blk] = await b.source.blocks(tip, tip);
    expect(blk).toMatchObject({
      feesKnown: true,
      feesSats: h.fake.chain.tip.extras.totalFees,
      bits: h.fake.chain.tip.bits,
    });
  });

  it('fees are unknown when getblockstats is not available', async () => {
    const node = await FakeBitcoind.start({ chain: new FakeChain({ length: 5 }), noStats: true });
    cleanups.push(() => node.close());
    const src = new BitcoindSource({
      url: node.url,
      logger: silentLogger(),
      metrics: createWatcherMetrics(new Registry()),
    });
    const blocks = await src.blocks(890_002, 890_004);
    expect(blocks.map((b) => [b.feesKnown, b.feesSats])).toEqual([
      [false, 0],
      [false, 0],
      [false, 0],
    ]);
    expect(blocks[1]!.previousHash).toBe(blocks[0]!.id);
  });

  it('never logs the RPC password, even when the node is down or refuses us', async () => {
    const node = await FakeBitcoind.start({ chain: new FakeChain({ length: 5 }) });
    cleanups.push(() => node.close());
    const lines: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(c, _e, cb) {
          lines.push(String(c));
          cb();
        },
      }),
    });
    const metrics = createWatcherMetrics(new Registry());
    node.down = true;
    const src = new BitcoindSource({ url: node.url, logger, metrics, pollMs: 20 });
    await src.start(() => undefined);
    await waitFor('a warning', () => lines.length > 0);
    node.down = false;
    await waitFor('recovery', () => src.isLive());
    const wrong = new BitcoindSource({ url: node.url.replace('sekret-pw-123', 'wrong-pw-456'), logger, metrics });
    const err = await wrong.tipHeight().catch((e: Error) => e);
    logger.warn({ error: String(err) }, `failed: ${String(err)} via ${node.url}`);
    await src.stop();
    const all = lines.join('');
    expect(all).toContain('bitcoind unreachable');
    expect(all).toContain('reachable again');
    expect(all).not.toContain('sekret-pw-123');
    expect(all).not.toContain('wrong-pw-456');
    expect(String(err)).toContain('HTTP 401');
  });

  it('cross-check: agrees on the same chain, flags a node on another chain once', async () => {
    const h = await withHarness();
    const same = await FakeBitcoind.start({ chain: h.fake.chain });
    const other = await FakeBitcoind.start({ chain: new FakeChain({ length: 100, seed: 'another-chain' }) });
    cleanups.push(
      () => same.close(),
      () => other.close(),
    );
    const metrics = createWatcherMetrics(new Registry());
    const logger = silentLogger();
    await h.start();
    const primary = h.source!;
    const ok = startCrossCheck({
      primary,
      secondary: new BitcoindSource({ url: same.url, logger, metrics }),
      logger,
      metrics,
      intervalMs: 3_600_000,
    });
    expect(await ok.checkNow()).toMatchObject({ agree: true });
    const bad = startCrossCheck({
      primary,
      secondary: new BitcoindSource({ url: other.url, logger, metrics }),
      logger,
      metrics,
      intervalMs: 3_600_000,
    });
    expect(await bad.checkNow()).toMatchObject({ agree: false, what: 'hash' });
    expect(await bad.checkNow()).toMatchObject({ agree: false });
    expect(await counterTotal(metrics.sourceDisagreements)).toBe(1);
    expect(await counterTotal(metrics.sourceDisagreement)).toBe(1);
    other.chain.mine(5);
    expect(await bad.checkNow()).toMatchObject({ agree: false, what: 'height' });
    ok.stop();
    bad.stop();
  });
});
