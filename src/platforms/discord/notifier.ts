/**
 * Delivers alert messages over Discord REST only (the gateway is for commands), and classifies
 * every failure once into the engine's DeliveryError kinds.
 *
 * PACING: @discordjs/rest waits for the per-route buckets; when a request finally leaves, its
 * transport takes a slot on the global send gate (bot.ts createRest, platforms/send-timeline.ts:
 * 50 requests/s shared by every notifier process through Redis), so nothing here paces.
 *
 * RETRY LAYER: BullMQ, exclusively. The REST client runs with `retries: 0`, so a 5xx or a network
 * error surfaces at once as DeliveryError('retryable') and the deliver queue backs off and retries
 * it. 429s are not retries: @discordjs/rest waits out the per-route buckets it learns from the
 * X-RateLimit headers and the global 50 requests/s, and sends the request again after Retry-After,
 * so a rate limit delays a message but never loses or duplicates it.
 * A channel's own bucket further away than a few seconds is not waited for on a worker: the
 * request is refused (RateLimitError) and becomes a chat-scoped 'rate-limited', which delays
 * that one delivery (BullMQ) while the worker serves other channels.
 *
 * ONE UPLOAD PER PICTURE (issue 14.4): the first alert carrying a chart uploads it; Discord's
 * answer gives the attachment's CDN URL, kept in `pictures` (Redis, shared by every notifier
 * process, for at most an hour and never past the URL's own signed expiry), and every other
 * recipient's embed points its image at that URL: a plain JSON request, no upload.
 *
 * ANNOUNCEMENT CHANNELS (type 5): after the alert is posted there, it is crossposted
 * (`POST /channels/{id}/messages/{id}/crosspost`), so every server following the channel gets it
 * too. The crosspost is best effort AFTER the delivery succeeded: its failure (Discord allows
 * about 10 publishes per channel per hour; a missing permission) is logged, never thrown, so a
 * retry never posts the alert twice. Which channels are announcement channels is learned where
 * their type is seen anyway (announcement-channels.ts), never asked per alert.
 */
import { DiscordAPIError, HTTPError, RateLimitError, Routes, type APIEmbed, type RawFile, type REST } from 'discord.js';
import {
  MemoryPictureRefs,
  PICTURE_REF_TTL_SEC,
  sendPicture,
  type PictureOutcome,
  type PictureRefs,
} from '../picture-refs.ts';
import { redactSecrets, type Logger } from '../../observability/logger.ts';
import { DeliveryError, type Notifier, type OutboundMessage } from '../../alerting/ports.ts';
import type { OwnerNotice } from '../../alerting/problems.ts';
import type { Subscription } from '../../alerting/types.ts';
import { discordOwnerNotice } from './problem-words.ts';
import { chartForAlerts } from '../../charts/index.ts';
import { alertChart, type ChartDeps, type ChartPicture } from '../chart-picture.ts';
import { isBroadcast } from '../../alerting/broadcast.ts';
import {
  ANNOUNCEMENT_CHANNEL,
  MemoryAnnouncementChannels,
  type AnnouncementChannels,
} from './announcement-channels.ts';
import { clip, LIMITS } from './embed-limits.ts';
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
  /** Where uploaded charts are found again (default: this process only). */
  readonly pictures?: PictureRefs;
  /** Counts each alert picture's upload or reuse (benches, metrics). */
  readonly onPicture?: (outcome: PictureOutcome) => void;
  /** Which channels are announcement channels (default: what this process saw). */
  readonly announcements?: AnnouncementChannels;
}

export { ANNOUNCEMENT_CHANNEL };

/** A posted message as REST answers it (the parts we read). */
interface PostedMessage {
  readonly id?: string;
  readonly attachments?: ReadonlyArray<{ readonly url?: string }>;
}

/**
 * How long a Discord CDN attachment URL may be reused: its signed `ex` (hex unix seconds) less a
 * margin, at most PICTURE_REF_TTL_SEC; null when it is already (nearly) expired.
 */
export function attachmentUrlTtlSec(url: string, nowSec: number): number | null {
  let ex: string | null = null;
  try {
    ex = new URL(url).searchParams.get('ex');
  } catch {
    return null;
  }
  if (ex === null || !/^[0-9a-f]+$/i.test(ex)) return PICTURE_REF_TTL_SEC;
  const left = parseInt(ex, 16) - nowSec - 300;
  return left < 60 ? null : Math.min(PICTURE_REF_TTL_SEC, left);
}

export class DiscordNotifier implements Notifier {
  readonly platform = 'discord' as const;
  private readonly dmChannels = new Map<string, string>();
  private readonly pictures: PictureRefs;
  private readonly announcements: AnnouncementChannels;

  /** The REST client deliveries go through (the bot shares it). */
  readonly rest: REST;

  constructor(private readonly deps: DiscordNotifierDeps) {
    this.rest = deps.rest;
    this.pictures = deps.pictures ?? new MemoryPictureRefs();
    this.announcements = deps.announcements ?? new MemoryAnnouncementChannels();
  }

  /** Tells the notifier a channel's type seen elsewhere (a /start interaction, a start-up lookup). */
  async noteChannelType(channelId: string, type: number): Promise<void> {
    try {
      await this.announcements.note(channelId, type);
    } catch (e) {
      this.deps.logger.warn({ channelId, err: String(e) }, 'could not record the channel type');
    }
  }

