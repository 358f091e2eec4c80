/**
 * The Telegram bot: telegraf wired to the platform-neutral handlers, the pacer and the notifier.
 * createApp builds it through createTelegramBot and only sees start/stop/notifier, so telegraf
 * stays inside src/platforms/telegram/.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf, Telegram } from 'telegraf';
import type { Logger } from '../../observability/logger.ts';
import type { SubscriptionService, Target } from '../../subscriptions/service.ts';
import { menuCommands } from './commands.ts';
import { classifyTelegramError } from './errors.ts';
import { commandGate, isForwarded, type CommandGateOptions } from './command-gate.ts';
import { handleButton, handleCommand, targetOf, type ChatRef, type HandlerDeps, type Reply } from './handlers.ts';
import { handleChannelCommand } from './channel-commands.ts';
import type { ChartDeps } from '../chart-picture.ts';
import { TelegramNotifier } from './notifier.ts';
import { TelegramBroadcast } from './broadcast-channel.ts';
import type { PictureOutcome, PictureRefs } from '../picture-refs.ts';
import { replySender } from './replies.ts';
import { gateTelegram } from './send-gate.ts';
import { sendGate, timelineSpec, type TimelineStore } from '../send-timeline.ts';
import {
  PAID_BROADCAST_PER_SEC,
  realClock,
  TELEGRAM_LIMITS,
  TelegramPacer,
  type PacerClock,
  type TelegramLimits,
} from './pacer.ts';

export interface TelegramWebhookOptions {
  /** Public https URL Telegram posts to (TELEGRAM_WEBHOOK_URL); its path is served locally. */
  readonly url: string;
  /** Checked against X-Telegram-Bot-Api-Secret-Token on every request (1–256 of [A-Za-z0-9_-]). */
  readonly secretToken: string;
  /** Local listener (behind your TLS proxy); port 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
}

/**
 * `charts` (optional): alerts and /status, /retarget, /hashprice replies carry a chart; absent,
 * everything is text exactly as before. `chartRules` gives an alert's chart the subscriber's
 * threshold lines (replies read the chat's rules through the service).
 */
export interface TelegramNotifierOptions extends ChartDeps {
  readonly token: string;
  /** Bot API root (TELEGRAM_API_ROOT); a trailing `/` is added if missing. */
  readonly apiRoot?: string;
  readonly logger: Logger;
  /** Override Telegram's limits (tests, several notifier processes sharing one token). */
  readonly limits?: TelegramLimits;
  readonly clock?: PacerClock;
  /** Where uploaded charts are found again, shared by notifier processes (default: this process). */
  readonly pictures?: PictureRefs;
  /** TELEGRAM_PAID_BROADCAST: alerts go with allow_paid_broadcast, paced to PAID_BROADCAST_PER_SEC. */
  readonly paidBroadcast?: boolean;
  /** Counts each alert picture's upload or reuse. */
  readonly onPicture?: (outcome: PictureOutcome) => void;
  /**
   * The overall limit's timeline shared with the other notifier processes of the token
   * (src/store/redis-send-slot.ts); absent or unreachable, this process keeps it alone.
   */
  readonly sharedTimeline?: TimelineStore;
}

const rootOf = (apiRoot: string | undefined): string => (apiRoot ?? 'https://api.telegram.org').replace(/\/?$/, '/');

/**
 * The notifier alone, for the deliver workers (a notifier-only process has no bot). Pass it to
 * createTelegramBot so replies and alerts share one pacer.
 */
export function createTelegramNotifier(opts: TelegramNotifierOptions): TelegramNotifier {
  const clock = opts.clock ?? realClock;
  const limits = opts.limits ?? TELEGRAM_LIMITS;
  const gate = sendGate(timelineSpec(telegramPerSec(limits, opts.paidBroadcast)), opts.sharedTimeline);
  return new TelegramNotifier({
    telegram: gateTelegram(new Telegram(opts.token, { apiRoot: rootOf(opts.apiRoot) }), gate),
    gate,
    pacer: new TelegramPacer(limits, clock),
    logger: opts.logger.child({ platform: 'telegram' }),
    nowSec: () => Math.floor(clock.now() / 1000),
    ...(opts.charts !== undefined ? { charts: opts.charts } : {}),
    ...(opts.chartRules !== undefined ? { chartRules: opts.chartRules } : {}),
    ...(opts.pictures !== undefined ? { pictures: opts.pictures } : {}),
    ...(opts.paidBroadcast === true ? { paidBroadcast: true } : {}),
    ...(opts.onPicture !== undefined ? { onPicture: opts.onPicture } : {}),
  });
}

export { PAID_BROADCAST_PER_SEC };

/** Messages a second overall: Telegram's 30 (or `limits`), paid broadcast's 1,000. */
export function telegramPerSec(limits: TelegramLimits, paidBroadcast?: boolean): number {
  return paidBroadcast === true ? Math.max(limits.globalPerSec, PAID_BROADCAST_PER_SEC) : limits.globalPerSec;
}

