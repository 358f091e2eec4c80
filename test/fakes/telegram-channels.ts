/**
 * Channels in the Telegram stand-in: a channel is a chat whose readers never write; only its
 * administrators allowed to post (`can_post_messages`) may send there. The bot posting without
 * that right gets Telegram's answers: 403 "bot is not a member of the channel chat" when it is
 * not in the channel, 400 "need administrator rights in the channel chat" when it is a plain
 * member or an administrator without the right. A post reaches every subscriber at once.
 */
import { err, type ApiError, type Json } from './telegram-http.ts';

export interface FakeChannel {
  readonly id: number;
  readonly title: string;
  /** Public channels have one (t.me/<username>); `@username` works as chat_id. */
  readonly username?: string;
  /** How many people read it (one post reaches them all). */
  readonly subscribers: number;
}

export type BotStatus = 'administrator' | 'member' | 'left';

export class ChannelBook {
  private readonly channels = new Map<number, FakeChannel>();
  private readonly bot = new Map<number, { status: BotStatus; canPost: boolean }>();

  add(c: FakeChannel): void {
    this.channels.set(c.id, c);
  }

  /** The bot's membership (an operator promoting or demoting it). */
  setBot(chatId: number, status: BotStatus, canPost = status === 'administrator'): void {
    this.bot.set(chatId, { status, canPost });
  }

  botMember(chatId: number): { status: BotStatus; canPost: boolean } {
    return this.bot.get(chatId) ?? { status: 'left', canPost: false };
  }

  get(chatId: number): FakeChannel | undefined {
    return this.channels.get(chatId);
  }

  /** `-100…` or `@username` → the channel, if known. */
  resolve(chatIdParam: unknown): FakeChannel | undefined {
    if (typeof chatIdParam === 'string' && chatIdParam.startsWith('@')) {
      const name = chatIdParam.slice(1).toLowerCase();
      return [...this.channels.values()].find((c) => c.username?.toLowerCase() === name);
    }
    return this.channels.get(Number(chatIdParam));
  }

  /** null when the bot may post to this channel, else Telegram's refusal. */
  refusePost(chatId: number): ApiError | null {
    if (!this.channels.has(chatId)) return null;
    const m = this.botMember(chatId);
    if (m.status === 'left') return err(403, 'Forbidden: bot is not a member of the channel chat');
    if (m.status !== 'administrator' || !m.canPost)
      return err(400, 'Bad Request: need administrator rights in the channel chat');
    return null;
  }

  chatJson(c: FakeChannel): Json {
    return { id: c.id, type: 'channel', title: c.title, ...(c.username !== undefined ? { username: c.username } : {}) };
  }

  /** getChatMember for the bot in a channel. */
  memberJson(chatId: number, user: Json): Json {
    const m = this.botMember(chatId);
    return m.status === 'administrator'
      ? { status: 'administrator', user, can_be_edited: false, can_post_messages: m.canPost, can_edit_messages: true }
      : { status: m.status, user };
  }
}
