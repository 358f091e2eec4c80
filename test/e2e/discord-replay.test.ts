/**
 * A replayed chain through the whole Discord path with nothing faked but the platform: real blocks
 * (the synthetic epochs 471–472 fixture) → the real SnapshotBuilder → Redis chain state → the real
 * engine (createApp's judge and index plan; evaluate + deliver through BullMQ, real Redis) → the
 * REST notifier → the stand-in. The retarget at block 951552 reaches a member's DMs and a channel
 * as one embed message each, with the actual change of the epochs CSV; the blocks around it,
 * which carry no retarget, say nothing to the default rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMS } from '../fakes/discord/index.ts';
import { ANN, drained, startDiscordWorld, type DiscordWorld } from './discord-harness.ts';
import { csvChangePct, loadReplayedChain, RETARGET_HEIGHT, type ReplayedBlock } from './replayed-chain.ts';

let w: DiscordWorld;
let chain: ReplayedBlock[];

beforeAll(async () => {
  chain = (await loadReplayedChain()).slice(RETARGET_HEIGHT - 3, RETARGET_HEIGHT + 1);
  w = await startDiscordWorld('replay');
});
afterAll(async () => {
  await w.close();
});

type Embed = { title: string; fields: Array<{ name: string; value: string }>; footer: { text: string } };

describe('Discord alerts from a replayed chain', () => {
  it('delivers the retarget notice by DM and in the channel, once each, with the actual change', async () => {
    const s = w.standIn;
    const channel = s.channelIds()[2] ?? '';
    await s.invoke('start', {}, { userId: ANN });
    await s.invoke(
      'start',
      { target: 'channel' },
      { userId: ANN, channelId: channel, permissions: PERMS.ViewChannel | PERMS.ManageChannels },
    );
    expect(chain.map((x) => x.snapshot.height)).toEqual([951_549, 951_550, 951_551, 951_552, 951_553]);
    expect(chain.map((x) => x.snapshot.retargetOutcome?.height ?? null)).toEqual([
      null,
      null,
      null,
      RETARGET_HEIGHT,
      null,
    ]);
    const actual = await csvChangePct(472);
    expect(chain[3]?.snapshot.retargetOutcome?.changePct).toBeCloseTo(actual, 9);

    for (const b of chain) await w.block(b);
    const dm = s.dmChannelId(ANN);
    await s.waitForMessage((m) => m.channelId === dm);
    await s.waitForMessage((m) => m.channelId === channel);
    await drained(w);
    for (const id of [dm, channel]) {
      const messages = s.messages(id);
      expect(messages).toHaveLength(1);
      const e = messages[0]?.embeds[0] as unknown as Embed;
      // Issue 11: one statement per embed: the title, not repeated in content or description.
      expect(messages[0]?.content).toBe('');
      expect((e as unknown as { title: string }).title).toBe(`ℹ️ Difficulty retarget: +${actual.toFixed(2)} %`);
      expect(e.fields.find((f) => f.name === 'Value')?.value).toBe(`+${actual.toFixed(2)} %`);
      expect(e.fields.find((f) => f.name === 'Block')?.value).toMatch(/^951552 · /);
      // The scorecard: hashbell's and mempool's estimates at the epoch's checkpoints.
      expect(e.fields.map((f) => f.name)).toContain('closer');
      expect(e.fields.find((f) => f.name === 'Source')?.value).toBe('replay');
      expect(e.footer.text).toBe('alert 1');
    }
  });
});
