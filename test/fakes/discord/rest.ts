/**
 * The stand-in's REST surface under /api/v10: the routes discord.js and hashbell call, with
 * Discord's auth rule (Bot token; interaction callbacks and interaction webhooks carry none),
 * global and per-route limits with real headers, canned per-channel errors and injected failures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { multipartBoundary, parseMultipart } from '../multipart.ts';
import { checkMessage, type MessageBody } from './message-checks.ts';
import { checkAttachmentRefs, readUploads, type UploadedFile } from './uploads.ts';
import { GlobalLimiter, RouteBuckets, type BucketSpec } from './rate-limits.ts';
import type { Interactions } from './interactions.ts';
import type { World } from './world.ts';

export interface InjectedFailure {
  /** Matched against `METHOD /path` (path after /api/v10, decoded). */
  readonly match: RegExp;
  readonly status: number;
  readonly code?: number;
  /** For 429s: the Retry-After seconds. */
  readonly retryAfterSec?: number;
  times: number;
}

export interface RestStats {
  requests: number;
  /** 429s served by the limits (not injected ones). */
  rateLimited: number;
  globalRateLimited: number;
  injected: number;
  readonly byStatus: Map<number, number>;
}

export interface RestOptions {
  readonly token: string;
  readonly globalPerSec: number;
  readonly messageBucket: BucketSpec;
  readonly defaultBucket: BucketSpec;
  gatewayUrl: () => string;
}

const ERRORS: Record<number, [number, string]> = {
  10003: [404, 'Unknown Channel'],
  50001: [403, 'Missing Access'],
  50007: [403, 'Cannot send messages to this user'],
  50013: [403, 'Missing Permissions'],
};

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

export class RestRoutes {
  readonly stats: RestStats = { requests: 0, rateLimited: 0, globalRateLimited: 0, injected: 0, byStatus: new Map() };
  readonly failures: InjectedFailure[] = [];
  private readonly global: GlobalLimiter;
  private readonly buckets = new RouteBuckets();

  constructor(
    private readonly world: World,
    private readonly interactions: Interactions,
    private readonly opts: RestOptions,
  ) {
    this.global = new GlobalLimiter(opts.globalPerSec, Date.now());
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const method = req.method ?? 'GET';
    let body: Record<string, unknown> = {};
    let files: UploadedFile[] = [];
    try {
      const boundary = multipartBoundary(req.headers['content-type']);
      if (boundary !== null) {
        const up = readUploads(parseMultipart(raw, boundary));
        if ('error' in up) return send(res, this.count({ status: up.status, body: up.error }));
        ({ body, files } = up);
      } else {
        body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      }
    } catch {
      return send(res, this.count({ status: 400, body: { message: '400: Bad Request', code: 0 } }));
    }
    this.stats.requests += 1;
    const r = this.route(method, path, body, req.headers.authorization, files);
    // with_response=true: Discord answers a callback with the interaction and the message made.
    if (r.status === 204 && url.searchParams.get('with_response') === 'true') {
      const id = /^\/interactions\/(\d+)\//.exec(path)?.[1] ?? '';
      const data = (body['data'] ?? {}) as Record<string, unknown>;
      r.status = 200;
      r.body = {
        interaction: {
          id,
          type: 2,
          activity_instance_id: null,
          response_message_id: null,
          response_message_loading: false,
          response_message_ephemeral: false,
        },
        resource: {
          type: body['type'],
          message:
            body['type'] === 4 ? this.world.messageJson(this.world.bot.id, this.world.ids.next(), data) : undefined,
        },
      };
    }
    send(res, this.count(r));
  }

  private count(r: Reply): Reply {
    this.stats.byStatus.set(r.status, (this.stats.byStatus.get(r.status) ?? 0) + 1);
    return r;
  }

