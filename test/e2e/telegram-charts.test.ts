/**
 * Charts on Telegram, end to end: the real ChartService (resvg) fed with the replayed blocks,
 * the real engine (judge, index plan, Redis chain state) and telegraf against the stand-in, which parses the multipart upload. An alert and
 * /status arrive as one photo with the text as caption; a chart that cannot be drawn (null) or a
 * chart service that throws leaves the text exactly as without charts.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChartPointRing, ChartService } from '../../src/charts/index.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { FailingCharts } from '../fakes/failing-charts.ts';
import type { SentMessage } from '../fakes/telegram-bot-api.ts';
import { decodePng } from '../unit/charts/png-decode.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedBlock, type ReplayedChain } from './replayed-chain.ts';
import { ann, annDm, startTelegramWorld, type TelegramWorld } from './telegram-harness.ts';

let w: TelegramWorld | undefined;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** The world with a chart service whose history follows the blocks, as the watcher feeds it. */
async function chartWorld(
  name: string,
  charts?: ChartRenderer,
): Promise<{ world: TelegramWorld; feed(from: number, to: number): Promise<void> }> {
  const history = new ChartPointRing();
  const world = await startTelegramWorld(name, { charts: charts ?? new ChartService({ history }) });
  w = world;
  const block = async (b: ReplayedBlock) => {
    history.push(b.snapshot);
    await world.block(b);
  };
  return {
    world,
    feed: async (from, to) => {
      for (const b of replay.slice(from, to)) await block(b);
    },
  };
}

/** Decoded, the upload is a 1000×560 picture with real content (not one flat colour). */
function expectRealChart(m: SentMessage, kind: string): void {
  expect(m.photo?.filename).toBe(`hashbell-${kind}.png`);
  const img = decodePng(m.photo!.data);
  expect([img.width, img.height]).toEqual([1000, 560]);
  const colours = new Set<number>();
  for (let i = 0; i < img.rgba.length; i += 4 * 97)
    colours.add((img.rgba[i]! << 16) | (img.rgba[i + 1]! << 8) | img.rgba[i + 2]!);
  expect(colours.size).toBeGreaterThan(10);
}

describe('Telegram charts (ChartService → telegraf sendPhoto → stand-in multipart)', () => {
  it('an alert arrives as ONE photo with the alert as caption; /status with its chart; /help stays text', async () => {
    const { world, feed } = await chartWorld('charts');
    const { fake } = world;
    await fake.ask(annDm, ann, '/start');
    const since = fake.sent.length;
    // A day of replayed blocks up to the retarget: the default `retarget` rule tells it.
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const alert = await fake.waitForBotMessage(
      (m) => m.chatId === ann.id && m.plain.includes(`Block ${RETARGET_HEIGHT}`),
      { since, timeoutMs: 20_000 },
    );
    expect(alert.method).toBe('sendPhoto');
    expect(alert.parseMode).toBe('HTML');
    expect(alert.text).toMatch(/<b>Difficulty retarget: \+1\.72 %<\/b>/);
    // A notice has no threshold of the user's (issue 11: no more "Threshold: 0 %").
    expect(alert.plain).toMatch(/Alert 1/);
    expect(alert.plain).not.toContain('Threshold');
    expectRealChart(alert, 'retarget');
    await new Promise((r) => setTimeout(r, 300));
    // One alert = one message: no extra text or second photo for it.
    expect(fake.sent.slice(since).filter((m) => m.chatId === ann.id)).toHaveLength(1);

    const status = await fake.ask(annDm, ann, '/status', 20_000);
    expect(status.method).toBe('sendPhoto');
    expect(status.plain).toContain(String(RETARGET_HEIGHT));
    expectRealChart(status, 'hashrate');
    const retarget = await fake.ask(annDm, ann, '/retarget', 20_000);
    expect(retarget.photo?.filename).toBe('hashbell-retarget.png');
    const help = await fake.ask(annDm, ann, '/help');
    expect(help.method).toBe('sendMessage');
    expect(fake.calls.filter((c) => c.method === 'sendPhoto').every((c) => c.status === 200)).toBe(true);
  });

  it('a chart service that throws, or draws nothing, leaves alerts and replies as text', async () => {
    const failing = new FailingCharts();
    const { world, feed } = await chartWorld('charts-fail', failing);
    const { fake } = world;
    await fake.ask(annDm, ann, '/start');
    await fake.ask(annDm, ann, '/alert retarget-soon 3');
    // First alert (chart throws): 3 blocks to the retarget; second (chart null): the retarget.
    await feed(RETARGET_HEIGHT - 4, RETARGET_HEIGHT - 3);
    const a1 = await fake.waitForBotMessage(
      (m) => m.chatId === ann.id && m.plain.includes(`Block ${RETARGET_HEIGHT - 3}`),
      { timeoutMs: 20_000 },
    );
    expect(a1.method).toBe('sendMessage');
    expect(a1.plain).toContain('Retarget in 3 blocks');
    expect((await fake.ask(annDm, ann, '/status')).method).toBe('sendMessage');

    const thrown = failing.calls;
    expect(thrown).toBeGreaterThanOrEqual(2); // the alert's and the reply's chart were asked for
    failing.mode = 'null';
    await feed(RETARGET_HEIGHT - 2, RETARGET_HEIGHT);
    const a2 = await fake.waitForBotMessage(
      (m) => m.chatId === ann.id && m.plain.includes(`Block ${RETARGET_HEIGHT}`),
      { timeoutMs: 20_000 },
    );
    expect(a2.method).toBe('sendMessage');
    expect(a2.plain).toContain('Difficulty retarget');
    expect((await fake.ask(annDm, ann, '/hashprice')).method).toBe('sendMessage');
    expect(fake.photos).toHaveLength(0);
    expect(failing.calls).toBeGreaterThan(thrown);
  });
});