export interface TelegramBotOptions extends TelegramNotifierOptions {
  readonly service: SubscriptionService;
  /** Reuse this notifier (and its pacer) instead of building one. */
  readonly notifier?: TelegramNotifier;
  /** Webhook mode instead of long polling. */
  readonly webhook?: TelegramWebhookOptions;
  /**
   * The bot was blocked or removed: mark the subscription inactive (kept, so /start restores it).
   * Defaults to `service.deactivate`.
   */
  readonly deactivate?: (target: Target) => Promise<void>;
  /** Command budget, storage availability and deadline at command entry (see command-gate.ts). */
  readonly gate?: CommandGateOptions;
  /** BROADCAST_TELEGRAM_CHAT (`@name` or id): the public channel for the default rules. */
  readonly broadcastChat?: string;
}

export interface TelegramBot {
  /** Registers the command menu and starts receiving updates; resolves once connected. */
  start(): Promise<void>;
  /** Stops polling (or the webhook listener) and waits for it to end. */
  stop(): Promise<void>;
  /** For the engine's deliver processor. */
  readonly notifier: TelegramNotifier;
  /** Webhook mode: the local port actually listened on (after start). */
  webhookPort(): number | null;
}

const ALLOWED_UPDATES = ['message', 'channel_post', 'callback_query', 'my_chat_member'] as const;

/**
 * Builds the bot. Long polling by default; `webhook` switches to an HTTP listener whose secret
 * token is checked. Interactive replies are paced like alerts and retried after a 429 here (they
 * are not BullMQ jobs); alert delivery goes through `notifier` and is retried by BullMQ only.
 */
