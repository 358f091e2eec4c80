/**
 * Delivers alert messages over Discord REST only (the gateway is for commands), and classifies
 * every failure once into the engine's DeliveryError kinds.
 *
 * PACING: every request takes a slot from an even 50/s pacer (pacer.ts) before @discordjs/rest,
 * which then only has the per-route buckets to wait for.
 *
 * RETRY LAYER: BullMQ, exclusively. The REST client runs with `retries: 0`, so a 5xx or a network
 * error surfaces at once as DeliveryError('retryable') and the deliver queue backs off and retries
 * it. 429s are not retries: @discordjs/rest waits out the per-route buckets it learns from the
 * X-RateLimit headers and the global 50 requests/s, and sends the request again after Retry-After,
 * so a rate limit delays a message but never loses or duplicates it.
 * A channel's own bucket further away than a few seconds is not waited for on a worker: the
 * request is refused (RateLimitError) and becomes a chat-scoped 'rate-limited', which delays
 * that one delivery (BullMQ) while the worker serves other channels.
 */
import { DiscordAPIError, HTTPError, RateLimitError, Routes, type APIEmbed, type RawFile, type REST } from 'discord.js';
import { redactSecrets, type Logger } from '../../observability/logger.ts';
import { DeliveryError, type Notifier, type OutboundMessage } from '../../alerting/ports.ts';
import type { Subscription } from '../../alerting/types.ts';
import { chartForAlerts } from '../../charts/index.ts';
import { alertChart, type ChartDeps, type ChartPicture } from '../chart-picture.ts';
import { clip, LIMITS } from './embed-limits.ts';
import type { Pacer } from './pacer.ts';
import { renderAlertMessage } from './render.ts';

/** Discord codes after which sending to that target again is pointless until a human acts. */
export const PERMANENT_CODES: ReadonlyMap<number, string> = new Map([
  [10003, 'the channel no longer exists'],
  [50001, 'I no longer have access to the channel'],
  [50013, 'I lack permission to post there (Send Messages, Embed Links)'],
  [50007, 'I cannot send you direct messages'],
]);

/** Maps anything a REST call threw to the engine's failure kinds; never includes the token. */
export function classifyDiscordError(e: unknown, attempted: string): DeliveryError {
  const d = classify(e, attempted);
  const safe = redactSecrets(d.message);
  return safe === d.message ? d : new DeliveryError(d.kind, safe, d.context);
}

function classify(e: unknown, attempted: string): DeliveryError {
  if (e instanceof DeliveryError) return e;
  if (e instanceof DiscordAPIError) {
    const code = typeof e.code === 'number' ? e.code : Number(e.code);
    const why = PERMANENT_CODES.get(code);
    // The engine quotes a permanent failure's message to the owner: words for them, no ids.
    if (why !== undefined)
      return new DeliveryError('permanent', `${why} (Discord ${code})`, {
        platform: 'discord',
        status: e.status,
        code,
      });
    // Anything else (50035 form body, 401 token…) is a bug or a config problem, not the target's
    // fault: keep the subscription, let BullMQ retry a few times and fail the job visibly.
    return new DeliveryError('retryable', `${attempted}: Discord ${e.status} code ${code} ${clip(e.message, 200)}`, {
      platform: 'discord',
      status: e.status,
      code,
    });
  }
  if (e instanceof RateLimitError) {
    // Thrown only for a channel's own bucket (see createRest): delay this delivery, not the queue.
    const retryAfterMs = Math.max(e.retryAfter, e.timeToReset, 1);
    return new DeliveryError('rate-limited', `${attempted}: rate limited`, {
      platform: 'discord',
      status: 429,
      retryAfterMs,
      scope: e.global ? 'platform' : 'chat',
    });
  }
  if (e instanceof HTTPError)
    return new DeliveryError('retryable', `${attempted}: Discord HTTP ${e.status}`, {
      platform: 'discord',
      status: e.status,
    });
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new DeliveryError('retryable', `${attempted}: network error ${clip(msg, 200)}`, { platform: 'discord' });
}

export interface DiscordNotifierDeps extends ChartDeps {
  /** The bot's one REST client (shared with the gateway client so one global limit applies). */
  readonly rest: REST;
  readonly logger: Logger;
  /** How many DM channel ids to remember (opening a DM is a request of its own). */
  readonly dmCacheSize?: number;
  /** Evenly spaces every request under the global limit (see pacer.ts). */
  readonly pacer: Pacer;
}

export class DiscordNotifier implements Notifier {
  readonly platform = 'discord' as const;
  private readonly dmChannels = new Map<string, string>();

  /** The REST client deliveries go through (the bot shares it). */
  readonly rest: REST;

  constructor(private readonly deps: DiscordNotifierDeps) {
    this.rest = deps.rest;
  }

