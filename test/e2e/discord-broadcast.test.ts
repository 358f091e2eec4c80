/**
 * Issue 14 on Discord, end to end (the REST notifier and discord.js against the stand-in, the
 * real engine, Redis):
 * - one upload per picture: the second recipient's embed points at the first message's
 *   attachment URL (no upload);
 * - announcement channels: an alert posted there is crossposted once to the following servers;
 * - the operator's broadcast channel (BROADCAST_DISCORD_CHANNEL) is subscribed at start with the
 *   default rules, and /start in DMs points to it;
 * - permission loss in it is permanent: the subscription pauses, nobody is DMed (the operator
 *   reads the log), nothing is retried.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChartPointRing, ChartService } from '../../src/charts/index.ts';
import { BROADCAST_OWNER } from '../../src/alerting/broadcast.ts';
import { PERMS, type PostedMessage } from '../fakes/discord/index.ts';
import {
  ANN,
  BOB,
  startDiscordWorld,
  waitFor,
  type DiscordWorld,
  type DiscordWorldOptions,
} from './discord-harness.ts';
import { loadReplayedChain, RETARGET_HEIGHT, type ReplayedChain } from './replayed-chain.ts';

let w: DiscordWorld | undefined;
let replay: ReplayedChain;
beforeAll(async () => {
  replay = await loadReplayedChain();
});
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const MANAGER = PERMS.ViewChannel | PERMS.SendMessages | PERMS.EmbedLinks | PERMS.ManageChannels;

async function world(
  name: string,
  opts: Omit<DiscordWorldOptions, 'charts'> = {},
): Promise<{ world: DiscordWorld; feed(from: number, to: number): Promise<void> }> {
  const history = new ChartPointRing();
  w = await startDiscordWorld(name, {}, { charts: new ChartService({ history }), ...opts });
  const wd = w;
  return {
    world: wd,
    feed: async (from, to) => {
      for (const b of replay.slice(from, to)) {
        history.push(b.snapshot);
        await wd.block(b);
      }
    },
  };
}

const isRetarget = (m: PostedMessage): boolean =>
  String((m.embeds[0] as { title?: string } | undefined)?.title).startsWith('ℹ️ Difficulty retarget');
const imageUrl = (m: PostedMessage): string | undefined => (m.embeds[0]?.['image'] as { url?: string })?.url;

describe('Discord: one upload per picture', () => {
  it('the second recipient’s embed shows the first upload by its attachment URL', async () => {
    const { world: wd, feed } = await world('dc-reuse');
    const s = wd.standIn;
    await s.invoke('start', {}, { userId: ANN });
    await s.invoke('start', {}, { userId: BOB });
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const a = await s.waitForMessage((m) => m.channelId === s.dmChannelId(ANN) && isRetarget(m), 20_000);
    const b = await s.waitForMessage((m) => m.channelId === s.dmChannelId(BOB) && isRetarget(m), 20_000);
    const [first, second] = a.attachments.length > 0 ? [a, b] : [b, a];
    expect(first.attachments.map((f) => f.filename)).toEqual(['hashbell-retarget.png']);
    expect(imageUrl(first)).toBe('attachment://hashbell-retarget.png');
    expect(second.attachments).toHaveLength(0);
    expect(imageUrl(second)).toBe(
      `https://cdn.discordapp.test/attachments/${first.channelId}/${first.id}/hashbell-retarget.png`,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(s.messages().filter(isRetarget)).toHaveLength(2); // one message per alert
  });
});

describe('Discord announcement channels', () => {
  it('an alert in an announcement channel is posted once and crossposted once', async () => {
    let newsId = '';
    const { world: wd, feed } = await world('dc-announce', {
      prepare: (st) => void (newsId = st.world.addAnnouncementChannel('hashbell-news', 12).id),
    });
    const s = wd.standIn;
    const news = { id: newsId };
    await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: news.id, permissions: MANAGER });
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const post = await s.waitForMessage((m) => m.channelId === news.id && isRetarget(m), 20_000);
    await waitFor(async () => s.world.crossposts.length === 1, 10_000);
    expect(s.world.crossposts[0]).toMatchObject({ channelId: news.id, messageId: post.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.messages(news.id).filter(isRetarget)).toHaveLength(1);
    expect(s.world.crossposts).toHaveLength(1);
  });

  it('a text channel is not crossposted (no request that Discord would refuse)', async () => {
    const { world: wd, feed } = await world('dc-text');
    const s = wd.standIn;
    const channel = s.channelIds()[0] ?? '';
    await s.invoke('start', { target: 'channel' }, { userId: ANN, channelId: channel, permissions: MANAGER });
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    await s.waitForMessage((m) => m.channelId === channel && isRetarget(m), 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.world.crossposts).toHaveLength(0);
  });
});

describe('Discord broadcast channel (BROADCAST_DISCORD_CHANNEL)', () => {
  let newsId = '';
  const broadcast = (s: DiscordWorld['standIn']): string => {
    newsId = s.world.addAnnouncementChannel('hashbell-news').id;
    return newsId;
  };

  it('subscribed at start; alerts posted and crossposted; /start in DMs points to it', async () => {
    const { world: wd, feed } = await world('dc-broadcast', { broadcast });
    const s = wd.standIn;
    const subId = wd.channelSubId(newsId);
    await waitFor(async () => (await wd.store.get(subId))?.active === true, 10_000);
    expect((await wd.store.get(subId))?.ownerId).toBe(BROADCAST_OWNER);

    const start = await s.invoke('start', {}, { userId: ANN });
    expect(start.content).toContain(`#hashbell-news (https://discord.com/channels/${s.guildId}/${newsId})`);

    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    const post = await s.waitForMessage((m) => m.channelId === newsId && isRetarget(m), 20_000);
    await waitFor(async () => s.world.crossposts.some((c) => c.messageId === post.id), 10_000);
  });

  it('missing permissions there: permanent, paused, no DM to anyone, not retried', async () => {
    const { world: wd, feed } = await world('dc-broadcast-perm', { broadcast });
    const s = wd.standIn;
    const subId = wd.channelSubId(newsId);
    await waitFor(async () => (await wd.store.get(subId))?.active === true, 10_000);
    s.failChannel(newsId, 50013);
    const before = s.messages().length;
    const requests = s.rest.stats.byStatus.get(403) ?? 0;
    await feed(RETARGET_HEIGHT - 143, RETARGET_HEIGHT);
    await waitFor(async () => (await wd.store.get(subId))?.active === false, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(s.messages().length).toBe(before); // nothing posted, and no DM to an "owner"
    expect((s.rest.stats.byStatus.get(403) ?? 0) - requests).toBe(1); // refused once, never retried
    expect(s.world.crossposts).toHaveLength(0);
  });
});
