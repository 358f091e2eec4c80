/**
 * Charts on Discord, end to end: the real ChartService (resvg) fed with the blocks, the engine,
 * the REST notifier and discord.js against the stand-in, which parses the multipart upload and
 * checks that `attachment://` names an uploaded file. An alert and /retarget show their chart in
 * the embed; a chart service that throws or draws nothing leaves the embeds without a picture.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChartPointRing, ChartService } from '../../src/charts/index.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import type { ChartRenderer } from '../../src/platforms/chart-picture.ts';
import { PERMS, type UploadedFile } from '../fakes/discord/index.ts';
import { FailingCharts } from '../fakes/failing-charts.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { decodePng } from '../unit/charts/png-decode.ts';
import { ANN, startDiscordWorld, type DiscordWorld } from './discord-harness.ts';

const DB = 13;
let w: DiscordWorld | undefined;
afterEach(async () => { await w?.close(); w = undefined; });

const MANAGER = PERMS.ViewChannel | PERMS.SendMessages | PERMS.ManageChannels;

async function chartWorld(name: string, charts?: ChartRenderer): Promise<{ world: DiscordWorld; block(s: Snapshot): Promise<void> }> {
  const history = new ChartPointRing();
  const world = await startDiscordWorld(name, {}, { db: DB, charts: charts ?? new ChartService({ history }) });
  w = world;
  return { world, block: async (s) => { history.push(s); await world.block(s); } };
}

/** One PNG upload of the chart's size, and the embed shows exactly it. */
function expectChartShown(files: readonly UploadedFile[], embeds: ReadonlyArray<Record<string, unknown>>, kind: string): void {
  expect(files.map((f) => f.filename)).toEqual([`hashbell-${kind}.png`]);
  const img = decodePng(files[0]!.data);
  expect([img.width, img.height]).toEqual([1000, 560]);
  expect(files[0]?.contentType).toBe('image/png');
  expect((embeds[0]?.['image'] as { url?: string } | undefined)?.url).toBe(`attachment://hashbell-${kind}.png`);
}

describe('Discord charts (ChartService → attachment in the embed → stand-in multipart)', () => {
  it('an alert in a channel shows its chart in the embed, in one message; /retarget too; /help has none', async () => {
    const { world, block } = await chartWorld('charts');
    const s = world.standIn;
    const channel = s.channelIds()[0] ?? '';
    await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: channel, permissions: MANAGER });
    await block(makeSnapshot({ height: 930_000, dropPct: 1 }));
    await block(makeSnapshot({ height: 930_001, dropPct: 13 }));
    const alert = await s.waitForMessage((m) => m.channelId === channel, 20_000);
    expect(alert.content).toBe('hashrate-drop firing');
    expectChartShown(alert.attachments, alert.embeds, 'hashrate');
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
    const { world, block } = await chartWorld('charts-fail', failing);
    const s = world.standIn;
    await s.invoke('start', {}, { userId: ANN });
    const dm = s.dmChannelId(ANN);
    await block(makeSnapshot({ height: 931_000, dropPct: 1 }));
    await block(makeSnapshot({ height: 931_001, dropPct: 13 }));
    const a1 = await s.waitForMessage((m) => m.channelId === dm && JSON.stringify(m.embeds).includes('931001'), 20_000);
    expect(a1.attachments).toHaveLength(0);
    expect(a1.embeds[0]?.['image']).toBeUndefined();
    const st = await s.invoke('status', {}, { userId: ANN });
    expect(st.files).toHaveLength(0);
    expect(String(st.embeds[0]?.['title'])).toBe('Block 931001');

    const thrown = failing.calls;
    expect(thrown).toBeGreaterThanOrEqual(2); // the alert's and the reply's chart were asked for
    failing.mode = 'null';
    await block(makeSnapshot({ height: 931_002, dropPct: 1 }));
    await block(makeSnapshot({ height: 931_003, dropPct: 13 }));
    const a2 = await s.waitForMessage((m) => m.channelId === dm && JSON.stringify(m.embeds).includes('931003'), 20_000);
    expect(a2.attachments).toHaveLength(0);
    expect((await s.invoke('hashprice', {}, { userId: ANN })).files).toHaveLength(0);
    expect(failing.calls).toBeGreaterThan(thrown);
  });
});
