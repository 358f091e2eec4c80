/**
 * A replayed chain through the whole Discord path: real blocks (the synthetic epochs 471–472
 * fixture) → the real SnapshotBuilder → the engine (evaluate + deliver through BullMQ, real
 * Redis) → the REST notifier → the stand-in. The retarget at block 951552 reaches a member's DMs
 * and a channel as one embed message each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachSnapshot } from '../../src/cli/replay-engine.ts';
import type { Snapshot } from '../../src/domain/snapshot-types.ts';
import { readBlocksFile } from '../../src/sources/replay/blocks-file.ts';
import { PERMS } from '../fakes/discord/index.ts';
import { ANN, startDiscordWorld, waitFor, type DiscordWorld } from './discord-harness.ts';

const RETARGET_HEIGHT = 951_552;
let w: DiscordWorld;
let chain: Snapshot[];

beforeAll(async () => {
  const blocks = await readBlocksFile('test/fixtures/synth-471-472.blocks.jsonl');
  chain = [];
  forEachSnapshot(blocks, [], (s) => { if (s.height >= RETARGET_HEIGHT - 3 && s.height <= RETARGET_HEIGHT + 1) chain.push(s); }, RETARGET_HEIGHT + 1);
  w = await startDiscordWorld('replay');
});
afterAll(async () => { await w.close(); });

describe('Discord alerts from a replayed chain', () => {
  it('delivers the retarget notice by DM and in the channel, once each', async () => {
    const s = w.standIn;
    const channel = s.channelIds()[2] ?? '';
    await s.invoke('start', {}, { userId: ANN });
    await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: channel, permissions: PERMS.ViewChannel | PERMS.ManageChannels });
    expect(chain.map((x) => x.height)).toEqual([951_549, 951_550, 951_551, 951_552, 951_553]);
    expect(chain[3]?.retargetOutcome?.height).toBe(RETARGET_HEIGHT);

    for (const snap of chain) await w.block(snap);
    const isRetarget = (m: { embeds: ReadonlyArray<Record<string, unknown>> }) => m.embeds.some((e) => String(e['title']).includes('retarget notice'));
    const dm = s.dmChannelId(ANN);
    const inDm = await s.waitForMessage((m) => m.channelId === dm && isRetarget(m));
    const inChannel = await s.waitForMessage((m) => m.channelId === channel && isRetarget(m));
    for (const m of [inDm, inChannel]) {
      const e = m.embeds.find((x) => String(x['title']).includes('retarget notice')) as { fields: Array<{ name: string; value: string }>; footer: { text: string } };
      expect(e.fields.find((f) => f.name === 'Block')?.value).toMatch(/^951552 · /);
      expect(e.footer.text).toMatch(/^Source: replay · /);
    }
    // At most one message per subscription per block.
    await waitFor(async () => (await w.app.deliverQueues.discord?.getJobCounts('waiting', 'active', 'delayed'))?.['waiting'] === 0, 5000, 'deliveries drained');
    for (const id of [dm, channel]) {
      const bodies = s.messages(id).filter((m) => m.embeds.length > 0);
      const blocks = bodies.map((m) => JSON.stringify(m.embeds).match(/"value":"(\d+) · /)?.[1]);
      expect(new Set(blocks).size).toBe(blocks.length);
    }
  });
});
