/**
 * Redis restarted mid-run: the engine runs against its own redis-server (appendonly yes, on a
 * free port); Redis is shut down and started again from its AOF while blocks keep coming. Every
 * expected message still arrives, none twice.
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
    await feed(1, 15);
    await waitFor(() => h!.notifier.sent.length >= 15 * subs.length, 30_000, 'first part delivered');
    const old = server;
    old?.kill('SIGTERM'); // graceful shutdown: the AOF is complete on disk
    await waitFor(() => old?.exitCode !== null || old.signalCode !== null, 10_000, 'redis-server to stop');
    const feeding = feed(16, BLOCKS); // blocks keep coming while Redis is down
    await new Promise((r) => setTimeout(r, 500));
    await startRedis(port);
    await feeding;
    await waitFor(() => h!.notifier.sent.length >= BLOCKS * subs.length, 30_000, 'everything delivered');
    await new Promise((r) => setTimeout(r, 300));
    const seen = h.notifier.sent.map((m) => `${m.subscriptionId}@${m.height}`);
    expect(new Set(seen).size).toBe(BLOCKS * subs.length);
    expect(seen).toHaveLength(BLOCKS * subs.length);
    const last = h.notifier.sent.filter((m) => m.height === 500 + BLOCKS);
    expect(last.every((m) => m.events[0]?.state === 'resolved')).toBe(true);
  }, 90_000);
});
