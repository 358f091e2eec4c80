/**
 * Issue 15's measurement, repeatable: a plain member sends 25 /status in a subscribed group; once
 * the bot has stopped answering (the group's messages are spent, or its command budget is), a
 * block fires alerts for that group and 24 unrelated private chats. Prints the unrelated chats'
 * alert latency (block in → message at the stand-in) for that run and for a control run without
 * the spam, through the real telegraf, engine and BullMQ against the stand-in enforcing
 * Telegram's limits (30/s, 1/s per chat, 20/min per group) with real 429 bodies.
 *
 *   npx tsx bench/telegram-group-spam.ts [--redis redis://127.0.0.1:6379/8] [--burst 8]
 *
 * --burst: the command budget's burst (production 8); 25 switches the budget off in effect, so
 * the replies spend the group's 20/min and only the isolation of the queue protects the others.
 *
 * Issue 15 measured 10–17 of 24 private chats ~33 s late before the fix (0.9 s in control).
 */
import { parseArgs } from 'node:util';
import { TELEGRAM_LIMITS } from '../src/platforms/telegram/pacer.ts';
import { loadReplayedChain, RETARGET_HEIGHT } from '../test/e2e/replayed-chain.ts';
import { ann, bob, drained, startTelegramWorld, waitFor } from '../test/e2e/telegram-harness.ts';
import type { FakeChat } from '../test/fakes/telegram-bot-api.ts';
import { TELEGRAM_FAQ_LIMITS } from '../test/fakes/telegram-limits.ts';

const { values } = parseArgs({
  options: { redis: { type: 'string', default: 'redis://127.0.0.1:6379/8' }, burst: { type: 'string', default: '8' } },
});
const emit = (metric: string, value: number, unit: string): void =>
  void process.stdout.write(
    JSON.stringify({ bench: 'telegram-group-spam', metric, value: Number(value.toFixed(1)), unit }) + '\n',
  );

const GROUP: FakeChat = { id: -7001, type: 'group', title: 'Farm' };
const PRIVATE = Array.from({ length: 24 }, (_, i) => 7101 + i);
const replay = await loadReplayedChain();
const [before, retarget] = replay.slice(RETARGET_HEIGHT - 1, RETARGET_HEIGHT);

async function run(
  name: string,
  spam: boolean,
): Promise<{
  latencies: number[];
  groupMs: number;
  late: number;
  alerts: number[];
  http429: number;
  groupReplies: number;
}> {
  // The production pacer and (unless --burst) the production command budget.
  const w = await startTelegramWorld(`bench-spam-${name}-${process.pid}`, {
    fakeLimits: TELEGRAM_FAQ_LIMITS,
    botLimits: TELEGRAM_LIMITS,
    redisUrl: values.redis,
    gate: { budget: { burst: Number(values.burst), perMinute: 6 } },
  });
  try {
    const now = Math.floor(Date.now() / 1000);
    await w.app.service.start(
      { platform: 'telegram', targetType: 'chat', targetId: String(GROUP.id), userId: String(ann.id) },
      now,
    );
    for (const id of PRIVATE)
      await w.app.service.start(
        { platform: 'telegram', targetType: 'chat', targetId: String(id), userId: String(id) },
        now,
      );
    await w.block(before!);
    await drained(w);
    const inGroup = () => w.fake.sent.filter((m) => m.chatId === GROUP.id).length;
    if (spam) {
      for (let i = 0; i < 25; i++) w.fake.sendUserMessage(GROUP, bob, '/status');
      // wait until the group has had no message for 3 s: the bot answered all it was going to
      let last = -1;
      let quietSince = Date.now();
      await waitFor(
        () => {
          const n = inGroup();
          if (n !== last || n === 0) {
            last = n;
            quietSince = Date.now();
          }
          return Date.now() - quietSince > 3000;
        },
        120_000,
        'the replies to end',
      );
    }
    const replies = inGroup();
    // The retarget alert (a /status answered after the block came in names the block too).
    const isAlert = (text: string) =>
      text.includes(`Block ${RETARGET_HEIGHT}`) && /Difficulty retarget: [+−-]/.test(text);
    const arrived = (id: number) => w.fake.sent.find((m) => m.chatId === id && isAlert(m.plain))?.atMs;
    const t0 = Date.now();
    await w.block(retarget!);
    const all = [GROUP.id, ...PRIVATE];
    await waitFor(() => all.every((id) => arrived(id) !== undefined), 180_000, 'every alert');
    await new Promise((r) => setTimeout(r, 1500));
    const latencies = PRIVATE.map((id) => arrived(id)! - t0);
    return {
      latencies,
      groupMs: arrived(GROUP.id)! - t0,
      late: latencies.filter((l) => l > 5000).length,
      alerts: all.map((id) => w.fake.sent.filter((m) => m.chatId === id && isAlert(m.plain)).length),
      http429: w.fake.tooManyRequests,
      groupReplies: replies,
    };
  } finally {
    await w.close();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const [name, spam] of [
  ['control', false],
  ['spam', true],
] as const) {
  const r = await run(name, spam);
  emit(`${name}_private_latency_max`, Math.max(...r.latencies), 'ms');
  emit(`${name}_private_latency_p50`, median(r.latencies), 'ms');
  emit(`${name}_private_chats_over_5s`, r.late, 'chats');
  emit(`${name}_group_latency`, r.groupMs, 'ms');
  emit(`${name}_group_replies_before_block`, r.groupReplies, 'messages');
  emit(`${name}_lost`, r.alerts.filter((n) => n === 0).length, 'messages');
  emit(
    `${name}_duplicates`,
    r.alerts.reduce((s, n) => s + Math.max(0, n - 1), 0),
    'messages',
  );
  emit(`${name}_http_429`, r.http429, 'count');
}
process.exit(0);
