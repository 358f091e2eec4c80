/**
 * The watcher against a mempool.space stand-in and real Redis: normal flow, a dropped websocket
 * while blocks keep coming, a stalled socket, garbage frames, 429/503 storms and a price outage.
 * Each case checks every height arrives exactly once and the stored snapshots are right.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { counterTotal } from '../../src/observability/metrics.ts';
import { COLD_START_REORG_MARGIN } from '../../src/sources/watcher.ts';
import { addStats, comparable, createHarness, waitFor, type Harness } from './watcher-harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe('watcher on mempool.space', () => {
  it('cold start then live blocks: every height once, snapshots equal a fresh build', async () => {
    h = await createHarness();
    const tip0 = h.fake.chain.tip.height;
    await h.start();
    await h.caughtUp();
    for (let i = 0; i < 5; i++) {
      h.fake.mine(1);
      await h.caughtUp();
    }
    const tip = h.fake.chain.tip.height;
    const stats = addStats(h.adds);
    expect(stats.heights).toEqual(range(tip0, tip));
    expect(stats.duplicateHashes).toEqual([]);
    const price = h.fake.pricePoint;
    for (const height of range(tip0, tip)) {
      const hash = h.fake.chain.at(height)!.id;
      const stored = await h.state.getSnapshot(hash);
      expect(stored && comparable(stored)).toEqual(comparable(h.reference(height, false, price)));
    }
    expect(h.snapshots.map((s) => s.height)).toEqual(range(tip0, tip));
    const jobs = await h.queue.getJobs(['waiting']);
    expect(jobs.map((j) => j.id).sort()).toEqual(
      range(tip0, tip)
        .map((x) => `eval-${h.fake.chain.at(x)!.id}`)
        .sort(),
    );
    expect(await counterTotal(h.metrics.blocksSeen)).toBe(
      tip - tip0 + h.builder.requiredHistoryBlocks + COLD_START_REORG_MARGIN,
    );
    expect(h.watcher?.isLive()).toBe(true);
  });

  it('websocket drops while blocks keep coming: reconnect backfills every missed height', async () => {
    h = await createHarness();
    const tip0 = h.fake.chain.tip.height;
    await h.start();
    await h.caughtUp();
    h.fake.refuseWebsocket(true);
    h.fake.dropConnections();
    h.fake.mine(7, { silent: true });
    await new Promise((r) => setTimeout(r, 150));
    h.fake.refuseWebsocket(false);
    await h.caughtUp();
    h.fake.mine(1);
    await h.caughtUp();
    const stats = addStats(h.adds);
    expect(stats.heights).toEqual(range(tip0, h.fake.chain.tip.height));
    expect(stats.duplicateHashes).toEqual([]);
    expect(await counterTotal(h.metrics.reconnects, { source: 'mempool' })).toBeGreaterThanOrEqual(1);
    expect(h.fake.wsConnections).toBeGreaterThanOrEqual(2);
  });

  it('stalled socket (open, silent, no pong): detected by ping timeout and reconnected', async () => {
    h = await createHarness();
    const tip0 = h.fake.chain.tip.height;
    await h.start({ pingAfterMs: 150, pongTimeoutMs: 150 });
    await h.caughtUp();
    h.fake.stall(true);
    h.fake.mine(3);
    await h.caughtUp(5_000);
    expect(await counterTotal(h.metrics.reconnects, { reason: 'stall' })).toBeGreaterThanOrEqual(1);
    expect(h.fake.pingsReceived).toBeGreaterThanOrEqual(1);
    expect(addStats(h.adds).heights).toEqual(range(tip0, h.fake.chain.tip.height));
  });

  it('garbage, oversize, binary and wrong-type frames are skipped and counted; the feed goes on', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(c, _e, cb) {
          lines.push(String(c));
          cb();
        },
      }),
    });
    h = await createHarness({ logger });
    await h.start();
    await h.caughtUp();
    const before = h.adds.length;
    h.fake.sendRaw('this is not json');
    h.fake.sendRaw('{"still": not json');
    h.fake.sendRaw(JSON.stringify({ block: { id: 'x'.repeat(64) } }).padEnd(60_000, ' '));
    h.fake.sendRaw(JSON.stringify({ block: { id: 5, height: 'tall', timestamp: -1, bits: 'ff' } }));
    h.fake.sendRaw(JSON.stringify({ blocks: 'nope', da: { progressPercent: 'half' }, conversions: { time: 'now' } }));
    h.fake.sendRaw(JSON.stringify([1, 2, 3]));
    h.fake.sendRaw(Buffer.from([0xde, 0xad]), true);
    h.fake.mine(1);
    await h.caughtUp();
    const rejected = async (kind: string): Promise<number> => counterTotal(h.metrics.framesRejected, { kind });
    expect(await rejected('garbage')).toBe(2);
    expect(lines.filter((l) => l.includes('frame rejected (garbage)')).length).toBe(1); // logged once per kind
    expect(await rejected('oversize')).toBe(1);
    expect(await rejected('block')).toBe(1);
    expect(await rejected('blocks')).toBe(1);
    expect(await rejected('da')).toBe(1);
    expect(await rejected('conversions')).toBe(1);
    expect(await rejected('not-object')).toBe(1);
    expect(await rejected('binary')).toBe(1);
    expect(h.adds.length).toBe(before + 1);
    expect(h.fake.wsConnections).toBe(1);
  });

  it('429 and 503 storms: backs off (honours Retry-After), stays under MEMPOOL_MAX_RPS, recovers', async () => {
    h = await createHarness({ chainLength: 120 });
    const tip0 = h.fake.chain.tip.height;
    h.fake.storm(429, 3, 0.2);
    await h.start({ maxRps: 10 });
    await h.caughtUp(15_000);
    h.fake.storm(503, 4);
    h.fake.dropConnections();
    h.fake.mine(20, { silent: true });
    await h.caughtUp(15_000);
    expect(await counterTotal(h.metrics.backoffs, { reason: '429' })).toBe(3);
    expect(await counterTotal(h.metrics.backoffs, { reason: '503' })).toBe(4);
    expect(addStats(h.adds).heights).toEqual(range(tip0, h.fake.chain.tip.height));
    const times = h.fake.requests.map((r) => r.at);
    const worst = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    expect(worst).toBeLessThanOrEqual(11);
    const first429 = h.fake.requests.findIndex((r) => r.status === 429);
    const after = h.fake.requests.slice(first429).find((r) => r.status === 200);
    expect(after!.at - h.fake.requests[first429]!.at).toBeGreaterThanOrEqual(190);
  });

  it('price outage: snapshots carry no price and say stale; a returning price is used again', async () => {
    h = await createHarness();
    h.fake.setPriceMode('error');
    await h.start();
    await h.caughtUp();
    h.fake.mine(1);
    await h.caughtUp();
    const dark = await h.state.getLatestSnapshot();
    expect(dark?.hashprice.priceUsd).toBeNull();
    expect(dark?.hashprice.priceStale).toBe(true);
    h.fake.setPriceMode('ok');
    h.fake.setPrice(101_000, h.nowSec - 60); // fresh by the watcher's clock (the fake tip is hours in the past)
    await waitFor('price event', async () => (await h.state.getPrice())?.usd === 101_000);
    h.fake.mine(1);
    await h.caughtUp();
    const lit = await h.state.getLatestSnapshot();
    expect(lit?.hashprice.priceUsd).toBe(101_000);
    expect(lit?.hashprice.priceStale).toBe(false);
  });

  it('staleness watchdog: socket alive but silent while the REST tip moves → resync and reconnect', async () => {
    h = await createHarness();
    const tip0 = h.fake.chain.tip.height;
    await h.start({ watchdogIntervalMs: 50, staleAfterMs: 250 });
    await h.caughtUp();
    h.fake.mine(2, { silent: true }); // REST knows, the websocket says nothing (and still pongs)
    await h.caughtUp(5_000);
    expect(await counterTotal(h.metrics.resyncs, { reason: 'stale websocket' })).toBeGreaterThanOrEqual(1);
    expect(await counterTotal(h.metrics.reconnects, { reason: 'stale' })).toBeGreaterThanOrEqual(1);
    expect(addStats(h.adds).heights).toEqual(range(tip0, h.fake.chain.tip.height));
  });

  it('source unreachable at start: retries with a clear log line, never crashes, catches up later', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: new Writable({
        write(c, _e, cb) {
          lines.push(String(c));
          cb();
        },
      }),
    });
    h = await createHarness({ logger });
    h.fake.storm(503, 1_000_000);
    h.fake.refuseWebsocket(true);
    await h.start();
    await waitFor('a retry log line', () => lines.some((l) => l.includes('startup sync failed')));
    expect(h.watcher?.isLive()).toBe(false);
    expect(h.watcher?.notLiveReason()).toMatch(/sync failing: GET \/api\/blocks\/tip\/height: HTTP 503/);
    h.fake.storm(503, 0);
    h.fake.refuseWebsocket(false);
    await h.caughtUp(10_000);
    expect(lines.some((l) => l.includes('watcher recovered'))).toBe(true);
    expect(addStats(h.adds).heights).toEqual([h.fake.chain.tip.height]);
    await waitFor('live', () => h.watcher?.isLive() === true);
  });

  it('a cold start cut short by an outage resumes as history: only the tip is evaluated', async () => {
    h = await createHarness({ chainLength: 300, history: 200 });
    h.fake.onRequest = (path, n) => {
      if (n === 14 && path.startsWith('/api/v1/blocks/')) h.fake.storm(503, 12); // > restMaxAttempts
    };
    await h.start({ restMaxAttempts: 3 });
    await h.caughtUp(20_000);
    expect(await counterTotal(h.metrics.backoffs, { reason: '503' })).toBeGreaterThanOrEqual(3);
    expect(addStats(h.adds).heights).toEqual([h.fake.chain.tip.height]);
    const tip = h.fake.chain.tip;
    const stored = await h.state.getSnapshot(tip.id);
    expect(stored && comparable(stored)).toEqual(comparable(h.reference(tip.height, false, h.fake.pricePoint)));
  });
});
