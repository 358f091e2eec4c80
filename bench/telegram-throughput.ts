/**
 * Telegram delivery throughput: N alerts to N different chats through the Bot API stand-in, which
 * enforces Telegram's flood limits (30 msg/s overall, 1/s per chat, 20/min per group) and answers
 * 429 beyond them. Goal: achieved rate ÷ 30 ≥ 0.95 with zero 429s and nothing lost.
 *
 *   npx tsx bench/telegram-throughput.ts [--messages 10000] [--via engine|notifier] [--concurrency 32]
 *
 * --via engine (default): N subscriptions in a private redis-server, one block that fires for all,
 *   the real evaluate → deliver BullMQ path with production's limiter and send gate (the shared
 *   Redis timeline) and the Telegram notifier.
 *   Every alert carries a chart (a stub renderer: uploads, not rendering, are measured here), the
 *   subscribers spread over `--zones` time zones (that many distinct pictures), uploads shared
 *   through Redis (RedisPictureRefs). Prints the time from the block to the last message against
 *   the floor N/30, requests per alert, and chart uploads against distinct pictures.
 *   `--broadcast`: one more subscription, the operator's channel with the default rules; prints
 *   how long after the block its one post was accepted (every reader of the channel, `--readers`,
 *   default N, is told then). `--messages 1 --broadcast --readers 1000000`: the channel alone.
 *   `--paid`: TELEGRAM_PAID_BROADCAST (allow_paid_broadcast; limiter and send gate at 1,000/s) and the
 *   Stars the stand-in would bill.
 * --via notifier: the notifier alone, driven with BullMQ-like concurrency; a rate-limited job is
 *   re-queued after retryAfterMs, as BullMQ would.
 * The rate is measured between the first and last message the stand-in accepted.
 */
import { loadConfig } from '../config/index.ts';
import { Redis } from 'ioredis';
import type { OutboundMessage } from '../src/alerting/ports.ts';
import { DeliveryError } from '../src/alerting/ports.ts';
import type { Subscription } from '../src/alerting/types.ts';
import { createApp } from '../src/app/create-app.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { EvaluateJobSchema, evaluateJobId } from '../src/jobs/queues.ts';
import { createTelegramNotifier, PAID_BROADCAST_PER_SEC } from '../src/platforms/telegram/bot.ts';
import { broadcastTarget } from '../src/subscriptions/broadcast.ts';
import { makePng } from '../test/fakes/multipart.ts';
import { ThresholdJudge } from '../test/fakes/memory-judge.ts';
import { simplePlan } from '../test/fakes/memory-plan.ts';
import { makeSnapshot, MemorySnapshotReader } from '../test/fakes/memory-snapshots.ts';
import { FakeTelegramBotApi } from '../test/fakes/telegram-bot-api.ts';
import { TELEGRAM_FAQ_LIMITS } from '../test/fakes/telegram-limits.ts';
import { cleanPrefix } from '../test/integration/engine-harness.ts';
import { privateRedis } from '../test/support/hashbell-process.ts';
import { maxInWindow } from '../test/support/scale-out.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const N = Number(arg('messages', '10000'));
const VIA = arg('via', 'engine');
const CONCURRENCY = Number(arg('concurrency', '32'));
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney'].slice(
  0,
  Math.max(1, Number(arg('zones', '3'))),
);
const BROADCAST = process.argv.includes('--broadcast');
const PAID = process.argv.includes('--paid');
const LIMIT = PAID ? PAID_BROADCAST_PER_SEC : TELEGRAM_FAQ_LIMITS.globalPerSec;
const CHANNEL_ID = -1009999999999;
/** People reading the broadcast channel (one post reaches all of them). */
const READERS = Number(arg('readers', String(N)));
/** When the block that fires for everyone was handed to the evaluator (ms). */
let blockAtMs = 0;
const emit = (metric: string, value: number, unit: string): void =>
  void process.stdout.write(
    JSON.stringify({ bench: 'telegram-throughput', metric, value: Number(value.toFixed(4)), unit }) + '\n',
  );
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(50);
  }
  return true;
}