  /**
   * One alert = one message. With charts, the picture is an attachment of that same message (one
   * multipart request) shown inside the embed of the alert it illustrates; a picture Discord
   * refuses (400/413, nothing was posted) is dropped and the message posted again without it,
   * and a chart that cannot be drawn leaves the message exactly as without charts.
   */
  async send(sub: Subscription, message: OutboundMessage): Promise<void> {
    const channelId = await this.channelOf(sub);
    const rendered = renderAlertMessage(message, sub);
    const picture = await alertChart(this.deps, sub, message, this.deps.logger);
    if (picture === null) {
      await this.post(channelId, rendered, `deliver to ${sub.id}`);
      return;
    }
    const at = Math.max(
      0,
      message.events.findIndex((e) => chartForAlerts([e.kind]) === picture.kind),
    );
    try {
      await this.post(
        channelId,
        withPicture(rendered, picture, at < rendered.embeds.length ? at : 0),
        `deliver to ${sub.id}`,
        picture,
      );
    } catch (e) {
      if (!(e instanceof DeliveryError) || !isUploadRefused(e)) throw e;
      this.deps.logger.warn(
        { subscription: sub.id, chart: picture.kind, code: e.context.code },
        'discord refused the chart; posting the alert without it',
      );
      await this.post(channelId, rendered, `deliver to ${sub.id}`);
    }
  }

  /**
   * Tells a channel subscription's owner by DM why its alerts stopped. A DM subscription's owner
   * is the unreachable user themself, so there is no one else to tell.
   */
  async tellOwner(sub: Subscription, text: string): Promise<void> {
    if (sub.targetType !== 'channel') return;
    const dm = await this.openDm(sub.ownerId);
    await this.post(
      dm,
      { content: clip(`About the alerts in <#${sub.targetId}>: ${text}`, LIMITS.content) },
      `tell owner of ${sub.id}`,
    );
  }

  /** A plain DM to a user (the /start greeting that proves alerts can reach them). */
  async sendDm(userId: string, content: string): Promise<void> {
    const dm = await this.openDm(userId);
    await this.post(dm, { content: clip(content, LIMITS.content) }, `DM ${userId}`);
  }

  private async channelOf(sub: Subscription): Promise<string> {
    if (sub.platform !== 'discord')
      throw new DeliveryError('permanent', `not a Discord subscription: ${sub.id}`, { platform: 'discord' });
    return sub.targetType === 'channel' ? sub.targetId : this.openDm(sub.targetId);
  }

  private async openDm(userId: string): Promise<string> {
    const cached = this.dmChannels.get(userId);
    if (cached !== undefined) return cached;
    let channel: { id: string };
    try {
      await this.deps.pacer.slot();
      channel = (await this.deps.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
        id: string;
      };
    } catch (e) {
      throw classifyDiscordError(e, `open DM with ${userId}`);
    }
    if (this.dmChannels.size >= (this.deps.dmCacheSize ?? 10_000)) {
      const oldest = this.dmChannels.keys().next().value;
      if (oldest !== undefined) this.dmChannels.delete(oldest);
    }
    this.dmChannels.set(userId, channel.id);
    return channel.id;
  }

  private async post(
    channelId: string,
    body: { content?: string; embeds?: unknown[] },
    attempted: string,
    picture?: ChartPicture,
  ): Promise<void> {
    const upload: { files?: RawFile[] } =
      picture === undefined ? {} : { files: [{ name: picture.filename, data: picture.png, contentType: 'image/png' }] };
    const attachments = picture === undefined ? {} : { attachments: [{ id: 0, filename: picture.filename }] };
    try {
      await this.deps.pacer.slot();
      await this.deps.rest.post(Routes.channelMessages(channelId), {
        body: { ...body, ...attachments, allowed_mentions: { parse: [] } },
        ...upload,
      });
    } catch (e) {
      const err = classifyDiscordError(e, attempted);
      this.deps.logger.warn(
        { channelId, attempted, kind: err.kind, code: err.context.code, status: err.context.status },
        'discord delivery failed',
      );
      throw err;
    }
  }
}

/** The embed at `index` shows the uploaded chart (`attachment://` names the file exactly). */
function withPicture(
  m: { content: string; embeds: APIEmbed[] },
  picture: ChartPicture,
  index: number,
): { content: string; embeds: APIEmbed[] } {
  return {
    content: m.content,
    embeds: m.embeds.map((e, i) => (i === index ? { ...e, image: { url: `attachment://${picture.filename}` } } : e)),
  };
}

/** Discord refused the upload itself (too large, bad form body): the same message without it will go. */
function isUploadRefused(e: DeliveryError): boolean {
  return e.context.status === 413 || e.context.code === 40005 || (e.context.status === 400 && e.context.code === 50035);
}
