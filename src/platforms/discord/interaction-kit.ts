/**
 * The few moves every handler makes: read who/where from the interaction, resolve the `target`,
 * refuse at once (ephemeral, nothing stored) or defer first and answer later — the 3-second rule
 * is met by deferring before any I/O.
 */
import { MessageFlags, type APIEmbed, type AttachmentBuilder, type ChatInputCommandInteraction } from 'discord.js';
import type { Problem } from '../../alerting/problems.ts';
import type { BroadcastChannel } from '../../subscriptions/broadcast.ts';
import type { SubscriptionService, Target } from '../../subscriptions/service.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ChartRenderer } from '../chart-picture.ts';
import { TARGET_OPTION, type TargetChoice } from './commands.ts';
import { resolveTarget, type InvokerContext, type TargetProblem } from './options.ts';
import { problemText } from './render.ts';

export interface HandlerDeps {
  readonly service: SubscriptionService;
  readonly logger: Logger;
  /** Wall clock in unix seconds (injected so tests control time). */
  readonly nowSec: () => number;
  /** Sends a user a DM; throws DeliveryError (the notifier's). Used to prove DMs reach them. */
  readonly sendDm?: (userId: string, content: string) => Promise<void>;
  /** Optional: /status, /retarget, /hashprice show a chart in their embed (absent = no picture). */
  readonly charts?: ChartRenderer;
  /** The operator's public channel for the default rules (BROADCAST_DISCORD_CHANNEL), once resolved. */
  readonly broadcast?: () => BroadcastChannel | null;
  /** Tells the notifier a channel's type seen in an interaction (announcement channels crosspost). */
  readonly noteChannel?: (channelId: string, type: number) => Promise<void>;
}

export interface Answer {
  readonly content?: string;
  readonly embeds?: APIEmbed[];
  /** Uploads an embed shows through `image.url = attachment://<name>`. */
  readonly files?: AttachmentBuilder[];
}

/** What commands and autocomplete interactions share about who invoked them and where. */
export interface InteractionLike {
  readonly user: { readonly id: string };
  readonly channelId: string | null;
  readonly memberPermissions: { readonly bitfield: bigint } | null;
  readonly appPermissions: { readonly bitfield: bigint };
  inGuild(): boolean;
}

export function invokerContext(i: InteractionLike): InvokerContext {
  return {
    userId: i.user.id,
    guildChannelId: i.inGuild() ? i.channelId : null,
    memberPermissions: i.memberPermissions?.bitfield ?? null,
    appPermissions: i.appPermissions.bitfield,
  };
}

export function targetChoice(i: { options: { getString(name: string): string | null } }): TargetChoice | null {
  const v = i.options.getString(TARGET_OPTION);
  return v === 'channel' || v === 'dm' ? v : null;
}

/** "your DMs" or the channel mention, for replies. */
export function where(t: Target): string {
  return t.targetType === 'channel' ? `<#${t.targetId}>` : 'your DMs';
}

/** Replies at once, ephemerally: for refusals and answers that need no I/O. */
export async function replyNow(i: ChatInputCommandInteraction, a: Answer): Promise<void> {
  await i.reply({ ...a, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
}

/**
 * Defers (ephemeral for personal settings, public for a channel's), runs `work`, then edits
 * the deferred reply with its answer.
 */
export async function deferThen(
  i: ChatInputCommandInteraction,
  ephemeral: boolean,
  work: () => Promise<Answer>,
): Promise<void> {
  await i.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  const a = await work();
  await i.editReply({ ...a, allowedMentions: { parse: [] } });
}

/** Resolves the target option, replying with the reason when the invoker may not act there. */
export async function targetOrRefuse(i: ChatInputCommandInteraction, write: boolean): Promise<Target | null> {
  const r = resolveTarget(targetChoice(i), invokerContext(i), write);
  if (r.ok) return r.value;
  await replyNow(i, { content: problemText(r) });
  return null;
}

/** Personal (DM) settings reply ephemerally; a channel's settings are shown to the channel. */
export const isPersonal = (t: Target): boolean => t.targetType === 'user';

/** A refused input as a reply, worded for Discord (./problem-words.ts). */
export function problem(r: Problem | TargetProblem, command: 'alert' | 'preview' = 'alert'): Answer {
  return { content: problemText(r, command) };
}
