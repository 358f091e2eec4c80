/**
 * Discord's global 50 requests/s held by several notifiers together (issue 14): each notifier has
 * its own REST client and its own Redis connection — as separate processes would, they share
 * nothing but the send timeline in Redis (src/store/redis-send-slot.ts, taken in the REST
 * client's transport as each request leaves, src/platforms/discord/bot.ts). Three of them racing
 * 150 alerts into the stand-in (a token bucket of 50/s, as Discord) get no 429, and the stand-in
 * never sees more than 50 requests in any second. @discordjs/rest still keeps the per-channel
 * buckets (5 per 5 s) itself: 150 alerts over 30 channels is exactly that bucket's worth each.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/alerting/ports.ts';
import type { Subscription } from '../../src/alerting/types.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createDiscordNotifier, DISCORD_GLOBAL_PER_SEC } from '../../src/platforms/discord/bot.ts';
import { timelineSpec } from '../../src/platforms/send-timeline.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { redisSendSlot } from '../../src/store/redis-send-slot.ts';
import { DiscordStandIn } from '../fakes/discord/index.ts';
import { maxInWindow } from '../support/scale-out.ts';
import { testRedis } from '../support/redis.ts';

const keys = engineKeys(`hb-test-dc-timeline-${process.pid}:`);
const connections = [testRedis(6), testRedis(6), testRedis(6)];

afterAll(async () => {
  await connections[0]!.del(keys.sendSlot('discord'));
  for (const c of connections) c.disconnect();
});

describe('Discord send timeline across notifiers', () => {
  it('three notifiers sharing one Redis timeline hold 50 requests/s together: no 429, ≤ 50 in any second', async () => {
    const standIn = await DiscordStandIn.start({ channels: 30, globalPerSec: DISCORD_GLOBAL_PER_SEC });
    try {
      const spec = timelineSpec(DISCORD_GLOBAL_PER_SEC);
      const notifiers = connections.map((redis) =>
        createDiscordNotifier({
          token: standIn.token,
          apiBase: standIn.apiBase,
          logger: silentLogger(),
          sharedTimeline: redisSendSlot(redis, keys.sendSlot('discord'), spec),
        }),
      );
      const channels = standIn.channelIds();
      const N = 150;
      await Promise.all(
        Array.from({ length: N }, (_, i) => {
          const channel = channels[i % channels.length]!;
          const sub: Subscription = {
            id: `discord-channel-${channel}`,
            platform: 'discord',
            targetType: 'channel',
            targetId: channel,
            ownerId: '400000000000000001',
            timeZone: 'UTC',
            quiet: null,
            mutedUntilSec: null,
            active: true,
            createdSec: 0,
          };
          const hash = (i + 1).toString(16).padStart(64, '0');
          const message: OutboundMessage = {
            subscriptionId: sub.id,
            height: 900_000 + i,
            hash,
            digest: false,
            events: [
              {
                rule: '2',
                kind: 'hashrate-drop',
                state: 'firing',
                height: 900_000 + i,
                time: 1_750_000_000 + i * 600,
                value: 12.4,
                threshold: 10,
                text: 'Hash rate is 12.4 % below its 30d peak over the 3d window.',
                subscriptionId: sub.id,
                hash,
                details: {
                  title: 'Hash rate down 12.4 % (3d window)',
                  unit: '%',
                  window: '3d',
                  low: 8.1,
                  high: 16.2,
                  source: 'mempool',
                  dataAgeSec: 12,
                  severity: 'warn',
                  direction: 'down',
                },
              },
            ],
          };
          return notifiers[i % notifiers.length]!.send(sub, message);
        }),
      );
      const posted = standIn.messages();
      expect(posted).toHaveLength(N);
      expect(standIn.rest.stats.byStatus.get(429) ?? 0).toBe(0);
      expect(
        maxInWindow(
          posted.map((m) => m.atMs),
          1000,
        ),
      ).toBeLessThanOrEqual(DISCORD_GLOBAL_PER_SEC);
      // The timeline really was the shared one: every request booked its slot on it.
      expect(Number(await connections[0]!.hget(keys.sendSlot('discord'), 'n'))).toBe(N);
    } finally {
      await standIn.close();
    }
  }, 60_000);
});
