/**
 * Issue 15 on Discord, through the real discord.js against the stand-in: a channel whose own
 * message bucket is spent waits alone (its delivery is delayed in BullMQ, no worker sleeps on it,
 * other channels are served, no 429 is provoked); a channel spamming commands gets an ephemeral
 * "slow down" while other channels are answered; during a Redis outage commands get a short
 * "temporarily unavailable" and /help still answers.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Routes } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverJobId } from '../../src/jobs/queues.ts';
import { freePort, spawnRedisServer } from '../integration/engine-harness.ts';
import { ANN, BOB, startDiscordWorld, waitFor, type DiscordWorld } from './discord-harness.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedChain } from './replayed-chain.ts';

let w: DiscordWorld | null = null;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = null;
});

describe('Discord isolation', () => {
  it('a channel whose own bucket is spent is delayed alone; the other channels get their alert at once, each exactly once', async () => {
    w = await startDiscordWorld('iso-bucket', { channels: 7, messageBucket: { limit: 1, windowMs: 8000 } });
    const s = w.standIn;
    const [unsubscribed, ...channels] = s.channelIds() as [string, ...string[]];
    const now = Math.floor(Date.now() / 1000);
    for (const c of channels)
      await w.app.service.start({ platform: 'discord', targetType: 'channel', targetId: c, userId: ANN }, now);
    const [busy, ...others] = channels as [string, ...string[]];
    // Something else just spent `busy`'s message bucket (1 per 8 s), and the REST client knows it
    // (it learns the route's bucket id from a first message anywhere, as a running bot has).
    await w.notifier.rest.post(Routes.channelMessages(unsubscribed), { body: { content: 'hello' } });
    await w.notifier.rest.post(Routes.channelMessages(busy), { body: { content: 'an earlier message' } });
    const [before, retarget] = replay.slice(RETARGET_HEIGHT - 1, RETARGET_HEIGHT);
    await w.block(before!);
    await w.block(retarget!);
    const alertsIn = (c: string) =>
      s.messages(c).filter((m) => JSON.stringify(m).includes(String(RETARGET_HEIGHT))).length;
    await waitFor(() => others.every((c) => alertsIn(c) === 1), 15_000, 'the other channels');
    const job = await w.app.deliverQueues.discord!.getJob(
      deliverJobId(w.channelSubId(busy), retarget!.snapshot.hash, false),
    );
    expect(alertsIn(busy)).toBe(0);
    expect(await job!.getState()).toBe('delayed'); // waiting in BullMQ, not on a worker
    await waitFor(() => alertsIn(busy) === 1, 20_000, 'the busy channel after its bucket reset');
    await new Promise((r) => setTimeout(r, 500));
    expect(channels.map(alertsIn)).toEqual(channels.map(() => 1));
    expect(s.rest.stats.rateLimited).toBe(0);
  }, 60_000);

  it('a channel over its command budget gets an ephemeral "slow down"; another channel is still answered', async () => {
    w = await startDiscordWorld('iso-budget', {}, { gate: { budget: { burst: 2, perMinute: 1 } } });
    const [a, b] = w.standIn.channelIds() as [string, string];
    expect((await w.standIn.invoke('help', {}, { userId: BOB, channelId: a })).content).not.toMatch(/slow down/i);
    await w.standIn.invoke('help', {}, { userId: BOB, channelId: a });
    for (let i = 0; i < 3; i++) {
      const r = await w.standIn.invoke('help', {}, { userId: BOB, channelId: a });
      expect(r.ephemeral).toBe(true);
      expect(r.content).toMatch(/slow down.*try again in \d+ s/i);
    }
    expect((await w.standIn.invoke('help', {}, { userId: BOB, channelId: b })).content).not.toMatch(/slow down/i);
  });
});

describe('Discord during a Redis outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hb-dc-outage-'));
  let server: ChildProcess | null = null;
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('commands get a short "temporarily unavailable", /help still answers, all works again after', async () => {
    const port = await freePort();
    server = await spawnRedisServer(port, dir);
    w = await startDiscordWorld('iso-outage', {}, { redisUrl: `redis://127.0.0.1:${port}/0` });
    const s = w.standIn;
    expect((await s.invoke('start', {}, { userId: ANN })).content).toContain('Alerts for your DMs are on');
    const old = server;
    old.kill('SIGTERM');
    await waitFor(() => old.exitCode !== null || old.signalCode !== null, 10_000, 'redis-server to stop');
    await waitFor(() => w!.app.redis.status !== 'ready', 5000, 'the app to notice');
    for (const [cmd, opts] of [
      ['status', {}],
      ['alert list', {}],
      ['mute', { duration: '6h' }],
    ] as const) {
      const r = await s.invoke(cmd, opts, { userId: ANN }, 3000);
      expect(r.ephemeral, cmd).toBe(true);
      expect(r.content, cmd).toMatch(/temporarily unavailable.*try again in a minute/i);
    }
    expect((await s.invoke('help', {}, { userId: ANN }, 3000)).content).not.toMatch(/unavailable/i);
    server = await spawnRedisServer(port, dir);
    await waitFor(() => w!.app.redis.status === 'ready', 15_000, 'the app to reconnect');
    expect((await s.invoke('alert list', {}, { userId: ANN }, 10_000)).embeds[0]?.['title']).toBe(
      'Alerts for your DMs (3)',
    );
    expect((await w.store.get(w.dmSubId(ANN)))?.mutedUntilSec ?? null).toBeNull(); // the refused /mute was not done later
  }, 60_000);
});
