/**
 * Alert delivery through the real engine (createApp's judge and index plan, snapshots from the
 * real SnapshotBuilder over the replayed epochs 471–472 chain, stored in Redis chain state) to
 * the Discord stand-in: the replayed blocks fire level rules and the retarget notice for a DM and
 * a channel subscription, each once; every permanent error code deactivates the right
 * subscription (and tells a channel's owner by DM); a 5xx is retried by BullMQ; a 429 delays a
 * message without losing or duplicating it; a gateway drop is resumed.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PERMS } from '../fakes/discord/index.ts';
import { ANN, BOB, drained, startDiscordWorld, waitFor, type DiscordWorld } from './discord-harness.ts';
import {
  csvChangePct,
  levelBetween,
  loadReplayedChain,
  RETARGET_HEIGHT,
  type ReplayedChain,
} from './replayed-chain.ts';

let w: DiscordWorld | null = null;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = null;
});

const MANAGER = PERMS.ViewChannel | PERMS.SendMessages | PERMS.ManageChannels;
/** Replays blocks from..RETARGET_HEIGHT: the default `retarget` rule tells the retarget. */
const replayRetarget = async (world: DiscordWorld, from = RETARGET_HEIGHT - 1) => {
  for (const b of replay.slice(from, RETARGET_HEIGHT)) await world.block(b);
};
type Embed = { title: string; color: number; fields: Array<{ name: string; value: string }>; footer: { text: string } };

/** Subscribes ANN's DMs and a channel owned by ANN (default rules include a 10 % hash-rate drop). */
async function subscribeBoth(world: DiscordWorld): Promise<{ channel: string; dm: string }> {
  const s = world.standIn;
  const channel = s.channelIds()[0] ?? '';
  await s.invoke('start', {}, { userId: ANN });
  await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: channel, permissions: MANAGER });
  return { channel, dm: s.dmChannelId(ANN) };
}

