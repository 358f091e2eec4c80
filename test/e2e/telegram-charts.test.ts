/**
 * Charts on Telegram, end to end: the real ChartService (resvg) fed with the blocks, the real
 * engine and telegraf against the stand-in, which parses the multipart upload. An alert and
 * /status arrive as one photo with the text as caption; a chart that cannot be drawn (null) or a
 * chart service that throws leaves the text exactly as without charts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChartPointRing, ChartService } from '../../src/charts/index.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { FailingCharts } from '../fakes/failing-charts.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import type { SentMessage } from '../fakes/telegram-bot-api.ts';
import { decodePng } from '../unit/charts/png-decode.ts';
import { ann, annDm, startTelegramWorld, type TelegramWorld } from './telegram-harness.ts';

const DB = 12;
let w: TelegramWorld | undefined;
afterEach(async () => { await w?.close(); w = undefined; });

/** The world with a chart service whose history follows the blocks, as the watcher feeds it. */
async function chartWorld(name: string, charts?: ChartRenderer): Promise<{ world: TelegramWorld; block(s: Snapshot): Promise<void> }> {
  const history = new ChartPointRing();
  const world = await startTelegramWorld(name, { db: DB, charts: charts ?? new ChartService({ history }) });
  w = world;
  return { world, block: async (s) => { history.push(s); await world.block(s); } };
}

/** Decoded, the upload is a 1000×560 picture with real content (not one flat colour). */
function expectRealChart(m: SentMessage, kind: string): void {
  expect(m.photo?.filename).toBe(`hashbell-${kind}.png`);
  const img = decodePng(m.photo!.data);
  expect([img.width, img.height]).toEqual([1000, 560]);
  const colours = new Set<number>();
  for (let i = 0; i < img.rgba.length; i += 4 * 97) colours.add((img.rgba[i]! << 16) | (img.rgba[i + 1]! << 8) | img.rgba[i + 2]!);
  expect(colours.size).toBeGreaterThan(10);
}

describe('Telegram charts (ChartService → telegraf sendPhoto → stand-in multipart)', () => {
  it('an alert arrives as ONE photo with the alert as caption; /status with its chart; /help stays text', async () => {
    const { world, block } = await chartWorld('charts');
    const { fake } = world;
    await fake.ask(annDm, ann, '/start');
    const since = fake.sent.length;
    await block(makeSnapshot({ height: 920_000, dropPct: 1 }));
    await block(makeSnapshot({ height: 920_001, dropPct: 13 }));
    const alert = await fake.waitForBotMessage((m) => m.chatId === ann.id && m.plain.includes('Block 920001'), { since, timeoutMs: 20_000 });
    expect(alert.method).toBe('sendPhoto');
    expect(alert.parseMode).toBe('HTML');
    expect(alert.text).toContain('<b>hashrate-drop firing</b>');
    expect(alert.plain).toMatch(/Threshold: 10 · alert 2/);
    expectRealChart(alert, 'hashrate');
    await new Promise((r) => setTimeout(r, 300));
    // One alert = one message: no extra text or second photo for it.
    expect(fake.sent.slice(since).filter((m) => m.chatId === ann.id)).toHaveLength(1);

    const status = await fake.ask(annDm, ann, '/status', 20_000);
    expect(status.method).toBe('sendPhoto');
    expect(status.plain).toContain('920001');
    expectRealChart(status, 'hashrate');
    const retarget = await fake.ask(annDm, ann, '/retarget', 20_000);
    expect(retarget.photo?.filename).toBe('hashbell-retarget.png');
    const help = await fake.ask(annDm, ann, '/help');
    expect(help.method).toBe('sendMessage');
    expect(fake.calls.filter((c) => c.method === 'sendPhoto').every((c) => c.status === 200)).toBe(true);
  });

  it('a chart service that throws, or draws nothing, leaves alerts and replies as text', async () => {
    const failing = new FailingCharts();
    const { world, block } = await chartWorld('charts-fail', failing);
    const { fake } = world;
    await fake.ask(annDm, ann, '/start');
    await block(makeSnapshot({ height: 921_000, dropPct: 1 }));
    await block(makeSnapshot({ height: 921_001, dropPct: 13 }));
    const a1 = await fake.waitForBotMessage((m) => m.chatId === ann.id && m.plain.includes('Block 921001'), { timeoutMs: 20_000 });
    expect(a1.method).toBe('sendMessage');
    expect(a1.plain).toContain('hashrate-drop firing');
    expect((await fake.ask(annDm, ann, '/status')).method).toBe('sendMessage');

    const thrown = failing.calls;
    expect(thrown).toBeGreaterThanOrEqual(2); // the alert's and the reply's chart were asked for
    failing.mode = 'null';
    await block(makeSnapshot({ height: 921_002, dropPct: 1 }));
    await block(makeSnapshot({ height: 921_003, dropPct: 13 }));
    const a2 = await fake.waitForBotMessage((m) => m.chatId === ann.id && m.plain.includes('Block 921003'), { timeoutMs: 20_000 });
    expect(a2.method).toBe('sendMessage');
    expect((await fake.ask(annDm, ann, '/hashprice')).method).toBe('sendMessage');
    expect(fake.photos).toHaveLength(0);
    expect(failing.calls).toBeGreaterThan(thrown);
  });
});