export function createTelegramBot(opts: TelegramBotOptions): TelegramBot {
  const bot = new Telegraf(opts.token, { telegram: { apiRoot: rootOf(opts.apiRoot), webhookReply: false } });
  const log = opts.logger.child({ platform: 'telegram' });
  const clock = opts.clock ?? realClock;
  const notifier = opts.notifier ?? createTelegramNotifier(opts);
  const { pacer } = notifier;
  const nowSec = (): number => Math.floor(clock.now() / 1000);
  const { service } = opts;
  const deactivate = opts.deactivate ?? service.deactivate?.bind(service);
  const broadcast =
    opts.broadcastChat === undefined
      ? null
      : new TelegramBroadcast(opts.broadcastChat, { api: bot.telegram, service, logger: log, nowSec });

  const deps: HandlerDeps = {
    service,
    nowSec,
    logger: log,
    ...(opts.charts !== undefined ? { charts: opts.charts } : {}),
    ...(broadcast !== null ? { broadcast: () => broadcast.current() } : {}),
    isAdmin: async (chatId, userId) => {
      try {
        const m = await bot.telegram.getChatMember(chatId, userId);
        return m.status === 'creator' || m.status === 'administrator';
      } catch (e) {
        log.warn({ err: classifyTelegramError(e, String(chatId)) }, 'getChatMember failed; treating as non-admin');
        return false;
      }
    },
  };

  /**
   * Replies are sent off the update loop: telegraf waits for a batch's handlers before polling
   * again, so one group's 20/min limit must not stall every other chat. stop() awaits them.
   */
  const inFlight = new Set<Promise<void>>();
  // Replies take their global slots on the notifier's gate, ahead of the alerts waiting in it.
  gateTelegram(bot.telegram, notifier.gate, { first: true });
  const sendReply = replySender(bot.telegram, pacer, log);
  const gate = commandGate(opts.gate ?? {}, log);
  function queueReply(chatId: number, reply: Reply): void {
    const p = sendReply(chatId, reply).catch((e: unknown) =>
      log.error({ err: e instanceof Error ? e : new Error(String(e)) }, 'reply failed'),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  /** A command addressed to this bot (not forwarded, not for another bot), or null. */
  function commandOf(msg: object, chatId: number, username: string): { name: string; args: string[] } | null {
    if (!('text' in msg) || typeof msg.text !== 'string') return null;
    const entity = (msg as { entities?: Array<{ type: string; offset: number; length: number }> }).entities?.[0];
    if (entity?.type !== 'bot_command' || entity.offset !== 0) return null;
    if (isForwarded(msg)) {
      log.debug({ chatId }, 'forwarded command ignored');
      return null;
    }
    const [name = '', addressee] = msg.text.slice(1, entity.length).split('@');
    if (addressee !== undefined && addressee.toLowerCase() !== username.toLowerCase()) return null;
    const args = msg.text
      .slice(entity.length)
      .trim()
      .split(/\s+/)
      .filter((a) => a.length > 0);
    return { name: name.toLowerCase(), args };
  }

  /** Budget and storage gate, the deadline, then the reply (off the update loop). */
  async function runCommand(chat: ChatRef, name: string, work: () => Promise<Reply | null>): Promise<void> {
    const admission = gate.admit(chat.id, chat.type === 'private', name);
    if (admission !== 'run') {
      if (admission !== null) queueReply(chat.id, admission);
      return;
    }
    const reply = await gate.bounded(work(), (late) => queueReply(chat.id, late));
    if (reply !== null) queueReply(chat.id, reply);
  }

  bot.on('message', async (ctx) => {
    const msg = ctx.message;
    const chat = ctx.chat as ChatRef;
    if ('migrate_to_chat_id' in msg) {
      await service.migrate(targetOf(chat, ctx.from.id), String(msg.migrate_to_chat_id));
      log.info({ from: chat.id, to: msg.migrate_to_chat_id }, 'group became a supergroup; subscription moved');
      return;
    }
    const cmd = commandOf(msg, chat.id, ctx.botInfo.username);
    if (cmd === null) return;
    await runCommand(chat, cmd.name, () => handleCommand(deps, chat, ctx.from.id, cmd.name, cmd.args));
  });

  // Commands typed inside a channel (only its administrators may post there): channel-commands.ts.
  bot.on('channel_post', async (ctx) => {
    const chat = ctx.chat as ChatRef;
    const cmd = commandOf(ctx.channelPost, chat.id, ctx.botInfo.username);
    if (cmd === null) return;
    const username = ctx.botInfo.username;
    await runCommand(chat, cmd.name, () => handleChannelCommand(deps, chat, cmd.name, cmd.args, username));
  });

  bot.on('callback_query', async (ctx) => {
    const q = ctx.callbackQuery;
    const chat = ctx.chat as ChatRef | undefined;
    if (chat === undefined || !('data' in q) || q.message === undefined) {
      await ctx.answerCbQuery();
      return;
    }
    const refused = gate.admitButton(chat.id);
    if (refused !== null) {
      await ctx.answerCbQuery(refused);
      return;
    }
    const out = await handleButton(deps, chat, q.from.id, q.data);
    await ctx.answerCbQuery(out.toast);
    if (out.edit !== undefined) {
      const markup = {
        inline_keyboard: (out.edit.buttons ?? []).map((row) =>
          row.map((b) => ({ text: b.text, callback_data: b.data })),
        ),
      };
      await ctx
        .editMessageText(out.edit.html.value, { parse_mode: 'HTML', reply_markup: markup })
        .catch((e: unknown) => {
          if (!/message is not modified/.test(String(e)))
            log.warn({ err: classifyTelegramError(e, String(chat.id)) }, 'could not update the list');
        });
    }
    if (out.follow !== undefined) queueReply(chat.id, out.follow);
  });

  bot.on('my_chat_member', async (ctx) => {
    const member = ctx.myChatMember.new_chat_member;
    if (broadcast !== null && (await broadcast.rightsChanged(ctx.chat.id, member))) return;
    const status = member.status;
    if (status !== 'kicked' && status !== 'left') return;
    const target = targetOf(ctx.chat as ChatRef, ctx.from.id);
    log.info({ chatId: ctx.chat.id, status }, 'bot blocked or removed; deactivating the subscription');
    if (deactivate !== undefined) await deactivate(target);
    else log.warn('no deactivate hook configured; subscription stays active until a send fails');
  });

  bot.catch((e, ctx) => {
    log.error(
      { err: e instanceof Error ? e : new Error(String(e)), updateId: ctx.update.update_id },
      'telegram update handler failed',
    );
  });

  let launched: Promise<void> | null = null;
  let server: http.Server | null = null;

  async function startWebhook(w: TelegramWebhookOptions): Promise<void> {
    bot.botInfo = await bot.telegram.getMe();
    const path = new URL(w.url).pathname;
    const callback = bot.webhookCallback(path, { secretToken: w.secretToken });
    server = http.createServer((req, res) => {
      void callback(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(w.port, w.host ?? '127.0.0.1', resolve);
    });
    await bot.telegram.setWebhook(w.url, { secret_token: w.secretToken, allowed_updates: [...ALLOWED_UPDATES] });
    log.info({ path }, 'telegram bot listening for webhook updates');
  }

  return {
    notifier,
    webhookPort: () => (server === null ? null : (server.address() as AddressInfo).port),
    async start() {
      await bot.telegram.setMyCommands(menuCommands());
      if (opts.webhook !== undefined) await startWebhook(opts.webhook);
      else {
        await new Promise<void>((resolve, reject) => {
          launched = bot.launch({ allowedUpdates: [...ALLOWED_UPDATES] }, () => resolve());
          launched.catch((e: unknown) => {
            log.error({ err: classifyTelegramError(e, '-') }, 'telegram polling stopped');
            reject(e instanceof Error ? e : new Error(String(e)));
          });
        });
        log.info({ username: bot.botInfo?.username }, 'telegram bot polling');
      }
      if (broadcast !== null) await broadcast.start(bot.botInfo?.id ?? (await bot.telegram.getMe()).id);
    },
    async stop() {
      if (server !== null) {
        const s = server;
        server = null;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        });
      }
      if (launched !== null) {
        const done = launched.catch(() => undefined);
        launched = null;
        try {
          bot.stop('shutdown');
        } catch {
          /* not running */
        }
        await done;
      }
      // Updates already taken get their replies (bounded by MAX_REPLY_WAIT_MS each).
      await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * The webhook secret, derived from the bot token: every instance agrees on it without another
 * setting, and it reveals nothing about the token (one-way hash).
 */
export function webhookSecretFor(token: string): string {
  return createHash('sha256').update(`hashbell-telegram-webhook:${token}`).digest('hex');
}