describe('Discord delivery (engine → BullMQ → REST notifier → stand-in)', () => {
  it("delivers the replayed chain's alerts by DM and in the channel, each once, with the real judge", async () => {
    w = await startDiscordWorld('dlv');
    const s = w.standIn;
    const { channel, dm } = await subscribeBoth(w);
    const after = replay.at(RETARGET_HEIGHT).snapshot;
    const level = levelBetween(replay.at(RETARGET_HEIGHT - 1).snapshot, after);
    const hp = await s.invoke('alert add hashprice-below', { usd: level }, { userId: ANN });
    const soon = await s.invoke(
      'alert add retarget-soon',
      { blocks: 3, target: 'channel' },
      { userId: ANN, channelId: channel, permissions: MANAGER },
    );
    expect(hp.content).toContain('Added alert `4` for your DMs');
    expect(soon.content).toContain(`Added alert \`4\` for <#${channel}>`);
    await replayRetarget(w, RETARGET_HEIGHT - 5);
    await s.waitForMessage((m) => m.channelId === dm);
    await drained(w);
    const blockOf = (e: Embed) => e.fields.find((f) => f.name === 'Block')?.value.split(' · ')[0];
    const byEmbed = (id: string) =>
      s
        .messages(id)
        .map((m) =>
          (m.embeds as unknown as Embed[]).map((e) => [blockOf(e), e.title, e.footer.text.replace(/^.* · /, '')]),
        );
    const retargetTitle = `ℹ️ Difficulty retarget: +${(await csvChangePct(472)).toFixed(2)} %`;
    // Channel: "3 blocks to go" on the block that crossed, then the retarget; one message each.
    expect(byEmbed(channel)).toEqual([
      [[String(RETARGET_HEIGHT - 3), 'ℹ️ Retarget in 3 blocks', 'alert 4']],
      [[String(RETARGET_HEIGHT), retargetTitle, 'alert 1']],
    ]);
    // DM: the hash-price crossing and the retarget, in one message for the one block.
    expect(byEmbed(dm)).toEqual([
      [
        [
          String(RETARGET_HEIGHT),
          `⚠️ Hash price below $${level}: ${'$' + Math.round(after.hashprice.usdPerPhDay! * 100) / 100}/PH/day`,
          'alert 4',
        ],
        [String(RETARGET_HEIGHT), retargetTitle, 'alert 1'],
      ],
    ]);
    const [dmMsg] = s.messages(dm);
    // Issue 11: content only heads several alerts; source and data age are fields.
    expect(dmMsg?.content).toBe(`2 alerts at block ${RETARGET_HEIGHT}`);
    expect((dmMsg?.embeds[0] as unknown as Embed).fields.map((f) => f.name)).toEqual([
      'Value',
      'Your threshold',
      'Block',
      'Source',
      'Data age',
    ]);
    expect(after.retargetOutcome?.changePct).toBeCloseTo(await csvChangePct(472), 9);
  });

  it.each([10003, 50001, 50013] as const)(
    'channel error %i deactivates the channel subscription and tells its owner by DM',
    async (code) => {
      w = await startDiscordWorld(`perm${code}`);
      const { channel, dm } = await subscribeBoth(w);
      w.standIn.failChannel(channel, code);
      await replayRetarget(w);
      const told = await w.standIn.waitForMessage(
        (m) => m.channelId === dm && m.content.startsWith(`About the alerts in <#${channel}>`),
      );
      expect(told.content).toContain(`Discord ${code}`);
      expect(told.content).not.toContain('discord-channel-'); // words for a person, not internal ids
      await waitFor(
        async () => (await w!.store.get(w!.channelSubId(channel)))?.active === false,
        10_000,
        'channel deactivated',
      );
      expect((await w.store.get(w.dmSubId(ANN)))?.active).toBe(true);
      // The DM alert itself still went out.
      await w.standIn.waitForMessage((m) => m.channelId === dm && m.embeds.length > 0);
    },
  );

  it('50007 deactivates the DM subscription only', async () => {
    w = await startDiscordWorld('dm50007');
    const s = w.standIn;
    await s.invoke('start', {}, { userId: BOB });
    const { channel } = await subscribeBoth(w);
    s.closeDms(BOB);
    await replayRetarget(w);
    await waitFor(async () => (await w!.store.get(w!.dmSubId(BOB)))?.active === false, 10_000, 'DM deactivated');
    await s.waitForMessage((m) => m.channelId === channel);
    expect((await w.store.get(w.dmSubId(ANN)))?.active).toBe(true);
    expect((await w.store.get(w.channelSubId(channel)))?.active).toBe(true);
    expect(s.messages(s.dmChannelId(BOB))).toEqual([]);
  });

  it('a 5xx is retried by BullMQ (REST itself does not retry) and delivered once', async () => {
    w = await startDiscordWorld('5xx');
    const { channel } = await subscribeBoth(w);
    w.standIn.inject({ match: new RegExp(`^POST /channels/${channel}/messages$`), status: 502, times: 1 });
    await replayRetarget(w);
    await w.standIn.waitForMessage((m) => m.channelId === channel, 15_000);
    expect(w.standIn.rest.stats.byStatus.get(502)).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.standIn.messages(channel).length).toBe(1);
  });

  it('a 429 with Retry-After delays the message but loses and duplicates nothing', async () => {
    w = await startDiscordWorld('429');
    const { channel } = await subscribeBoth(w);
    w.standIn.inject({
      match: new RegExp(`^POST /channels/${channel}/messages$`),
      status: 429,
      retryAfterSec: 1,
      times: 2,
    });
    const t0 = Date.now();
    await replayRetarget(w);
    const m = await w.standIn.waitForMessage((x) => x.channelId === channel, 15_000);
    expect(m.atMs - t0).toBeGreaterThanOrEqual(2000);
    expect(w.standIn.rest.stats.injected).toBe(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.standIn.messages(channel).length).toBe(1);
  });

  it('resumes the gateway after a drop; a command sent meanwhile is still answered', async () => {
    w = await startDiscordWorld('resume');
    await w.standIn.invoke('start', {}, { userId: ANN });
    w.standIn.drop();
    const r = await w.standIn.invoke('alert list', {}, { userId: ANN });
    expect(r.embeds[0]?.['title']).toBe('Alerts for your DMs (3)');
    expect(w.standIn.gateway.resumes).toBe(1);
    expect(w.standIn.gateway.identifies).toBe(1);
  });
});
