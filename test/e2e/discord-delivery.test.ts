/**
 * Alert delivery through the real engine to the Discord stand-in: a chain of blocks fires a rule
 * for a DM and a channel subscription; every permanent error code deactivates the right
 * subscription (and tells a channel's owner by DM); a 5xx is retried by BullMQ; a 429 delays a
 * message without losing or duplicating it; a gateway drop is resumed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PERMS } from '../fakes/discord/index.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { ANN, BOB, startDiscordWorld, waitFor, type DiscordWorld } from './discord-harness.ts';

let w: DiscordWorld | null = null;
afterEach(async () => { await w?.close(); w = null; });

const MANAGER = PERMS.ViewChannel | PERMS.SendMessages | PERMS.ManageChannels;
const firingChain = async (world: DiscordWorld, height: number) => {
  await world.block(makeSnapshot({ height, dropPct: 2 }));
  await world.block(makeSnapshot({ height: height + 1, dropPct: 14 }));
};

/** Subscribes ANN's DMs and a channel owned by ANN (default rules include a 10 % hash-rate drop). */
async function subscribeBoth(world: DiscordWorld): Promise<{ channel: string; dm: string }> {
  const s = world.standIn;
  const channel = s.channelIds()[0] ?? '';
  await s.invoke('start', {}, { userId: ANN });
  await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: channel, permissions: MANAGER });
  return { channel, dm: s.dmChannelId(ANN) };
}

describe('Discord delivery (engine → BullMQ → REST notifier → stand-in)', () => {
  it('delivers one embed alert by DM and one in the channel from a chain of blocks', async () => {
    w = await startDiscordWorld('dlv');
    const { channel, dm } = await subscribeBoth(w);
    await firingChain(w, 900_100);
    const inChannel = await w.standIn.waitForMessage((m) => m.channelId === channel);
    const inDm = await w.standIn.waitForMessage((m) => m.channelId === dm);
    for (const m of [inChannel, inDm]) {
      expect(m.content).toBe('hashrate-drop firing');
      const e = m.embeds[0] as { title: string; color: number; fields: Array<{ name: string; value: string }>; footer: { text: string } };
      expect(e.title).toBe('🔔 hashrate-drop firing');
      expect(e.fields.map((f) => f.name)).toEqual(['Value', 'Threshold', 'Block']);
      expect(e.fields[2]?.value).toMatch(/^900101 · /);
      expect(e.footer.text).toMatch(/^Source: replay · data .* old · alert 2$/);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(w.standIn.messages().length).toBe(2); // one message per subscription per block
  });

  it.each([10003, 50001, 50013] as const)('channel error %i deactivates the channel subscription and tells its owner by DM', async (code) => {
    w = await startDiscordWorld(`perm${code}`);
    const { channel, dm } = await subscribeBoth(w);
    w.standIn.failChannel(channel, code);
    await firingChain(w, 900_200);
    const told = await w.standIn.waitForMessage((m) => m.channelId === dm && m.content.startsWith(`About the alerts in <#${channel}>`));
    expect(told.content).toContain(`Discord ${code}`);
    expect(told.content).not.toContain('discord-channel-'); // words for a person, not internal ids
    await waitFor(async () => (await w!.store.get(w!.channelSubId(channel)))?.active === false, 10_000, 'channel deactivated');
    expect((await w.store.get(w.dmSubId(ANN)))?.active).toBe(true);
    // The DM alert itself still went out.
    await w.standIn.waitForMessage((m) => m.channelId === dm && m.embeds.length > 0);
  });

  it('50007 deactivates the DM subscription only', async () => {
    w = await startDiscordWorld('dm50007');
    const s = w.standIn;
    await s.invoke('start', {}, { userId: BOB });
    const { channel } = await subscribeBoth(w);
    s.closeDms(BOB);
    await firingChain(w, 900_300);
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
    await firingChain(w, 900_400);
    await w.standIn.waitForMessage((m) => m.channelId === channel, 15_000);
    expect(w.standIn.rest.stats.byStatus.get(502)).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.standIn.messages(channel).length).toBe(1);
  });

  it('a 429 with Retry-After delays the message but loses and duplicates nothing', async () => {
    w = await startDiscordWorld('429');
    const { channel } = await subscribeBoth(w);
    w.standIn.inject({ match: new RegExp(`^POST /channels/${channel}/messages$`), status: 429, retryAfterSec: 1, times: 2 });
    const t0 = Date.now();
    await firingChain(w, 900_500);
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
