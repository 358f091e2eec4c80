/**
 * The operator's Telegram channel for the default rules (BROADCAST_TELEGRAM_CHAT, `@name` or a
 * `-100…` id). At start the bot resolves it (getChat), checks it may post there (getChatMember:
 * an administrator with `can_post_messages`), and subscribes it with the default rules; without
 * that right it says in the log exactly what to do and keeps the subscription paused. Telegram
 * tells the bot when its rights change (`my_chat_member`): promoted, the channel resumes; demoted
 * or removed, it pauses, with the same log line. Delivery failures for lack of rights are
 * permanent errors (errors.ts) and end the same way (the notifier's tellOwner logs them).
 */
import type { Logger } from '../../observability/logger.ts';
import { broadcastTarget, ensureBroadcast, type BroadcastChannel } from '../../subscriptions/broadcast.ts';
import type { SubscriptionService } from '../../subscriptions/service.ts';
import { classifyTelegramError } from './errors.ts';

/** The Bot API calls this needs (telegraf's Telegram has them). */
export interface ChannelApi {
  getChat(chatId: string | number): Promise<unknown>;
  getChatMember(chatId: string | number, userId: number): Promise<unknown>;
}

interface ChatInfo {
  readonly id: number;
  readonly type: string;
  readonly title?: string;
  readonly username?: string;
  readonly invite_link?: string;
}

/** A chat member as getChatMember / my_chat_member give it (the parts read here). */
export interface MemberInfo {
  readonly status: string;
  readonly can_post_messages?: boolean;
}

/** Whether the bot, as this member of a chat of this type, may post there. */
export function mayPost(chatType: string, m: MemberInfo): boolean {
  if (m.status === 'creator') return true;
  if (chatType !== 'channel') return m.status === 'administrator' || m.status === 'member';
  return m.status === 'administrator' && m.can_post_messages === true;
}

const HOW = 'make the bot an administrator of the channel with the right to post messages';

export class TelegramBroadcast {
  private channel: BroadcastChannel | null = null;
  private chatType = 'channel';

  constructor(
    private readonly ref: string,
    private readonly deps: {
      readonly api: ChannelApi;
      readonly service: SubscriptionService;
      readonly logger: Logger;
      readonly nowSec: () => number;
    },
  ) {}

  /** The resolved channel (null before start or when it could not be resolved). */
  current(): BroadcastChannel | null {
    return this.channel;
  }

  /** Resolves the channel, checks the bot's rights, and subscribes or pauses it. Never throws. */
  async start(botId: number): Promise<void> {
    const log = this.deps.logger;
    let chat: ChatInfo;
    try {
      chat = (await this.deps.api.getChat(this.ref)) as ChatInfo;
    } catch (e) {
      log.error(
        { err: classifyTelegramError(e, this.ref) },
        `BROADCAST_TELEGRAM_CHAT ${this.ref} cannot be found: add the bot to the channel (${HOW}) and restart`,
      );
      return;
    }
    this.chatType = chat.type;
    this.channel = {
      platform: 'telegram',
      targetId: String(chat.id),
      url: chat.username !== undefined ? `https://t.me/${chat.username}` : (chat.invite_link ?? null),
      name: chat.username !== undefined ? `@${chat.username}` : (chat.title ?? this.ref),
    };
    let member: MemberInfo;
    try {
      member = (await this.deps.api.getChatMember(chat.id, botId)) as MemberInfo;
    } catch (e) {
      member = { status: 'left' };
      log.warn({ err: classifyTelegramError(e, String(chat.id)) }, 'could not read the bot’s rights in the channel');
    }
    await this.apply(member);
  }

  /** my_chat_member for this chat: the bot's rights changed. True when it was this channel. */
  async rightsChanged(chatId: number, member: MemberInfo): Promise<boolean> {
    if (this.channel === null || String(chatId) !== this.channel.targetId) return false;
    await this.apply(member);
    return true;
  }

  private async apply(member: MemberInfo): Promise<void> {
    const c = this.channel;
    if (c === null) return;
    const log = this.deps.logger;
    if (mayPost(this.chatType, member)) {
      const { created } = await ensureBroadcast(this.deps.service, c, this.deps.nowSec());
      log.info({ channel: c.name, created }, 'broadcast channel ready: the default rules post there');
      return;
    }
    await this.deps.service.deactivate?.(broadcastTarget(c));
    log.error(
      { channel: c.name, status: member.status },
      `broadcast channel ${c.name}: the bot may not post there, its alerts are paused; ${HOW}`,
    );
  }
}