/** Resolves once a BullMQ job has finished (completed or failed). */
async function waitJob(job: { isCompleted(): Promise<boolean>; isFailed(): Promise<boolean> }): Promise<void> {
  while (!(await job.isCompleted()) && !(await job.isFailed())) await sleep(20);
}

async function viaNotifier(fake: FakeTelegramBotApi): Promise<void> {
  const notifier = createTelegramNotifier({ token: fake.token, apiRoot: fake.apiRoot, logger: silentLogger() });
  const s = makeSnapshot({ height: 900_001, dropPct: 14 });
  const queue: number[] = Array.from({ length: N }, (_, i) => 1_000_000 + i);
  let requeued = 0;
  const worker = async (): Promise<void> => {
    for (let chat = queue.shift(); chat !== undefined; chat = queue.shift()) {
      const sub: Subscription = {
        id: `telegram-chat-${chat}`,
        platform: 'telegram',
        targetType: 'chat',
        targetId: String(chat),
        ownerId: String(chat),
        timeZone: 'UTC',
        quiet: null,
        mutedUntilSec: null,
        active: true,
        createdSec: 0,
      };
      const message: OutboundMessage = {
        subscriptionId: sub.id,
        height: s.height,
        hash: s.hash,
        digest: false,
        events: [
          {
            rule: '2',
            kind: 'hashrate-drop',
            state: 'firing',
            height: s.height,
            time: s.timeSec,
            value: 14,
            threshold: 10,
            text: 'drop',
            subscriptionId: sub.id,
            hash: s.hash,
            details: {
              title: 'Hash rate down 14 %',
              unit: '%',
              window: '3d',
              low: 10.2,
              high: 17.6,
              source: 'mempool',
              dataAgeSec: 3,
              severity: 'warn',
            },
          },
        ],
      };
      try {
        await notifier.send(sub, message);
      } catch (e) {
        if (!(e instanceof DeliveryError) || e.kind === 'permanent') throw e;
        requeued++;
        const back = chat;
        setTimeout(() => queue.push(back), e.context.retryAfterMs ?? 1000);
      }
    }
  };
  while (fake.sent.length < N) {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (fake.sent.length < N) await sleep(100);
  }
  emit('requeued', requeued, 'jobs');
}

async function viaEngine(fake: FakeTelegramBotApi): Promise<void> {
  const prefix = `hb-bench-tg-${process.pid}`;
  const server = await privateRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  await cleanPrefix(redis, prefix);
  const snapshots = new MemorySnapshotReader();
  const png = makePng(1000, 560);
  const app = await createApp(
    loadConfig({
      ROLES: 'evaluator,notifier',
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      ...(PAID ? { TELEGRAM_PAID_BROADCAST: 'true' } : {}),
    }),
    {
      redis,
      keyPrefix: `${prefix}:`,
      queuePrefix: prefix,
      logger: silentLogger(),
      judge: new ThresholdJudge(),
      plan: simplePlan,
      snapshots,
      // A stand-in picture: uploads (shared through Redis, as in production) are measured, not rendering.
      charts: { render: async () => png },
      tickEveryMs: 0,
      deliverConcurrency: CONCURRENCY,
    },
  );
  if (PAID) process.stderr.write('# paid broadcast: allow_paid_broadcast, limiter and send gate at 1,000/s\n');
  try {
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < N; i += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, N - i) }, async (_, j) => {
          const t = {
            platform: 'telegram' as const,
            targetType: 'chat' as const,
            targetId: String(1_000_000 + i + j),
            userId: '1',
          };
          await app.service.start(t, now);
          const zone = ZONES[(i + j) % ZONES.length]!;
          if (zone !== 'UTC') await app.service.setTimeZone?.(t, zone);
        }),
      );
    }
    if (BROADCAST) {
      fake.addChannel({ id: CHANNEL_ID, title: 'hashbell alerts', username: 'hashbell_alerts', subscribers: READERS });
      await app.service.start(broadcastTarget({ platform: 'telegram', targetId: String(CHANNEL_ID) }), now);
    }
    for (const s of [makeSnapshot({ height: 900_000, dropPct: 1 }), makeSnapshot({ height: 900_001, dropPct: 14 })]) {
      snapshots.put(s);
      if (s.height === 900_001) blockAtMs = Date.now();
      const job = await app.evaluateQueue.add(
        'evaluate',
        EvaluateJobSchema.parse({ height: s.height, hash: s.hash, correction: false }),
        { jobId: evaluateJobId(s.hash) },
      );
      // The quiet block first (it sets every rule's state), so the clock starts at the firing one.
      if (s.height === 900_000) await waitJob(job);
    }
    const total = N + (BROADCAST ? 1 : 0);
    const done = await waitUntil(() => fake.sent.length >= total, (N / LIMIT) * 1000 * 3 + 60_000);
    if (!done) process.stderr.write(`# only ${fake.sent.length} of ${N} delivered before the timeout\n`);
  } finally {
    await app.shutdown(10_000);
    await cleanPrefix(redis, prefix);
    redis.disconnect();
    await server.stop();
  }
}