  /**
   * One alert = one message. With charts, the picture is an attachment of that same message (one
   * multipart request) shown inside the embed of the alert it illustrates; a picture Discord
   * refuses (400/413, nothing was posted) is dropped and the message posted again without it,
   * and a chart that cannot be drawn leaves the message exactly as without charts.
   */
  async send(sub: Subscription, message: OutboundMessage): Promise<void> {
    const channelId = await this.channelOf(sub);
    const announce = sub.targetType === 'channel' && (await this.isAnnouncement(channelId));
    const rendered = renderAlertMessage(message, sub);
    const picture = await alertChart(this.deps, sub, message, this.deps.logger);
    const what = `deliver to ${sub.id}`;
    let posted: PostedMessage;
    if (picture === null) posted = await this.post(channelId, rendered, what);
    else posted = await this.postWithPicture(channelId, sub, message, rendered, picture);
    if (announce) await this.crosspost(channelId, posted, sub);
  }

  /** The alert with its chart: by the first upload's URL when there is one, else uploaded. */
  private async postWithPicture(
    channelId: string,
    sub: Subscription,
    message: OutboundMessage,
    rendered: { content: string; embeds: APIEmbed[] },
    picture: ChartPicture,
  ): Promise<PostedMessage> {
    const what = `deliver to ${sub.id}`;
    const found = message.events.findIndex((e) => chartForAlerts([e.kind]) === picture.kind);
    const at = found >= 0 && found < rendered.embeds.length ? found : 0;
    try {
      const { result, outcome } = await sendPicture(
        this.pictures,
        picture.key,
        {
          reuse: (url) => this.post(channelId, withImage(rendered, url, at), what),
          upload: async () => {
            const answer = await this.post(
              channelId,
              withImage(rendered, `attachment://${picture.filename}`, at),
              what,
              picture,
            );
            const url = answer.attachments?.[0]?.url;
            const ttlSec = url === undefined ? null : attachmentUrlTtlSec(url, Math.floor(Date.now() / 1000));
            return { result: answer, ref: ttlSec === null ? null : url!, ...(ttlSec === null ? {} : { ttlSec }) };
          },
          // Discord does not check an embed's image URL: an old one shows nothing, so refs are short-lived.
          isStaleRef: () => false,
        },
        this.deps.logger,
      );
      this.deps.onPicture?.(outcome);
      return result;
    } catch (e) {
      if (!(e instanceof DeliveryError) || !isUploadRefused(e)) throw e;
      this.deps.logger.warn(
        { subscription: sub.id, chart: picture.kind, code: e.context.code },
        'discord refused the chart; posting the alert without it',
      );
      return this.post(channelId, rendered, what);
    }
  }

  /** Whether a channel subscription's channel is an announcement channel (a Redis read, no request). */
  private async isAnnouncement(channelId: string): Promise<boolean> {
    try {
      return await this.announcements.has(channelId);
    } catch {
      return false; // crossposting is a bonus; the alert itself goes out regardless
    }
  }

  /** Publishes a posted alert to the servers following the channel; best effort, never thrown. */
  private async crosspost(channelId: string, posted: PostedMessage, sub: Subscription): Promise<void> {
    if (posted.id === undefined) return;
    try {
      await this.deps.rest.post(Routes.channelMessageCrosspost(channelId, posted.id));
    } catch (e) {
      const err = classifyDiscordError(e, `crosspost for ${sub.id}`);
      if (err.context.code === 40033) return; // already published (a retried delivery)
      const why =
        err.kind === 'rate-limited'
          ? 'Discord allows about 10 publishes per announcement channel per hour'
          : err.kind === 'permanent'
            ? 'the bot needs Send Messages (and Manage Messages) in the announcement channel'
            : 'Discord did not answer';
      this.deps.logger.warn(
        { subscription: sub.id, channelId, code: err.context.code, status: err.context.status },
        `alert posted but not crossposted to following servers: ${why}`,
      );
    }
  }

  /**
   * Tells a channel subscription's owner by DM why its alerts stopped. A DM subscription's owner
   * is the unreachable user themself, so there is no one else to tell.
   */
  async tellOwner(sub: Subscription, notice: OwnerNotice): Promise<void> {
    if (sub.targetType !== 'channel') return;
    const text = discordOwnerNotice(notice);
    if (isBroadcast(sub)) {
      // The operator's broadcast channel has no owner on Discord to DM: the log is where they look.
      this.deps.logger.error(
        { subscription: sub.id, channelId: sub.targetId },
        `broadcast channel ${sub.targetId} (BROADCAST_DISCORD_CHANNEL): ${text} Give the bot View Channel, Send Messages and Embed Links there; ` +
          'its alerts resume at the next start.',
      );
      return;
    }
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
  ): Promise<PostedMessage> {
    const upload: { files?: RawFile[] } =
      picture === undefined ? {} : { files: [{ name: picture.filename, data: picture.png, contentType: 'image/png' }] };
    const attachments = picture === undefined ? {} : { attachments: [{ id: 0, filename: picture.filename }] };
    try {
      const answer = await this.deps.rest.post(Routes.channelMessages(channelId), {
        body: { ...body, ...attachments, allowed_mentions: { parse: [] } },
        ...upload,
      });
      return (answer ?? {}) as PostedMessage;
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

/**
 * The embed at `index` shows the chart: `attachment://<file>` of this very upload, or the URL of
 * an earlier upload of the same picture.
 */
function withImage(
  m: { content: string; embeds: APIEmbed[] },
  url: string,
  index: number,
): { content: string; embeds: APIEmbed[] } {
  return { content: m.content, embeds: m.embeds.map((e, i) => (i === index ? { ...e, image: { url } } : e)) };
}

/** Discord refused the upload itself (too large, bad form body): the same message without it will go. */
function isUploadRefused(e: DeliveryError): boolean {
  return e.context.status === 413 || e.context.code === 40005 || (e.context.status === 400 && e.context.code === 50035);
}
