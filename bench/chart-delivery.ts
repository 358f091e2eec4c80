/**
 * Charts in delivery: 1,000 subscribers alerted on one block through the real Telegram and
 * Discord notifiers (Bot API / REST replaced by in-process recorders, pacing opened up) with the
 * real ChartService (resvg) — how many renderings that causes, and what a chart adds per delivery
 * compared with text only. Prints JSON lines {"bench","metric","value","unit"}.
 * Run: npx tsx bench/chart-delivery.ts
 */
import type { REST } from 'discord.js';
import type { OutboundMessage } from '../src/alerting/ports.ts';
import type { AlertEvent, Subscription } from '../src/alerting/types.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { ChartPointRing, ChartService } from '../src/charts/index.ts';
import type { Notifier } from '../src/alerting/ports.ts';
import { DiscordNotifier } from '../src/platforms/discord/notifier.ts';
import { TelegramNotifier } from '../src/platforms/telegram/notifier.ts';
import { TelegramPacer } from '../src/platforms/telegram/pacer.ts';
import { syntheticPoints } from '../test/unit/charts/synthetic.ts';

const SUBSCRIBERS = 1000;
const emit = (metric: string, value: number, unit: string): void =>
  void process.stdout.write(
    JSON.stringify({ bench: 'chart-delivery', metric, value: Number(value.toFixed(3)), unit }) + '\n',
  );

const points = syntheticPoints({ blocks: 6500 });
const tip = points.at(-1)!;
const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
const subs: Subscription[] = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
  id: `s${i}`,
  platform: 'telegram',
  targetType: 'chat',
  targetId: String(10_000 + i),
  ownerId: String(i),
  timeZone: zones[i % zones.length]!,
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
}));
const event = (sub: Subscription): AlertEvent => ({
  rule: '2',
  kind: 'hashrate-drop',
  state: 'firing',
  height: tip.height,
  time: tip.timeSec,
  value: 12.4,
  threshold: 10,
  text: 'x',
  subscriptionId: sub.id,
  hash: tip.hash,
  details: {
    title: 'Hash rate down 12.4 %',
    unit: '%',
    window: '3d',
    low: 8,
    high: 16,
    source: 'replay',
    dataAgeSec: 30,
    severity: 'warn',
  },
});
const message = (sub: Subscription): OutboundMessage => ({
  subscriptionId: sub.id,
  height: tip.height,
  hash: tip.hash,
  events: [event(sub)],
  digest: false,
});
const rules = async () => [{ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' } as const];

let uploads = 0;
const telegram = (charts?: ChartService): Notifier =>
  new TelegramNotifier({
    telegram: {
      sendMessage: async () => undefined,
      sendPhoto: async () => {
        uploads++;
      },
    },
    pacer: new TelegramPacer({ globalPerSec: 1e9, chatIntervalMs: 0, groupPerMin: 1e9, maxInlineWaitMs: 0 }),
    logger: silentLogger(),
    nowSec: () => tip.timeSec + 60,
    ...(charts ? { charts, chartRules: rules } : {}),
  });
const rest = {
  post: async (_r: string, o: { files?: unknown[] }) => {
    if (o.files) uploads++;
    return {};
  },
} as unknown as REST;
const discord = (charts?: ChartService): Notifier =>
  new DiscordNotifier({
    rest,
    logger: silentLogger(),
    ...(charts ? { charts, chartRules: rules } : {}),
  });

async function run(platform: string, make: (c?: ChartService) => Notifier): Promise<void> {
  const history = new ChartPointRing();
  for (const p of points) history.push(p);
  const forPlatform = (s: Subscription): Subscription => ({
    ...s,
    platform: platform as Subscription['platform'],
    targetType: platform === 'discord' ? 'channel' : 'chat',
  });
  const textOnly = make();
  await Promise.all(subs.map((s) => textOnly.send(forPlatform(s), message(s)))); // JIT warm-up
  let t = performance.now();
  await Promise.all(subs.map((s) => textOnly.send(forPlatform(s), message(s))));
  const textMs = performance.now() - t;
  const charts = new ChartService({ history });
  const withCharts = make(charts);
  uploads = 0;
  t = performance.now();
  await Promise.all(subs.map((s) => withCharts.send(forPlatform(s), message(s))));
  const chartMs = performance.now() - t;
  const st = charts.stats();
  emit(`${platform}_renderings_for_${SUBSCRIBERS}_alerts`, st.renderings, 'renderings');
  emit(`${platform}_distinct_zones`, zones.length, 'zones');
  emit(`${platform}_uploads`, uploads, 'messages');
  emit(`${platform}_text_only_${SUBSCRIBERS}_deliveries`, textMs, 'ms');
  emit(`${platform}_with_charts_${SUBSCRIBERS}_deliveries`, chartMs, 'ms');
  // Cache warm (the next 1,000 on the same block): a chart's cost per delivery once its picture exists.
  t = performance.now();
  await Promise.all(subs.map((s) => withCharts.send(forPlatform(s), message(s))));
  emit(`${platform}_with_warm_charts_${SUBSCRIBERS}_deliveries`, performance.now() - t, 'ms');
  emit(`${platform}_renderings_after_${2 * SUBSCRIBERS}_alerts`, charts.stats().renderings, 'renderings');
}

await run('telegram', telegram);
await run('discord', discord);