  private route(
    method: string,
    path: string,
    body: Record<string, unknown>,
    auth: string | undefined,
    files: UploadedFile[],
  ): Reply {
    let m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    if (method === 'POST' && m !== null) {
      const refs = checkAttachmentRefs((body['data'] ?? {}) as Record<string, unknown>, files);
      if (refs !== null) return { status: 400, body: refs };
      const [status, b] = this.interactions.callback(
        m[1] ?? '',
        m[2] ?? '',
        body as { type?: number; data?: Record<string, unknown> },
        files,
      );
      if (status === 204) {
        const check = this.checkData(body['data']);
        if (check !== null) return check;
      }
      return { status, body: b };
    }
    m = /^\/webhooks\/(\d+)\/([^/?]+)(\/messages\/@original)?$/.exec(path);
    if (m !== null && m[1] === this.world.applicationId && (method === 'PATCH' || method === 'POST')) {
      const check = this.checkData(body, method === 'PATCH') ?? this.checkRefs(body, files);
      if (check !== null) return check;
      const r = this.interactions.webhook(m[2] ?? '', m[3] !== undefined ? 'edit' : 'followup', body, files);
      if (r !== 'ok') return { status: r[0], body: r[1] };
      return { status: 200, body: this.world.messageJson(this.world.bot.id, this.world.ids.next(), body, files) };
    }
    if (auth !== `Bot ${this.opts.token}`) return { status: 401, body: { message: '401: Unauthorized', code: 0 } };
    const injected = this.injected(`${method} ${path}`);
    if (injected !== null) return injected;
    const g = this.global.take(Date.now());
    if (!g.ok) {
      this.stats.rateLimited += 1;
      this.stats.globalRateLimited += 1;
      const sec = Math.max(1, Math.ceil(g.retryAfterMs / 1000));
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: g.retryAfterMs / 1000, global: true },
        headers: { 'retry-after': String(sec), 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
      };
    }
    const template = path.replace(/\/\d{17,20}/g, '/:id');
    const major = /^\/(channels|guilds|webhooks)\/(\d+)/.exec(path)?.[2] ?? '';
    const isMessages = method === 'POST' && /^\/channels\/:id\/messages$/.test(template);
    const spec = isMessages ? this.opts.messageBucket : this.opts.defaultBucket;
    const hash = Buffer.from(`${method} ${template}`).toString('base64url').slice(0, 16);
    const b = this.buckets.take(`${hash}:${major}`, hash, spec, Date.now());
    if (!b.ok) {
      this.stats.rateLimited += 1;
      return {
        status: 429,
        body: {
          message: 'You are being rate limited.',
          retry_after: Number(b.headers['x-ratelimit-reset-after']),
          global: false,
        },
        headers: b.headers,
      };
    }
    const r = this.resource(method, path, body, files);
    return { ...r, headers: { ...b.headers, ...r.headers } };
  }

  private injected(key: string): Reply | null {
    const f = this.failures.find((x) => x.times > 0 && x.match.test(key));
    if (f === undefined) return null;
    f.times -= 1;
    this.stats.injected += 1;
    if (f.status === 429) {
      const sec = f.retryAfterSec ?? 1;
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: sec, global: false },
        headers: {
          'retry-after': String(sec),
          'x-ratelimit-scope': 'user',
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(sec),
          'x-ratelimit-bucket': 'injected',
        },
      };
    }
    const code = f.code ?? 0;
    return { status: f.status, body: { message: ERRORS[code]?.[1] ?? `${f.status}: injected`, code } };
  }

  private checkData(data: unknown, allowEmpty = false): Reply | null {
    if (data === undefined || data === null || typeof data !== 'object') return null;
    const d = data as MessageBody;
    if (allowEmpty && d.content === undefined && d.embeds === undefined) return null;
    if (d.content === undefined && d.embeds === undefined) return null;
    const e = checkMessage(d);
    return e === null ? null : { status: 400, body: e };
  }

  private checkRefs(body: Record<string, unknown>, files: readonly UploadedFile[]): Reply | null {
    const e = checkAttachmentRefs(body, files);
    return e === null ? null : { status: 400, body: e };
  }

  /**
   * Publishing a message of an announcement channel (type 5) to the servers following it: only
   * there (50024 elsewhere), only once (40033), at most PUBLISHES_PER_HOUR per channel (a 429
   * with an hour-long Retry-After, as Discord answers), and under the channel's canned errors.
   */
  private crosspost(channelId: string, messageId: string): Reply {
    const w = this.world;
    const c = w.channels.get(channelId);
    const canned = w.channelErrors.get(channelId);
    if (c === undefined || canned === 10003) return errorReply(10003);
    if (canned !== undefined) return errorReply(canned);
    if (c.type !== 5) return errorReply(50024);
    const m = w.messages.find((x) => x.id === messageId && x.channelId === channelId);
    if (m === undefined) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    if (w.crossposts.some((x) => x.messageId === messageId)) return errorReply(40033);
    const now = Date.now();
    const lastHour = w.crossposts.filter((x) => x.channelId === channelId && now - x.atMs < 3_600_000);
    if (lastHour.length >= PUBLISHES_PER_HOUR) {
      this.stats.rateLimited += 1;
      const sec = Math.ceil((3_600_000 - (now - lastHour[0]!.atMs)) / 1000);
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: sec, global: false },
        headers: {
          'retry-after': String(sec),
          'x-ratelimit-scope': 'shared',
          'x-ratelimit-limit': String(PUBLISHES_PER_HOUR),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(sec),
          'x-ratelimit-bucket': 'crosspost',
        },
      };
    }
    w.crossposts.push({ channelId, messageId, atMs: now });
    return {
      status: 200,
      body: w.messageJson(channelId, messageId, { content: m.content, embeds: [...m.embeds], flags: 1 }),
    };
  }

  private resource(method: string, path: string, body: Record<string, unknown>, files: UploadedFile[]): Reply {
    const w = this.world;
    const appCmds = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (appCmds !== null) {
      if (appCmds[1] !== w.applicationId) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
      const guild = appCmds[2];
      if (method === 'PUT') {
        const list = (body as unknown as Array<Record<string, unknown>>).map((c) => ({
          ...c,
          id: w.ids.next(),
          application_id: w.applicationId,
          version: w.ids.next(),
          default_member_permissions: c['default_member_permissions'] ?? null,
          type: c['type'] ?? 1,
          ...(guild !== undefined ? { guild_id: guild } : {}),
        }));
        if (guild === undefined) w.globalCommands.splice(0, w.globalCommands.length, ...list);
        else w.guildCommands.set(guild, list);
        return { status: 200, body: list };
      }
      if (method === 'GET')
        return { status: 200, body: guild === undefined ? w.globalCommands : (w.guildCommands.get(guild) ?? []) };
    }
    if (method === 'GET' && path === '/gateway/bot') {
      return {
        status: 200,
        body: {
          url: this.opts.gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      };
    }
    if (method === 'GET' && path === '/users/@me') return { status: 200, body: w.bot };
    if (method === 'GET' && path === '/applications/@me')
      return { status: 200, body: { id: w.applicationId, name: 'hashbell', flags: 0, bot_public: true, bot: w.bot } };
    if (method === 'POST' && path === '/users/@me/channels') {
      const rid = String(body['recipient_id'] ?? '');
      if (!/^\d{17,20}$/.test(rid))
        return {
          status: 400,
          body: {
            message: 'Invalid Form Body',
            code: 50035,
            errors: { recipient_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Value is not snowflake.' }] } },
          },
        };
      return { status: 200, body: w.channelJson(w.dmChannel(rid)) };
    }
    const cp = /^\/channels\/(\d+)\/messages\/(\d+)\/crosspost$/.exec(path);
    if (cp !== null && method === 'POST') return this.crosspost(cp[1] ?? '', cp[2] ?? '');
    const ch = /^\/channels\/(\d+)(\/messages)?$/.exec(path);
    if (ch !== null) {
      const c = w.channels.get(ch[1] ?? '');
      const canned = w.channelErrors.get(ch[1] ?? '');
      if (c === undefined || canned === 10003) return errorReply(10003);
      if (canned !== undefined) return errorReply(canned);
      if (ch[2] === undefined && method === 'GET') return { status: 200, body: w.channelJson(c) };
      if (ch[2] !== undefined && method === 'POST') {
        if (c.type === 1 && w.closedDms.has(c.recipientId ?? '')) return errorReply(50007);
        const bad =
          files.length > 0 && body['content'] === undefined && body['embeds'] === undefined
            ? null
            : checkMessage(body as MessageBody);
        if (bad !== null) return { status: 400, body: bad };
        const refs = this.checkRefs(body, files);
        if (refs !== null) return refs;
        const id = w.ids.next();
        w.messages.push({
          id,
          channelId: c.id,
          content: String(body['content'] ?? ''),
          embeds: (body['embeds'] ?? []) as Array<Record<string, unknown>>,
          attachments: files,
          atMs: Date.now(),
        });
        return { status: 200, body: w.messageJson(c.id, id, body, files) };
      }
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }
}

/** Discord lets an announcement channel publish about this many messages an hour. */
export const PUBLISHES_PER_HOUR = 10;

function errorReply(code: number): Reply {
  if (code === 50024) return { status: 400, body: { message: 'Cannot execute action on this channel type', code } };
  if (code === 40033) return { status: 400, body: { message: 'This message has already been crossposted.', code } };
  const [status, message] = ERRORS[code] ?? [400, 'error'];
  return { status, body: { message, code } };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: Reply): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (r.status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  headers['content-type'] = 'application/json';
  res.writeHead(r.status, headers).end(JSON.stringify(r.body));
}
