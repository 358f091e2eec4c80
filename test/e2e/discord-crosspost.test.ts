/**
 * Crossposting through the real REST client against the stand-in: Discord publishes about 10
 * messages per announcement channel per hour; the 11th alert is still posted (the delivery
 * succeeds, nothing is retried or sent twice), only not crossposted, and the notifier does not
 * wait the hour out. A channel not known as an announcement channel costs no extra request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/alerting/ports.ts';
import type { AlertEvent, Subscription } from '../../src/alerting/types.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createDiscordNotifier } from '../../src/platforms/discord/bot.ts';
import { DiscordStandIn } from '../fakes/discord/index.ts';
import { PUBLISHES_PER_HOUR } from '../fakes/discord/rest.ts';

let standIn: DiscordStandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

const sub = (channelId: string): Subscription => ({
  id: `discord-channel-${channelId}`,
  platform: 'discord',
  targetType: 'channel',
  targetId: channelId,
  ownerId: '400000000000000101',
  timeZone: 'UTC',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
});
const message = (s: Subscription, height: number): OutboundMessage => {
  const hash = height.toString(16).padStart(64, '0');
  const e: AlertEvent = {
    rule: '1',
    kind: 'new-block',
    state: 'notice',
    height,
    time: 1_750_000_000 + height,
    value: height,
    threshold: 0,
    text: `block ${height}`,
    subscriptionId: s.id,
    hash,
    details: { title: `New block ${height}`, unit: '', source: 'mempool', dataAgeSec: 1, severity: 'info' },
  };
  return { subscriptionId: s.id, height, hash, events: [e], digest: false };
};

describe('Discord crosspost limits', () => {
  it('past 10 publishes an hour the alert is posted, not crossposted, and not held up', async () => {
    standIn = await DiscordStandIn.start({ messageBucket: { limit: 100, windowMs: 1000 } });
    const notifier = createDiscordNotifier({ token: standIn.token, apiBase: standIn.apiBase, logger: silentLogger() });
    const news = standIn.world.addAnnouncementChannel('hashbell-news');
    await notifier.noteChannelType(news.id, 5);
    const s = sub(news.id);
    const t0 = Date.now();
    for (let h = 1; h <= PUBLISHES_PER_HOUR + 1; h++) await notifier.send(s, message(s, 900_000 + h));
    expect(Date.now() - t0).toBeLessThan(60_000); // the hour-long Retry-After was not waited out
    expect(standIn.messages(news.id)).toHaveLength(PUBLISHES_PER_HOUR + 1);
    expect(standIn.world.crossposts).toHaveLength(PUBLISHES_PER_HOUR);
  });

  it('a text channel: one request per alert, no channel lookup, no crosspost', async () => {
    standIn = await DiscordStandIn.start();
    const notifier = createDiscordNotifier({ token: standIn.token, apiBase: standIn.apiBase, logger: silentLogger() });
    const channel = standIn.channelIds()[0] ?? '';
    const before = standIn.rest.stats.requests;
    await notifier.send(sub(channel), message(sub(channel), 900_001));
    expect(standIn.rest.stats.requests - before).toBe(1);
    expect(standIn.world.crossposts).toHaveLength(0);
  });
});
