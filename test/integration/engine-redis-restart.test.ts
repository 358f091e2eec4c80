/**
 * Redis restarted mid-run: the engine runs against its own redis-server (appendonly yes, on a
 * free port); Redis is shut down and started again from its AOF while blocks keep coming. Every
 * subscriber still learns each rule's latest state, none twice and in block order. (A queued
 * message that a newer block's message for the same rule overtakes is superseded, not sent: the
 * freshness stage, issue 14 — so not every block's message need arrive.)
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Target } from '../../src/subscriptions/service.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { freePort, spawnRedisServer, startHarness, waitFor, type Harness } from './engine-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hb-engine-redis-'));
let server: ChildProcess | null = null;
let h: Harness | null = null;

async function startRedis(port: number): Promise<void> {
  server = await spawnRedisServer(port, dir);
}

afterAll(async () => {
  await h?.close().catch(() => undefined);
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restarted mid-run', () => {
  it('loses no alert and sends none twice', async () => {
    const port = await freePort();
    await startRedis(port);
    h = await startHarness('restart', 0, {}, port);
    const subs = Array.from({ length: 20 }, (_, i): Target => ({
      platform: 'telegram',
      targetType: 'chat',
      targetId: String(5000 + i),
      userId: '1',
    }));
    for (const t of subs) await h.app.service.start(t, 1_750_000_000);
    const BLOCKS = 40;
    // every block flips hashrate-drop: odd heights fire, even heights resolve → one message per sub per block
    const feed = async (from: number, to: number) => {
      for (let n = from; n <= to; n++) await h!.block(makeSnapshot({ height: 500 + n, dropPct: n % 2 === 1 ? 20 : 2 }));
    };
    const hasHeight = (height: number) => () =>
      new Set(h!.notifier.sent.filter((m) => m.height === height).map((m) => m.subscriptionId)).size === subs.length;
    await feed(1, 15);
    await waitFor(hasHeight(515), 30_000, 'first part delivered');
    const old = server;
    old?.kill('SIGTERM'); // graceful shutdown: the AOF is complete on disk
    await waitFor(() => old?.exitCode !== null || old.signalCode !== null, 10_000, 'redis-server to stop');
    const feeding = feed(16, BLOCKS); // blocks keep coming while Redis is down
    await new Promise((r) => setTimeout(r, 500));
    await startRedis(port);
    await feeding;
    await waitFor(hasHeight(500 + BLOCKS), 30_000, 'everything delivered');
    await new Promise((r) => setTimeout(r, 300));
    const seen = h.notifier.sent.map((m) => `${m.subscriptionId}@${m.height}`);
    expect(new Set(seen).size).toBe(seen.length); // none twice
    const bySub = new Map<string, number[]>();
    for (const m of h.notifier.sent) bySub.set(m.subscriptionId, [...(bySub.get(m.subscriptionId) ?? []), m.height]);
    expect(bySub.size).toBe(subs.length);
    for (const heights of bySub.values()) {
      expect(heights).toEqual([...heights].sort((a, b) => a - b)); // block order
      expect(heights.at(-1)).toBe(500 + BLOCKS); // the latest state reached everyone
    }
    const last = h.notifier.sent.filter((m) => m.height === 500 + BLOCKS);
    expect(last).toHaveLength(subs.length);
    expect(last.every((m) => m.events[0]?.state === 'resolved')).toBe(true);
  }, 90_000);
});