const fake = await FakeTelegramBotApi.start({ limits: TELEGRAM_FAQ_LIMITS });
process.stderr.write(`# telegram-throughput: ${N} alerts to ${N} chats via ${VIA}, stand-in limit ${LIMIT}/s\n`);
try {
  await (VIA === 'notifier' ? viaNotifier(fake) : viaEngine(fake));
  const personal = fake.sent.filter((m) => m.chatId !== CHANNEL_ID);
  const times = personal.map((m) => m.atMs);
  const spanSec = (Math.max(...times) - Math.min(...times)) / 1000;
  const rate = spanSec > 0 ? (personal.length - 1) / spanSec : 0;
  const chats = new Set(personal.map((m) => m.chatId));
  emit('messages_per_sec', rate, 'msg/s');
  emit('rate_vs_limit', rate / LIMIT, 'ratio');
  emit('http_429', fake.tooManyRequests, 'count');
  emit('most_in_any_second', maxInWindow(times, 1000), `requests (cap ${LIMIT})`);
  emit('lost', N - chats.size, 'messages');
  emit('duplicates', personal.length - chats.size, 'messages');
  if (VIA !== 'notifier') {
    const lastSec = (Math.max(...times) - blockAtMs) / 1000;
    emit('time_to_last_sec', lastSec, 's');
    emit('time_to_last_vs_floor', lastSec / (N / LIMIT), 'ratio (goal ≤ 1.05; floor N/cap)');
    const sends = fake.calls.filter((c) => /^send(message|photo)$/i.test(c.method)).length;
    emit('requests_per_alert', sends / (fake.sent.length || 1), 'requests');
    emit('photo_messages', fake.photos.length, 'messages');
    emit('chart_uploads', fake.photoUploads, 'uploads');
    emit('distinct_pictures', ZONES.length, 'pictures (kind × zone × theme)');
    emit('chart_reuses', fake.photoReuses, 'file_id sends');
    emit('first_message_after_block_sec', (Math.min(...times) - blockAtMs) / 1000, 's');
    const post = fake.sent.find((m) => m.chatId === CHANNEL_ID);
    if (BROADCAST) emit('broadcast_readers_told', post === undefined ? 0 : READERS, 'readers (one post)');
    if (BROADCAST)
      emit('broadcast_post_after_block_sec', post === undefined ? -1 : (post.atMs - blockAtMs) / 1000, 's (goal ≤ 1)');
    if (PAID) emit('stars_billed', fake.paidBilled * 0.1, 'Telegram Stars (0.1 per message beyond the free 30/s)');
  }
} finally {
  await fake.close();
}
