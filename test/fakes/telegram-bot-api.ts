/**
 * A Telegram Bot API stand-in on 127.0.0.1 (port 0) for running the real telegraf bot in tests:
 * real long polling (held requests, offset confirmation, 409 for a second poller), the methods the
 * bot calls, Telegram's error bodies, flood control (./telegram-limits.ts) and text checks
 * (./telegram-markup.ts). Test hooks play users (messages with bot_command entities, button
 * presses, blocking the bot, group → supergroup migration) and inject failures.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkMessageText, type ParseMode } from './telegram-markup.ts';
import type { FormPart } from './multipart.ts';
import {
  err,
  failureError,
  isApiError,
  readParams,
  reply,
  type ApiError,
  type Failure,
  type Json,
} from './telegram-http.ts';
import { checkCaption, checkPhotoUpload, type SentPhoto } from './telegram-photo.ts';
import { FloodControl, RELAXED_LIMITS, type FakeLimits } from './telegram-limits.ts';
import { ChannelBook, type BotStatus, type FakeChannel } from './telegram-channels.ts';

export interface FakeChat {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup';
  readonly title?: string;
}
export interface FakeUser {
  readonly id: number;
  readonly first_name: string;
  readonly username?: string;
}
export type { Failure, Json } from './telegram-http.ts';
export type { SentPhoto } from './telegram-photo.ts';
export type { FakeChannel } from './telegram-channels.ts';

interface Poller {
  res: http.ServerResponse;
  offset: number;
  limit: number;
  timer: NodeJS.Timeout;
}

/** One message the bot sent (or edited), as the stand-in accepted it. */
export interface SentMessage {
  readonly method: 'sendMessage' | 'editMessageText' | 'sendPhoto';
  readonly chatId: number;
  readonly messageId: number;
  /** The text, or a photo's caption ('' for none). */
  readonly text: string;
  /** The text as users see it (markup removed, entities decoded). */
  readonly plain: string;
  /** sendPhoto only: the uploaded picture (or the one an earlier upload's file_id named). */
  readonly photo?: SentPhoto;
  /** sendPhoto by file_id: the id sent instead of an upload. */
  readonly fileId?: string;
  /** Sent with allow_paid_broadcast. */
  readonly paid?: boolean;
  readonly parseMode: ParseMode;
  readonly replyMarkup: Json | undefined;
  readonly atMs: number;
}

export interface FakeTelegramOptions {
  token?: string;
  botUsername?: string;
  limits?: FakeLimits;
}

export class FakeTelegramBotApi {
  readonly token: string;
  readonly bot: { id: number; is_bot: true; first_name: string; username: string };
  /** Every accepted sendMessage/editMessageText/sendPhoto, in order. */
  readonly sent: SentMessage[] = [];
  /** Every API call (method, params), including refused ones. */
  readonly calls: Array<{ method: string; params: Json; status: number }> = [];
  readonly answeredCallbacks: Array<{ id: string; text?: string }> = [];
  commands: Array<{ command: string; description: string }> = [];
  webhook: { url: string; secretToken?: string } | null = null;
  /** Count of 429 answers the stand-in gave to sendMessage. */
  tooManyRequests = 0;
  /** Photos uploaded (multipart), and photos sent by a file_id this stand-in issued. */
  photoUploads = 0;
  photoReuses = 0;
  /** Channels (the bot posts as an administrator; one post reaches every subscriber). */
  readonly channels = new ChannelBook();
  private readonly fileIds = new Map<string, SentPhoto>();
  private server!: http.Server;
  private updates: Json[] = [];
  private nextUpdateId = 1;
  private nextMessageId = new Map<number, number>();
  private poller: Poller | null = null;
  private failures = new Map<number | '*', { failure: Failure; times: number }>();
  private methodFailures = new Map<string, { error: ApiError; times: number }>();
  private admins = new Map<number, Map<number, 'creator' | 'administrator'>>();
  private callbacks = new Set<string>();
  private waiters: Array<() => void> = [];
  private flood: FloodControl;
  /** When set, updates are POSTed here (the registered https URL cannot be reached in tests). */
  webhookTarget: string | null = null;

