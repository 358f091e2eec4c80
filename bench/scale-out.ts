/**
 * Issue 14 §6, timed: one mass firing (N Telegram subscribers, one block that fires for all)
 * through the Bot API stand-in (Telegram's limits: 30 msg/s overall, 1/s per chat), delivered by
 * (a) one process running evaluator + notifier and (b) two evaluators and three notifiers as
 * separate processes, each layout on its own private redis-server. Per layout: block → last
 * message (ms), the rate achieved over the cap, the most requests in any 1-s window at the
 * stand-in, 429s and duplicates. Goal: (b) finishes no later than (a) (ratio ≤ 1.05), both within
 * the cap, 0 duplicates.
 *
 *   npx tsx bench/scale-out.ts [--messages 300] [--notifiers 3] [--paid]
 *
 * `--notifiers P`: the second layout runs two evaluators and P notifiers. `--paid`:
 * TELEGRAM_PAID_BROADCAST=true in every process (allow_paid_broadcast, 1,000 messages/s; the
 * stand-in bills 0.1 Stars per message beyond the free 30/s): prints the processes, the rate, the
 * 429s and the Stars billed per layout.
 *
 * Prints JSON lines.
 */
import { FakeTelegramBotApi } from '../test/fakes/telegram-bot-api.ts';
import { TELEGRAM_FAQ_LIMITS } from '../test/fakes/telegram-limits.ts';
import { PAID_BROADCAST_PER_SEC } from '../src/platforms/telegram/pacer.ts';
import { getJson, privateRedis, spawnHashbell, until, type HashbellProcess } from '../test/support/hashbell-process.ts';
import {
  chatOf,
  densestWindow,
  duplicates,
  fireBlock,
  seedSubscribers,
  watchLoopStalls,
} from '../test/support/scale-out.ts';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const N = Number(arg('messages', '300'));
const PAID = process.argv.includes('--paid');
const NOTIFIERS = Math.max(1, Number(arg('notifiers', '3')));
const CAP = PAID ? PAID_BROADCAST_PER_SEC : TELEGRAM_FAQ_LIMITS.globalPerSec;
const emit = (layout: string, metric: string, value: number, unit: string): void =>
  void process.stdout.write(
    JSON.stringify({ bench: 'scale-out', layout, messages: N, metric, value: Number(value.toFixed(4)), unit }) + '\n',
  );

interface Layout {
  readonly name: string;
  readonly procs: ReadonlyArray<{ entry: 'all' | 'evaluator' | 'notifier'; roles?: string }>;
}

const LAYOUTS: readonly Layout[] = [
  { name: '1-process', procs: [{ entry: 'all', roles: 'evaluator,notifier' }] },
  {
    name: `2-evaluators-${NOTIFIERS}-notifiers`,
    procs: [
      { entry: 'evaluator' },
      { entry: 'evaluator' },
      ...Array.from({ length: NOTIFIERS }, () => ({ entry: 'notifier' as const })),
    ],
  },
];

async function run(layout: Layout): Promise<number> {
  const tg = await FakeTelegramBotApi.start({ limits: TELEGRAM_FAQ_LIMITS });
  const redis = await privateRedis();
  const procs: HashbellProcess[] = [];
  try {
    await seedSubscribers(redis.url, N);
    const env = {
      REDIS_URL: redis.url,
      MEMPOOL_URL: 'http://127.0.0.1:1',
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      ...(PAID ? { TELEGRAM_PAID_BROADCAST: 'true' } : {}),
    };
    for (const p of layout.procs)
      procs.push(spawnHashbell({ entry: p.entry, env: { ...env, ...(p.roles ? { ROLES: p.roles } : {}) } }));
    const urls = await Promise.all(procs.map((p) => p.httpUrl()));
    await until(
      'every process ready',
      async () => (await Promise.all(urls.map((u) => getJson(`${u}/readyz`)))).every((r) => r.status === 200),
      120_000,
    );
    const toSubscribers = () => tg.sent.filter((m) => m.chatId >= chatOf(0) && m.chatId < chatOf(N));
    const stallWatch = watchLoopStalls(100);
    const t0 = Date.now();
    await fireBlock(redis.url, 900_000);
    await until('every subscriber told', () => new Set(toSubscribers().map((m) => m.chatId)).size === N, 600_000);
    const sent = toSubscribers();
    const firstMs = Math.min(...sent.map((m) => m.atMs)) - t0;
    const lastMs = Math.max(...sent.map((m) => m.atMs)) - t0;
    await new Promise((r) => setTimeout(r, 2_000)); // late duplicates
    emit(layout.name, 'block_to_first_message', firstMs, 'ms');
    emit(layout.name, 'block_to_last_message', lastMs, 'ms');
    emit(layout.name, 'rate_over_cap', (N - 1) / ((lastMs - firstMs) / 1000) / CAP, 'ratio');
    const densest = densestWindow(tg.sent.map((m) => m.atMs));
    const stalls = stallWatch.stop();
    emit(layout.name, 'max_requests_in_any_1s', densest.count, 'requests');
    emit(layout.name, 'densest_second_after_first_request', densest.offsetMs, 'ms');
    // This process hosts the stand-in: requests arriving while it stood still are stamped together.
    emit(layout.name, 'stand_in_stalls_over_100ms', stalls.length, 'stalls');
    emit(layout.name, 'stand_in_longest_stall', Math.max(0, ...stalls.map(([a, b]) => b - a)), 'ms');
    emit(layout.name, 'rate_limited_429', tg.tooManyRequests, 'responses');
    emit(layout.name, 'duplicates', duplicates(toSubscribers().map((m) => m.chatId)).length, 'chats');
    emit(layout.name, 'processes', layout.procs.length, 'processes');
    emit(layout.name, 'messages_per_sec', (N - 1) / ((lastMs - firstMs) / 1000), 'msg/s');
    if (PAID) emit(layout.name, 'stars_billed', tg.paidBilled * 0.1, 'Telegram Stars (0.1 per message beyond 30/s)');
    return lastMs;
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.race([Promise.all(procs.map((p) => p.exited)), new Promise((r) => setTimeout(r, 15_000))]);
    for (const p of procs) p.kill();
    await redis.stop();
    await tg.close();
  }
}

const one = await run(LAYOUTS[0]!);
const five = await run(LAYOUTS[1]!);
emit(LAYOUTS[1]!.name, 'last_message_vs_1-process', five / one, 'ratio');
