/**
 * The stand-in's picture of Discord: one bot, one guild with text channels, roles and members,
 * DM channels opened on demand, and every message the bot posted. Ids are real-looking
 * 18–19 digit snowflakes (the @discordjs/rest bucket regex needs 17–19 digits).
 */

import { attachmentJson, type UploadedFile } from './uploads.ts';

const DISCORD_EPOCH = 1_420_070_400_000n;

export class Snowflakes {
  private seq = 0n;
  next(): string {
    this.seq = (this.seq + 1n) & 0xfffn;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (BigInt(process.pid & 0x3ff) << 12n) | this.seq).toString();
  }
}

export interface FakeUser {
  readonly id: string;
  readonly username: string;
  readonly global_name: string | null;
  readonly discriminator: '0';
  readonly avatar: null;
  readonly bot?: boolean;
}

export interface FakeChannel {
  readonly id: string;
  /** 0 text, 1 DM, 5 announcement (servers can follow it; crossposted messages reach them). */
  readonly type: 0 | 1 | 5;
  readonly name?: string;
  readonly guild_id?: string;
  /** DM channels: the user on the other side. */
  readonly recipientId?: string;
}

export interface PostedMessage {
  readonly id: string;
  readonly channelId: string;
  readonly content: string;
  readonly embeds: ReadonlyArray<Record<string, unknown>>;
  /** Files uploaded with the message (multipart), in upload order. */
  readonly attachments: readonly UploadedFile[];
  readonly atMs: number;
}

/** A crosspost (publish) of an announcement channel's message to the servers following it. */
export interface Crosspost {
  readonly channelId: string;
  readonly messageId: string;
  readonly atMs: number;
}

/** Permission bits used by tests (Discord's bitfield). */
export const PERMS = {
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  ManageChannels: 1n << 4n,
  Administrator: 1n << 3n,
} as const;

export const MEMBER_PERMS = PERMS.ViewChannel | PERMS.SendMessages | PERMS.EmbedLinks;
export const BOT_PERMS = PERMS.ViewChannel | PERMS.SendMessages | PERMS.EmbedLinks;

export class World {
  readonly ids = new Snowflakes();
  readonly bot: FakeUser;
  readonly applicationId: string;
  readonly guildId: string;
  readonly channels = new Map<string, FakeChannel>();
  readonly users = new Map<string, FakeUser>();
  readonly messages: PostedMessage[] = [];
  /** Canned per-channel failures (10003, 50001, 50013) and closed DMs (50007), by channel/user id. */
  readonly channelErrors = new Map<string, 10003 | 50001 | 50013>();
  readonly closedDms = new Set<string>();
  /** Messages published from announcement channels, in order (each at most once). */
  readonly crossposts: Crosspost[] = [];
  /** Followers of announcement channels: channel id → how many servers receive each crosspost. */
  readonly followers = new Map<string, number>();
  readonly globalCommands: Array<Record<string, unknown>> = [];
  readonly guildCommands = new Map<string, Array<Record<string, unknown>>>();

  constructor(channelCount: number) {
    this.applicationId = this.ids.next();
    this.bot = {
      id: this.applicationId,
      username: 'hashbell',
      global_name: null,
      discriminator: '0',
      avatar: null,
      bot: true,
    };
    this.guildId = this.ids.next();
    for (let i = 0; i < channelCount; i++) {
      const id = this.ids.next();
      this.channels.set(id, { id, type: 0, name: `alerts-${i}`, guild_id: this.guildId });
    }
  }

  guildChannelIds(): string[] {
    return [...this.channels.values()].filter((c) => c.type === 0).map((c) => c.id);
  }

  /** Adds an announcement channel (type 5) to the guild, followed by `followers` other servers. */
  addAnnouncementChannel(name = 'hashbell-news', followers = 3): FakeChannel {
    const id = this.ids.next();
    const c: FakeChannel = { id, type: 5, name, guild_id: this.guildId };
    this.channels.set(id, c);
    this.followers.set(id, followers);
    return c;
  }

  user(id: string): FakeUser {
    let u = this.users.get(id);
    if (u === undefined) {
      u = { id, username: `miner${id.slice(-4)}`, global_name: null, discriminator: '0', avatar: null };
      this.users.set(id, u);
    }
    return u;
  }

  /** Opens (or returns) the DM channel with a user, as POST /users/@me/channels does. */
  dmChannel(userId: string): FakeChannel {
    for (const c of this.channels.values()) if (c.type === 1 && c.recipientId === userId) return c;
    const c: FakeChannel = { id: this.ids.next(), type: 1, recipientId: userId };
    this.channels.set(c.id, c);
    return c;
  }

  channelJson(c: FakeChannel): Record<string, unknown> {
    if (c.type === 1) {
      return { id: c.id, type: 1, last_message_id: null, flags: 0, recipients: [this.user(c.recipientId ?? '')] };
    }
    return {
      id: c.id,
      type: c.type,
      guild_id: c.guild_id,
      name: c.name,
      position: 0,
      permission_overwrites: [],
      nsfw: false,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      parent_id: null,
      flags: 0,
    };
  }

  messageJson(
    channelId: string,
    id: string,
    body: { content?: string; embeds?: unknown[]; flags?: number },
    files: readonly UploadedFile[] = [],
  ): Record<string, unknown> {
    return {
      id,
      channel_id: channelId,
      type: 0,
      content: body.content ?? '',
      embeds: body.embeds ?? [],
      author: this.bot,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: attachmentJson(channelId, id, files),
      components: [],
      pinned: false,
      flags: body.flags ?? 0,
    };
  }

  memberJson(user: FakeUser, permissions: bigint): Record<string, unknown> {
    return {
      user,
      roles: [],
      joined_at: new Date(0).toISOString(),
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
      avatar: null,
      permissions: permissions.toString(),
    };
  }

  guildJson(): Record<string, unknown> {
    return {
      id: this.guildId,
      name: 'Hashers',
      icon: null,
      owner_id: this.ids.next(),
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      features: [],
      emojis: [],
      stickers: [],
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: MEMBER_PERMS.toString(),
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
          icon: null,
          unicode_emoji: null,
        },
      ],
      joined_at: new Date(0).toISOString(),
      large: false,
      unavailable: false,
      member_count: 1,
      members: [this.memberJson(this.bot, BOT_PERMS)],
      channels: [...this.channels.values()].filter((c) => c.type !== 1).map((c) => this.channelJson(c)),
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}