  private constructor(opts: FakeTelegramOptions) {
    this.token = opts.token ?? '123456:TEST-token-for-the-stand-in-only_abcdefgh';
    this.bot = {
      id: Number(this.token.split(':')[0]),
      is_bot: true,
      first_name: 'hashbell',
      username: opts.botUsername ?? 'hashbell_test_bot',
    };
    this.flood = new FloodControl(opts.limits ?? RELAXED_LIMITS);
  }

  static async start(opts: FakeTelegramOptions = {}): Promise<FakeTelegramBotApi> {
    const fake = new FakeTelegramBotApi(opts);
    fake.server = http.createServer((req, res) => {
      fake.handle(req, res).catch(() => reply(res, err(400, 'Bad Request: invalid request body')));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** Bot API root for telegraf's `telegram.apiRoot` (ends in `/`, see reference §1.1). */
  get apiRoot(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  setLimits(limits: FakeLimits): void {
    this.flood = new FloodControl(limits);
  }

  /** The accepted sendPhoto messages, in order. */
  get photos(): SentMessage[] {
    return this.sent.filter((m) => m.photo !== undefined);
  }

  /** Paid-broadcast messages Telegram would bill (beyond the free limits), and their cost in Stars. */
  get paidBilled(): number {
    return this.flood.billed;
  }

  /** A channel; the bot's status there as given (an administrator may post unless `canPost` is false). */
  addChannel(c: FakeChannel, bot: BotStatus = 'administrator', canPost?: boolean): void {
    this.channels.add(c);
    this.channels.setBot(c.id, bot, canPost);
  }

  /**
   * The channel's owner changes the bot's rights (promote, demote, remove): from now on posts
   * are refused or accepted accordingly, and a my_chat_member update tells the bot.
   */
  setChannelBot(c: FakeChannel, by: FakeUser, status: BotStatus, canPost = status === 'administrator'): void {
    const old = this.channels.memberJson(c.id, this.bot);
    this.channels.setBot(c.id, status, canPost);
    this.pushUpdate({
      my_chat_member: {
        chat: this.channels.chatJson(c),
        from: userJson(by),
        date: nowSec(),
        old_chat_member: old,
        new_chat_member: this.channels.memberJson(c.id, this.bot),
      },
    });
  }

  /** Makes `userId` an administrator (or creator) of group `chatId` for getChatMember. */
  setAdmin(chatId: number, userId: number, status: 'creator' | 'administrator' = 'administrator'): void {
    const m = this.admins.get(chatId) ?? new Map<number, 'creator' | 'administrator'>();
    m.set(userId, status);
    this.admins.set(chatId, m);
  }

  /** Next `times` sends to `chatId` ('*' = any chat) fail this way (Infinity = until cleared). */
  injectFailure(chatId: number | '*', failure: Failure, times = Infinity): void {
    this.failures.set(chatId, { failure, times });
  }
  clearFailure(chatId: number | '*'): void {
    this.failures.delete(chatId);
  }

  /**
   * The next `times` calls of `method` ('*' = any method; case-insensitive) answer `status` with
   * `description`, as the real server does in an outage (5xx) or for a revoked token (401).
   */
  failMethod(method: string, status: number, description: string, times = Infinity): void {
    this.methodFailures.set(method.toLowerCase(), { error: err(status, description), times });
  }

  /** A user writes `text`; commands get their bot_command entity as the real server sends them. */
  sendUserMessage(chat: FakeChat, from: FakeUser, text: string): Json {
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const message: Json = {
      message_id: this.messageId(chat.id),
      date: nowSec(),
      chat: chatJson(chat),
      from: userJson(from),
      text,
    };
    if (cmd !== null) message['entities'] = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    return this.pushUpdate({ message });
  }

  /**
   * An administrator posts `text` in channel `c` (a channel_post: the author is the channel, no
   * `from`); commands get their bot_command entity.
   */
  postInChannel(c: FakeChannel, text: string): Json {
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const channelPost: Json = {
      message_id: this.messageId(c.id),
      date: nowSec(),
      chat: this.channels.chatJson(c),
      sender_chat: this.channels.chatJson(c),
      text,
    };
    if (cmd !== null) channelPost['entities'] = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    return this.pushUpdate({ channel_post: channelPost });
  }

  /**
   * A user forwards someone else's message (Bot API 7: `forward_origin`, plus the older
   * `forward_from`/`forward_date` fields the server still sends); its entities come along.
   */
  forwardUserMessage(chat: FakeChat, from: FakeUser, original: FakeUser, text: string): Json {
    const cmd = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const date = nowSec() - 60;
    const message: Json = {
      message_id: this.messageId(chat.id),
      date: nowSec(),
      chat: chatJson(chat),
      from: userJson(from),
      text,
      forward_origin: { type: 'user', date, sender_user: userJson(original) },
      forward_from: userJson(original),
      forward_date: date,
    };
    if (cmd !== null) message['entities'] = [{ type: 'bot_command', offset: 0, length: cmd[0].length }];
    return this.pushUpdate({ message });
  }

  /** A user presses an inline button under the bot's message; returns the callback query id. */
  pressButton(chat: FakeChat, from: FakeUser, messageId: number, data: string): string {
    const id = `cb${this.nextUpdateId}`;
    this.callbacks.add(id);
    const msg = this.sent.find((m) => m.chatId === chat.id && m.messageId === messageId);
    this.pushUpdate({
      callback_query: {
        id,
        from: userJson(from),
        chat_instance: `ci${chat.id}`,
        data,
        message: { message_id: messageId, date: nowSec(), chat: chatJson(chat), text: msg?.plain ?? '' },
      },
    });
    return id;
  }

  /** The user blocks the bot (or the bot is removed from a group): sends fail, my_chat_member arrives. */
  blockBot(chat: FakeChat, by: FakeUser): void {
    this.injectFailure(chat.id, { kind: chat.type === 'private' ? 'blocked' : 'kicked' });
    this.pushUpdate({
      my_chat_member: {
        chat: chatJson(chat),
        from: userJson(by),
        date: nowSec(),
        old_chat_member: { status: 'member', user: this.bot },
        new_chat_member: {
          status: chat.type === 'private' ? 'kicked' : 'left',
          user: this.bot,
          ...(chat.type === 'private' ? { until_date: 0 } : {}),
        },
      },
    });
  }

  /** Group → supergroup: old id answers 400 migrate from now on; both service messages arrive. */
  migrateGroup(group: FakeChat, superId: number, by: FakeUser): FakeChat {
    const sup: FakeChat = { id: superId, type: 'supergroup', title: group.title ?? 'group' };
    this.injectFailure(group.id, { kind: 'migrate', toChatId: superId });
    this.pushUpdate({
      message: {
        message_id: this.messageId(group.id),
        date: nowSec(),
        chat: chatJson(group),
        from: userJson(by),
        migrate_to_chat_id: superId,
      },
    });
    this.pushUpdate({
      message: {
        message_id: this.messageId(superId),
        date: nowSec(),
        chat: chatJson(sup),
        from: userJson(by),
        migrate_from_chat_id: group.id,
      },
    });
    return sup;
  }

  pushUpdate(body: Json): Json {
    const update = { update_id: this.nextUpdateId++, ...body };
    if (this.webhook !== null && this.webhookTarget !== null) void this.postWebhook(update);
    else {
      this.updates.push(update);
      this.flushPoller();
    }
    return update;
  }

  /** Resolves with the first sent message (index ≥ `since`) matching `pred`. */
  async waitForBotMessage(
    pred: (m: SentMessage) => boolean,
    opts: { since?: number; timeoutMs?: number } = {},
  ): Promise<SentMessage> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.sent.slice(opts.since ?? 0).find(pred);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no bot message matched within ${opts.timeoutMs ?? 10_000} ms; last: ${JSON.stringify(this.sent.slice(-3).map((m) => m.plain))}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends `text` as `from` in `chat` and waits for the bot's next message to that chat. */
  async ask(chat: FakeChat, from: FakeUser, text: string, timeoutMs?: number): Promise<SentMessage> {
    const since = this.sent.length;
    this.sendUserMessage(chat, from, text);
    return this.waitForBotMessage(
      (m) => m.chatId === chat.id,
      timeoutMs === undefined ? { since } : { since, timeoutMs },
    );
  }

  async close(): Promise<void> {
    if (this.poller !== null) this.answerPoller([]);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private messageId(chatId: number): number {
    const id = (this.nextMessageId.get(chatId) ?? 0) + 1;
    this.nextMessageId.set(chatId, id);
    return id;
  }

  private async postWebhook(update: Json): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.webhook?.secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = this.webhook.secretToken;
    const url = new URL(new URL(this.webhook!.url).pathname, this.webhookTarget!);
    await fetch(url, { method: 'POST', headers, body: JSON.stringify(update) }).catch(() => undefined);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (m === null) return reply(res, err(404, 'Not Found'));
    const { params, files } = await readParams(req, url);
    const method = m[2]!.toLowerCase();
    const done = (r: unknown): void => {
      this.calls.push({ method: m[2]!, params, status: isApiError(r) ? r.status : 200 });
      reply(res, r);
    };
    if (m[1] !== this.token) return done(err(401, 'Unauthorized'));
    const forced = this.methodFailures.get(method) ?? this.methodFailures.get('*');
    if (forced !== undefined) {
      forced.times -= 1;
      if (forced.times <= 0) this.methodFailures.delete(this.methodFailures.get(method) === forced ? method : '*');
      return done(forced.error);
    }
    switch (method) {
      case 'getme':
        return done(this.bot);
      case 'getupdates':
        return this.getUpdates(params, res, done);
      case 'deletewebhook':
        this.webhook = null;
        if (params['drop_pending_updates'] === true) this.updates = [];
        return done(true);
      case 'setwebhook': {
        const secret = params['secret_token'];
        this.webhook = {
          url: String(params['url'] ?? ''),
          ...(typeof secret === 'string' ? { secretToken: secret } : {}),
        };
        return done(true);
      }
      case 'setmycommands':
        return done(this.setMyCommands(params));
      case 'sendmessage':
        return done(this.sendMessage(params));
      case 'sendphoto':
        return done(this.sendPhoto(params, files));
      case 'editmessagetext':
        return done(this.editMessageText(params));
      case 'answercallbackquery': {
        const id = String(params['callback_query_id'] ?? '');
        if (!this.callbacks.delete(id))
          return done(err(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid'));
        this.answeredCallbacks.push(typeof params['text'] === 'string' ? { id, text: params['text'] } : { id });
        return done(true);
      }
      case 'getchat': {
        const c = this.channels.resolve(params['chat_id']);
        if (c !== undefined) return done(this.channels.chatJson(c));
        const id = Number(params['chat_id']);
        if (!Number.isSafeInteger(id)) return done(err(400, 'Bad Request: chat not found'));
        return done(chatJson({ id, type: id > 0 ? 'private' : 'group' }));
      }
      case 'getchatmember': {
        const channel = this.channels.resolve(params['chat_id']);
        if (channel !== undefined && Number(params['user_id']) === this.bot.id)
          return done(this.channels.memberJson(channel.id, this.bot));
        const chatId = Number(params['chat_id']);
        const userId = Number(params['user_id']);
        const status = this.admins.get(chatId)?.get(userId) ?? 'member';
        return done({ status, user: { id: userId, is_bot: false, first_name: `user${userId}` } });
      }
      default:
        return done(err(404, 'Not Found'));
    }
  }

  private getUpdates(params: Json, res: http.ServerResponse, done: (r: unknown) => void): void {
    if (this.webhook !== null)
      return done(
        err(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ),
      );
    if (this.poller !== null) {
      const old = this.poller;
      this.poller = null;
      clearTimeout(old.timer);
      reply(
        old.res,
        err(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'),
      );
    }
    const offset = Number(params['offset'] ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params['limit'] ?? 100)));
    if (offset > 0) this.updates = this.updates.filter((u) => (u['update_id'] as number) >= offset);
    const timeoutSec = Number(params['timeout'] ?? 0);
    if (this.updates.length > 0 || timeoutSec <= 0) return done(this.updates.slice(0, limit));
    const poller: Poller = { res, offset, limit, timer: setTimeout(() => this.answerPoller([]), timeoutSec * 1000) };
    this.poller = poller;
    res.on('close', () => {
      if (this.poller === poller) {
        clearTimeout(poller.timer);
        this.poller = null;
      }
    });
    this.calls.push({ method: 'getUpdates', params, status: 200 });
  }

  private flushPoller(): void {
    if (this.poller !== null) this.answerPoller(this.updates.slice(0, this.poller.limit));
  }

  private answerPoller(result: Json[]): void {
    const p = this.poller;
    if (p === null) return;
    this.poller = null;
    clearTimeout(p.timer);
    reply(p.res, result);
  }

  private setMyCommands(params: Json): unknown {
    const list = params['commands'];
    if (!Array.isArray(list)) return err(400, 'Bad Request: parameter "commands" is required');
    if (list.length > 100) return err(400, 'Bad Request: too many commands specified');
    for (const c of list as Json[]) {
      const command = String(c['command'] ?? '');
      const description = String(c['description'] ?? '');
      if (!/^[a-z0-9_]{1,32}$/.test(command)) return err(400, 'Bad Request: BOT_COMMAND_INVALID');
      if (description.length < 1 || description.length > 256)
        return err(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
    }
    this.commands = (list as Json[]).map((c) => ({
      command: String(c['command']),
      description: String(c['description']),
    }));
    return true;
  }

  /** Injected failures, then flood control: what every send to a chat passes first. */
  private refuseSend(chatId: number): ApiError | null {
    const injected = this.failures.get(chatId) ?? this.failures.get('*');
    if (injected !== undefined) {
      injected.times -= 1;
      if (injected.times <= 0) this.failures.delete(this.failures.get(chatId) === injected ? chatId : '*');
      if (injected.failure.kind === 'rate-limit') this.tooManyRequests += 1;
      return failureError(injected.failure);
    }
    return null;
  }

  private flooded(chatId: number, paid = false): ApiError | null {
    const wait = this.flood.admit(chatId, paid);
    if (wait <= 0) return null;
    this.tooManyRequests += 1;
    return err(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
  }

  /** What every send goes through: the chat id, injected failures, the content check, flood control. */
  private send(
    params: Json,
    method: 'sendMessage' | 'sendPhoto',
    content: () => ApiError | { text: string; plain: string; photo?: SentPhoto; fileId?: string },
    result: (m: SentMessage) => Json,
  ): unknown {
    const channel = this.channels.resolve(params['chat_id']);
    const chatId = channel?.id ?? Number(params['chat_id']);
    if (!Number.isSafeInteger(chatId)) return err(400, 'Bad Request: chat not found');
    const refused = this.refuseSend(chatId) ?? this.channels.refusePost(chatId);
    if (refused !== null) return refused;
    const c = content();
    if (isApiError(c)) return c;
    const paid = params['allow_paid_broadcast'] === true || params['allow_paid_broadcast'] === 'true';
    const flood = this.flooded(chatId, paid);
    if (flood !== null) return flood;
    const messageId = this.messageId(chatId);
    const m: SentMessage = {
      method,
      chatId,
      messageId,
      text: c.text,
      plain: c.plain,
      parseMode: params['parse_mode'] as ParseMode,
      replyMarkup: params['reply_markup'] as Json | undefined,
      atMs: Date.now(),
      ...(c.photo !== undefined ? { photo: c.photo } : {}),
      ...(c.fileId !== undefined ? { fileId: c.fileId } : {}),
      ...(paid ? { paid: true } : {}),
    };
    this.record(m);
    // A channel post has the channel as its chat and sender_chat, and no `from`.
    const where =
      channel !== undefined
        ? { chat: this.channels.chatJson(channel), sender_chat: this.channels.chatJson(channel) }
        : { chat: { id: chatId, type: chatId > 0 ? 'private' : 'group' }, from: this.bot };
    return { message_id: messageId, date: nowSec(), ...where, ...result(m) };
  }

  private sendMessage(params: Json): unknown {
    return this.send(
      params,
      'sendMessage',
      () => {
        const text = typeof params['text'] === 'string' ? params['text'] : '';
        const check = checkMessageText(text, params['parse_mode'] as ParseMode);
        return check.ok ? { text, plain: check.plain } : err(400, check.description);
      },
      (m) => ({ text: m.plain }),
    );
  }

  /**
   * sendPhoto with an uploaded file (multipart): the part named `photo` must be a PNG of at most
   * 10 MB whose sides sum to ≤ 10,000 px with a ratio ≤ 20; the caption is checked like a text
   * (entities) and limited to 1,024 characters after parsing.
   */
  private sendPhoto(params: Json, files: ReadonlyMap<string, FormPart>): unknown {
    return this.send(
      params,
      'sendPhoto',
      () => {
        // A file_id this stand-in issued for an earlier upload is the same photo, not uploaded again.
        const byId = typeof params['photo'] === 'string' ? this.fileIds.get(params['photo']) : undefined;
        const photo = byId ?? checkPhotoUpload(files.get('photo'), params['photo']);
        if ('description' in photo) return err(photo.status, photo.description);
        const text = typeof params['caption'] === 'string' ? params['caption'] : '';
        const check = checkCaption(text, params['parse_mode'] as ParseMode);
        if (!check.ok) return err(400, check.description);
        return { text, plain: check.plain, photo, ...(byId !== undefined ? { fileId: String(params['photo']) } : {}) };
      },
      (m) => {
        const p = m.photo!;
        const fileId = m.fileId ?? `photo-${m.chatId}-${m.messageId}`;
        if (m.fileId !== undefined) this.photoReuses += 1;
        else {
          this.photoUploads += 1;
          this.fileIds.set(fileId, p);
        }
        const sizes = [
          {
            file_id: fileId,
            file_unique_id: `u${fileId}`,
            width: p.width,
            height: p.height,
            file_size: p.data.length,
          },
        ];
        return { photo: sizes, ...(m.plain !== '' ? { caption: m.plain } : {}) };
      },
    );
  }

  private editMessageText(params: Json): unknown {
    const chatId = Number(params['chat_id']);
    const messageId = Number(params['message_id']);
    const old = [...this.sent].reverse().find((s) => s.chatId === chatId && s.messageId === messageId);
    if (old === undefined) return err(400, 'Bad Request: message to edit not found');
    const text = typeof params['text'] === 'string' ? params['text'] : '';
    const mode = params['parse_mode'] as ParseMode;
    const check = checkMessageText(text, mode);
    if (!check.ok) return err(400, check.description);
    const markup = params['reply_markup'] as Json | undefined;
    if (check.plain === old.plain && JSON.stringify(markup) === JSON.stringify(old.replyMarkup)) {
      return err(
        400,
        'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
      );
    }
    this.record({
      method: 'editMessageText',
      chatId,
      messageId,
      text,
      plain: check.plain,
      parseMode: mode,
      replyMarkup: markup,
      atMs: Date.now(),
    });
    return {
      message_id: messageId,
      date: nowSec(),
      edit_date: nowSec(),
      chat: { id: chatId, type: chatId > 0 ? 'private' : 'group' },
      text: check.plain,
    };
  }

  private record(m: SentMessage): void {
    this.sent.push(m);
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const chatJson = (c: FakeChat): Json =>
  c.type === 'private'
    ? { id: c.id, type: 'private', first_name: 'user' }
    : { id: c.id, type: c.type, title: c.title ?? 'group' };
const userJson = (u: FakeUser): Json => ({ is_bot: false, ...u });
