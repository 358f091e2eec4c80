/**
 * A Discord stand-in on 127.0.0.1: REST under /api/v10 and a gateway websocket on the same port,
 * for the real discord.js client. Test hooks: `invoke` a slash command as a member, `autocomplete`,
 * `drop` the gateway, canned channel errors and closed DMs, injected failures, the message log.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway } from './gateway.ts';
import { Interactions, toResult, type InvokeContext, type InvokeResult, type OptionValue } from './interactions.ts';
import { RestRoutes, type InjectedFailure } from './rest.ts';
import type { BucketSpec } from './rate-limits.ts';
import { World, type PostedMessage } from './world.ts';

export { PERMS, MEMBER_PERMS, BOT_PERMS, type PostedMessage } from './world.ts';
export type { InvokeContext, InvokeResult } from './interactions.ts';
export type { UploadedFile } from './uploads.ts';

export interface DiscordStandInOptions {
  readonly token?: string;
  /** Guild text channels to create (default 3). */
  readonly channels?: number;
  /** Global requests per second (Discord: 50). */
  readonly globalPerSec?: number;
  /** POST /channels/{id}/messages bucket (default 5 per 5 s per channel, as Discord). */
  readonly messageBucket?: BucketSpec;
  readonly defaultBucket?: BucketSpec;
  readonly heartbeatIntervalMs?: number;
}

export class DiscordStandIn {
  readonly token: string;
  readonly world: World;
  readonly interactions: Interactions;
  readonly rest: RestRoutes;
  readonly gateway: FakeGateway;
  private readonly server: Server;
  private port = 0;

  private constructor(opts: DiscordStandInOptions) {
    this.token = opts.token ?? 'MTAxNTAwMDAwMDAwMDAwMDAw.Gh7Tst.standin-token-not-a-real-secret-000';
    this.world = new World(opts.channels ?? 3);
    this.interactions = new Interactions(this.world);
    const wsUrl = () => `ws://127.0.0.1:${this.port}/gateway`;
    this.rest = new RestRoutes(this.world, this.interactions, {
      token: this.token,
      globalPerSec: opts.globalPerSec ?? 50,
      gatewayUrl: wsUrl,
      messageBucket: opts.messageBucket ?? { limit: 5, windowMs: 5000 },
      defaultBucket: opts.defaultBucket ?? { limit: 50, windowMs: 1000 },
    });
    this.gateway = new FakeGateway(this.world, this.token, wsUrl);
    if (opts.heartbeatIntervalMs !== undefined) this.gateway.heartbeatIntervalMs = opts.heartbeatIntervalMs;
    this.server = createServer((req, res) => {
      this.rest.handle(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (!(req.url ?? '').startsWith('/gateway')) return socket.destroy();
      this.gateway.wss.handleUpgrade(req, socket, head, (ws) => this.gateway.wss.emit('connection', ws, req));
    });
  }

  static async start(opts: DiscordStandInOptions = {}): Promise<DiscordStandIn> {
    const s = new DiscordStandIn(opts);
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    s.port = (s.server.address() as AddressInfo).port;
    return s;
  }

  /** REST base for discord.js (`rest.api`), like https://discord.com/api. */
  get apiBase(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get applicationId(): string {
    return this.world.applicationId;
  }

  get guildId(): string {
    return this.world.guildId;
  }

  channelIds(): string[] {
    return this.world.guildChannelIds();
  }

  /** Runs `/path` (e.g. 'alert add') as a member and resolves with what they finally saw. */
  async invoke(
    path: string,
    options: Record<string, OptionValue> = {},
    ctx: InvokeContext = {},
    timeoutMs = 10_000,
  ): Promise<InvokeResult> {
    const { id, token, payload } = this.interactions.build(path, options, ctx);
    const done = this.interactions.track(id, token, timeoutMs);
    this.gateway.send('INTERACTION_CREATE', payload);
    const final = await done;
    await new Promise((r) => setTimeout(r, 20)); // let trailing followups land
    return toResult(final, this.interactions.responsesOf(id));
  }

  /** Types into option `focused` and returns the suggestions the bot offered. */
  async autocomplete(
    path: string,
    options: Record<string, OptionValue>,
    focused: string,
    ctx: InvokeContext = {},
  ): Promise<InvokeResult> {
    const { id, token, payload } = this.interactions.build(path, options, ctx, focused);
    const done = this.interactions.track(id, token, 5000);
    this.gateway.send('INTERACTION_CREATE', payload);
    const final = await done;
    return toResult(final, this.interactions.responsesOf(id));
  }

  /** Cuts the gateway connection; discord.js should reconnect and RESUME. */
  drop(): void {
    this.gateway.drop();
  }

  /** Makes every request to a channel fail with 10003 / 50001 / 50013. */
  failChannel(channelId: string, code: 10003 | 50001 | 50013): void {
    this.world.channelErrors.set(channelId, code);
  }

  /** The user closed DMs / blocked the bot: messages to their DM channel get 50007. */
  closeDms(userId: string): void {
    this.world.closedDms.add(userId);
  }

  /** The next `times` requests matching `match` (on `METHOD /path`) get this failure. */
  inject(f: Omit<InjectedFailure, 'times'> & { times?: number }): void {
    this.rest.failures.push({ ...f, times: f.times ?? 1 });
  }

  messages(channelId?: string): PostedMessage[] {
    return channelId === undefined
      ? [...this.world.messages]
      : this.world.messages.filter((m) => m.channelId === channelId);
  }

  dmChannelId(userId: string): string {
    return this.world.dmChannel(userId).id;
  }

  /** Resolves with the first posted message matching `pred` (already posted or yet to come). */
  async waitForMessage(pred: (m: PostedMessage) => boolean, timeoutMs = 10_000): Promise<PostedMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.world.messages.find(pred);
      if (m !== undefined) return m;
      if (Date.now() > deadline) throw new Error('no matching message posted in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
