/**
 * Discord delivery throughput: N channel alerts (default 10,000) through the production REST
 * notifier (createDiscordNotifier → @discordjs/rest) into the Discord stand-in, which enforces
 * Discord's global 50 requests/s and per-channel buckets (5 per 5 s) with real X-RateLimit
 * headers. Goals: achieved rate ÷ 50 ≥ 0.95 and zero 429s received.
 *
 * Every request takes its slot on the shared send timeline in a private redis-server (production's
 * send gate); `--notifiers P` runs P notifiers, each with its own REST client and Redis
 * connection (as P processes: they share nothing but Redis), and prints the most requests the
 * stand-in saw in any one second.
 *
 * Run: npx tsx bench/discord-throughput.ts [--messages N] [--channels C] [--concurrency K] [--offset MS] [--notifiers P]
 *   --channels     distinct channels, round-robin (default 100: the per-channel buckets then allow
 *                  100/s, so the global limit is the one that binds)
 *   --concurrency  sends in flight at once, like deliver-worker concurrency (default 50)
 *   --offset       the REST client's rate-limit safety margin in ms (production default 50)
 *   --one-block    a mass firing: every message is the same block's alert with its chart (a stub
 *                  renderer) to its own channel (--channels = --messages); prints the time to the
 *                  last message against N/50, requests per alert and chart uploads (one per picture:
 *                  later embeds point at the first upload's URL, shared through Redis)
 * Prints JSON lines {"bench","metric","value","unit"}; what was run goes to stderr.
 */
import { parseArgs } from 'node:util';
import type { OutboundMessage } from '../src/alerting/ports.ts';
import type { AlertEvent, Subscription } from '../src/alerting/types.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { createDiscordNotifier, DISCORD_GLOBAL_PER_SEC } from '../src/platforms/discord/bot.ts';
import { Redis } from 'ioredis';
import { RedisPictureRefs } from '../src/store/redis-picture-refs.ts';
import { redisSendSlot } from '../src/store/redis-send-slot.ts';
import { timelineSpec } from '../src/platforms/send-timeline.ts';
import { privateRedis } from '../test/support/hashbell-process.ts';
import { maxInWindow } from '../test/support/scale-out.ts';
import { engineKeys } from '../src/store/keys.ts';
import { DiscordStandIn } from '../test/fakes/discord/index.ts';
import { makePng } from '../test/fakes/multipart.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '10000' },
    channels: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '50' },
    offset: { type: 'string', default: '50' },
    'one-block': { type: 'boolean', default: false },
    notifiers: { type: 'string', default: '1' },
  },
});
const P = Math.max(1, Number(values.notifiers));
const N = Number(values.messages);
const ONE_BLOCK = values['one-block'] === true;
const C = ONE_BLOCK ? N : Number(values.channels);
const K = Number(values.concurrency);
const OFFSET = Number(values.offset);
const GLOBAL = 50;
const emit = (metric: string, value: number, unit: string): void =>
  void process.stdout.write(
    JSON.stringify({ bench: 'discord-throughput', metric, value: Number(value.toFixed(4)), unit }) + '\n',
  );

const standIn = await DiscordStandIn.start({ channels: C, globalPerSec: GLOBAL });
const prefix = `hb-bench-dc-${process.pid}:`;
const server = await privateRedis();
const keys = engineKeys(prefix);
const png = makePng(1000, 560);
const spec = timelineSpec(DISCORD_GLOBAL_PER_SEC);
const connections = Array.from({ length: P }, () => new Redis(server.url));
const notifiers = connections.map((redis) =>
  createDiscordNotifier({
    token: standIn.token,
    apiBase: standIn.apiBase,
    logger: silentLogger(),
    restOffsetMs: OFFSET,
    sharedTimeline: redisSendSlot(redis, keys.sendSlot('discord'), spec),
    ...(ONE_BLOCK
      ? { charts: { render: async () => png }, pictures: new RedisPictureRefs(redis, keys, 'discord') }
      : {}),
  }),
);
const channels = standIn.channelIds();
const subs: Subscription[] = channels.map((id) => ({
  id: `discord-channel-${id}`,
  platform: 'discord',
  targetType: 'channel',
  targetId: id,
  ownerId: '400000000000000001',
  timeZone: 'UTC',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
}));
const event = (i: number): AlertEvent => ({
  rule: '2',
  kind: 'hashrate-drop',
  state: 'firing',
  height: 900_000 + (ONE_BLOCK ? 0 : i),
  time: 1_750_000_000 + (ONE_BLOCK ? 0 : i * 600),
  value: 12.4,
  threshold: 10,
  text: 'Hash rate is 12.4 % below its 30d peak over the 3d window.',
  subscriptionId: subs[i % C]?.id ?? '',
  hash: (ONE_BLOCK ? 7 : i).toString(16).padStart(64, '0'),
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
});

process.stderr.write(
  `# discord-throughput: ${N} messages over ${C} channels, ${K} in flight, ${P} notifier(s) sharing one Redis timeline, REST offset ${OFFSET} ms, stand-in global ${GLOBAL}/s, channel bucket 5/5s\n`,
);
let next = 0;
let failed = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: K }, async (_, w) => {
    const notifier = notifiers[w % P]!;
    while (next < N) {
      const i = next++;
      const sub = subs[i % C] as Subscription;
      const e = event(i);
      const msg: OutboundMessage = {
        subscriptionId: sub.id,
        height: e.height,
        hash: e.hash,
        events: [e],
        digest: false,
      };
      await notifier.send(sub, msg).catch(() => {
        failed++;
      });
    }
  }),
);
const elapsedSec = (performance.now() - t0) / 1000;
const delivered = standIn.messages().length;
const rate = delivered / elapsedSec;
emit('messages', N, 'count');
emit('delivered', delivered, 'count');
emit('failed', failed, 'count');
emit('elapsed', elapsedSec, 's');
emit('rate', rate, 'msg/s');
emit('rate_over_limit', rate / GLOBAL, 'ratio');
emit('http_429_received', standIn.rest.stats.byStatus.get(429) ?? 0, 'count');
emit('http_429_global', standIn.rest.stats.globalRateLimited, 'count');
emit('notifiers', P, 'notifiers sharing one timeline');
emit(
  'most_in_any_second',
  maxInWindow(
    standIn.messages().map((m) => m.atMs),
    1000,
  ),
  `requests (cap ${GLOBAL})`,
);
if (ONE_BLOCK) {
  emit('time_to_last_vs_floor', elapsedSec / (N / GLOBAL), 'ratio (goal ≤ 1.05; floor N/cap)');
  emit('requests_per_alert', standIn.rest.stats.requests / N, 'requests');
  emit('chart_uploads', standIn.messages().filter((m) => m.attachments.length > 0).length, 'uploads');
  emit('distinct_pictures', 1, 'pictures (kind × zone × theme)');
  const reused = standIn
    .messages()
    .filter((m) =>
      String(m.embeds[0]?.['image'] && (m.embeds[0]['image'] as { url?: string }).url).startsWith('https://'),
    );
  emit('chart_reuses', reused.length, 'embeds by URL');
}
for (const c of connections) c.disconnect();
await server.stop();
await standIn.close();
if (delivered !== N || failed > 0) {
  process.stderr.write(`# lost messages: delivered ${delivered} of ${N}, ${failed} failed\n`);
  process.exitCode = 1;
}
