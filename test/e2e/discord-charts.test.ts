/**
 * Charts on Discord, end to end: the real ChartService (resvg) fed with the replayed blocks, the
 * real engine (judge, index plan, Redis chain state),
 * the REST notifier and discord.js against the stand-in, which parses the multipart upload and
 * checks that `attachment://` names an uploaded file. An alert and /retarget show their chart in
 * the embed; a chart service that throws or draws nothing leaves the embeds without a picture.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChartPointRing, ChartService } from '../../src/charts/index.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { PERMS, type UploadedFile } from '../fakes/discord/index.ts';
import { FailingCharts } from '../fakes/failing-charts.ts';
import { decodePng } from '../unit/charts/png-decode.ts';
import { ANN, startDiscordWorld, type DiscordWorld } from './discord-harness.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedBlock, type ReplayedChain } from './replayed-chain.ts';

let w: DiscordWorld | undefined;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MANAGER = PERMS.ViewChannel | PERMS.SendMessages | PERMS.ManageChannels;

/** The world with a chart service whose history follows the replayed blocks, as the watcher feeds it. */
async function chartWorld(
  name: string,
  charts?: ChartRenderer,
): Promise<{ world: DiscordWorld; feed(from: number, to: number): Promise<void> }> {
  const history = new ChartPointRing();
  const world = await startDiscordWorld(name, {}, { charts: charts ?? new ChartService({ history }) });
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

/** One PNG upload of the chart's size, and the embed shows exactly it. */
function expectChartShown(
  files: readonly UploadedFile[],
  embeds: ReadonlyArray<Record<string, unknown>>,
  kind: string,
): void {
  expect(files.map((f) => f.filename)).toEqual([`hashbell-${kind}.png`]);
  const img = decodePng(files[0]!.data);
  expect([img.width, img.height]).toEqual([1000, 560]);
  expect(files[0]?.contentType).toBe('image/png');
  expect((embeds[0]?.['image'] as { url?: string } | undefined)?.url).toBe(`attachment://hashbell-${kind}.png`);
}

describe('Discord charts (ChartService → attachment in the embed → stand-in multipart)', () => {
  it('an alert in a channel shows its chart in the embed, in one message; /retarget too; /help has none', async () => {
    const { world, feed } = await chartWorld('charts');
    const s = world.standIn;
    const channel = s.channelIds()[0] ?? '';
    await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: channel, permissions: MANAGER });
    // A day of replayed blocks up to the retarget: the default `retarget` rule tells it.
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const alert = await s.waitForMessage((m) => m.channelId === channel, 20_000);
    // Issue 11: the statement is said once, as the embed title with its one icon.
    expect((alert.embeds[0] as { title?: string }).title).toBe('ℹ️ Difficulty retarget: +1.72 %');
    expectChartShown(alert.attachments, alert.embeds, 'retarget');
    await new Promise((r) => setTimeout(r, 300));
    expect(s.messages(channel)).toHaveLength(1);

    const re = await s.invoke('retarget', {}, { userId: ANN, channelId: channel }, 20_000);
    expect(re.responses[0]?.kind).toBe('defer');
    expect(re.final.kind).toBe('edit');
    expect(String(re.embeds[0]?.['title'])).toContain('Next difficulty retarget');
    expectChartShown(re.files, re.embeds, 'retarget');
    const help = await s.invoke('help', {}, { userId: ANN });
    expect(help.files).toHaveLength(0);
  });

  it('a chart service that throws, or draws nothing, leaves alerts and replies without a picture', async () => {
    const failing = new FailingCharts();
    const { world, feed } = await chartWorld('charts-fail', failing);
    const s = world.standIn;
    await s.invoke('start', {}, { userId: ANN });
    await s.invoke('alert add retarget-soon', { blocks: 3 }, { userId: ANN });
    const dm = s.dmChannelId(ANN);
    // First alert (chart throws): 3 blocks to the retarget; second (chart null): the retarget.
    await feed(RETARGET_HEIGHT - 4, RETARGET_HEIGHT - 3);
    const a1 = await s.waitForMessage(
      (m) => m.channelId === dm && (m.embeds[0] as { title?: string } | undefined)?.title === 'ℹ️ Retarget in 3 blocks',
      20_000,
    );
    expect(a1.attachments).toHaveLength(0);
    expect(a1.embeds[0]?.['image']).toBeUndefined();
    const st = await s.invoke('status', {}, { userId: ANN });
    expect(st.files).toHaveLength(0);
    expect(String(st.embeds[0]?.['title'])).toBe(`Block ${RETARGET_HEIGHT - 3}`);

    const thrown = failing.calls;
    expect(thrown).toBeGreaterThanOrEqual(2); // the alert's and the reply's chart were asked for
    failing.mode = 'null';
    await feed(RETARGET_HEIGHT - 2, RETARGET_HEIGHT);
    const a2 = await s.waitForMessage(
      (m) =>
        m.channelId === dm &&
        String((m.embeds[0] as { title?: string } | undefined)?.title).startsWith('ℹ️ Difficulty retarget'),
      20_000,
    );
    expect(a2.attachments).toHaveLength(0);
    expect((await s.invoke('hashprice', {}, { userId: ANN })).files).toHaveLength(0);
    expect(failing.calls).toBeGreaterThan(thrown);
  });
});
