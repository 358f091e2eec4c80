/**
 * What happens at command entry, through the real telegraf against the stand-in (issue 15):
 * a forwarded command is ignored, not executed; while Redis is down a command gets a short
 * "temporarily unavailable" at once and /help still answers; after Redis is back, commands work.
 * The outage test runs the app on its own redis-server (AOF in a temp dir) and stops it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeChat } from '../fakes/telegram-bot-api.ts';
import { freePort, spawnRedisServer } from '../integration/engine-harness.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedChain } from './replayed-chain.ts';
import { ann, annDm, bob, startTelegramWorld, waitFor, type TelegramWorld } from './telegram-harness.ts';

let replay: ReplayedChain;
let w: TelegramWorld | null = null;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = null;
});

describe('forwarded commands', () => {
  it('are ignored: nothing is stored and nothing is answered, while the same command typed runs', async () => {
    w = await startTelegramWorld('forward');
    const group: FakeChat = { id: -8001, type: 'group', title: 'Farm' };
    w.fake.setAdmin(group.id, ann.id);
    await w.fake.ask(group, ann, '/start');
    const rules = async () => (await w!.store.listRules(w!.subIdOf(group))).map((r) => r.kind);
    const before = await rules();
    // An admin forwards Bob's message that reads like a command: it is Bob's text, not an order.
    const since = w.fake.sent.length;
    w.fake.forwardUserMessage(group, ann, bob, '/alert hashprice-below 40');
    w.fake.forwardUserMessage(annDm, ann, bob, '/stop');
    // A typed command sent after the forwards is answered first: the forwards were skipped.
    const typed = await w.fake.ask(annDm, ann, '/help');
    expect(typed.plain).toContain('/status');
    expect(w.fake.sent.slice(since).map((m) => m.chatId)).toEqual([annDm.id]);
    expect(await rules()).toEqual(before);
    expect(await w.store.get(w.subIdOf(annDm))).toBeNull(); // /stop was not run (nor /start)
    // typed, the same command does run
    expect((await w.fake.ask(group, ann, '/alert hashprice-below 40')).plain).toMatch(/added/i);
    expect(await rules()).toEqual([...before, 'hashprice-below']);
  });
});

describe('Redis outage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hb-tg-outage-'));
  let server: ChildProcess | null = null;
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('commands get a short "temporarily unavailable" at once, /help still answers, and all works again after', async () => {
    const port = await freePort();
    server = await spawnRedisServer(port, dir);
    w = await startTelegramWorld('outage', { redisUrl: `redis://127.0.0.1:${port}/0` });
    await w.tip(replay.slice(RETARGET_HEIGHT - 1, RETARGET_HEIGHT - 1)[0]!.snapshot);
    expect((await w.fake.ask(annDm, ann, '/start')).plain).toMatch(/welcome/i);

    const old = server;
    old.kill('SIGTERM');
    await waitFor(() => old.exitCode !== null || old.signalCode !== null, 10_000, 'redis-server to stop');
    await waitFor(() => w!.app.redis.status !== 'ready', 5000, 'the app to notice');
    for (const cmd of ['/status', '/alert hashprice-below 40', '/alerts']) {
      const r = await w.fake.ask(annDm, ann, cmd, 3000);
      expect(r.plain, cmd).toMatch(/temporarily unavailable.*try again in a minute/i);
    }
    expect((await w.fake.ask(annDm, ann, '/help', 3000)).plain).toContain('/status');

    server = await spawnRedisServer(port, dir);
    await waitFor(() => w!.app.redis.status === 'ready', 15_000, 'the app to reconnect');
    expect((await w.fake.ask(annDm, ann, '/status', 10_000)).plain).toMatch(/difficulty/i);
    // nothing asked during the outage was done later behind the user's back
    expect((await w.store.listRules(w.subIdOf(annDm))).map((r) => r.kind)).not.toContain('hashprice-below');
  }, 60_000);
});
