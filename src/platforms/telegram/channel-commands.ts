/**
 * Commands typed inside a Telegram channel (`channel_post` updates). Telegram lets only a
 * channel's administrators with the right to post write there, so a channel post counts as an
 * administrator's command (the same rule as groups: administrators change alerts, readers press
 * no buttons that change anything — buttons under channel posts are checked per reader).
 *
 * The operator's broadcast channel (BROADCAST_TELEGRAM_CHAT, issue 14 item 1) carries the
 * default rules for everyone and belongs to the operator's configuration: there `/start` and
 * `/help` say what the channel is and where personal thresholds go, the read-only commands
 * (`/status`, `/retarget`, `/hashprice`, `/alerts`) answer as anywhere, and commands that would
 * change it are refused. Any other channel is like a group whose every poster is an admin.
 */
import { describeRule } from '../../alerting/describe.ts';
import type { BroadcastChannel } from '../../subscriptions/broadcast.ts';
import { COMMAND_BY_NAME } from './commands.ts';
import { handleCommand, targetOf, type ChatRef, type HandlerDeps, type Reply } from './handlers.ts';
import { html, joinHtml, type SafeHtml } from './html.ts';

const isBroadcastChat = (chat: ChatRef, channel: BroadcastChannel | null): channel is BroadcastChannel =>
  channel !== null && channel.platform === 'telegram' && channel.targetId === String(chat.id);

/** Where a reader sets alerts of their own: a private chat with the bot. */
const personal = (bot: string): SafeHtml =>
  html`Your own thresholds (hash-rate levels, break-even, hash price…) go in a private chat with me: https://t.me/${bot}`;

async function aboutBroadcast(deps: HandlerDeps, chat: ChatRef, channel: BroadcastChannel, bot: string) {
  const t = targetOf(chat, chat.id);
  const [sub, rules] = await Promise.all([deps.service.get(t), deps.service.listRules(t)]);
  const state =
    sub === null
      ? html`Not subscribed yet: the bot subscribes it at start once it may post here.`
      : sub.active
        ? html`Posting: every alert below reaches everyone reading ${channel.name} at once.`
        : html`Paused: the bot may not post here. Make it an administrator with the right to post messages.`;
  return joinHtml(
    [
      html`📣 <b>${channel.name} is hashbell's broadcast channel</b>, set by the bot's operator (BROADCAST_TELEGRAM_CHAT).`,
      state,
      ...rules.map((r) => html`• <code>${r.id}</code> ${describeRule(r)}`),
      personal(bot),
    ],
    '\n',
  );
}

/**
 * Runs one command posted in channel `chat` by one of its administrators. `bot` is the bot's
 * username (for the link to a private chat). null: say nothing (a command for another bot).
 */
export async function handleChannelCommand(
  deps: HandlerDeps,
  chat: ChatRef,
  command: string,
  args: readonly string[],
  bot: string,
): Promise<Reply | null> {
  const channel = deps.broadcast?.() ?? null;
  // The poster is the channel itself (channel posts carry no user): an administrator's command.
  if (!isBroadcastChat(chat, channel)) return handleCommand(deps, chat, chat.id, command, args);
  const def = COMMAND_BY_NAME.get(command);
  if (def === undefined) return null;
  if (def.command === 'start') return { html: await aboutBroadcast(deps, chat, channel, bot) };
  if (def.command === 'help')
    return {
      html: joinHtml(
        [
          html`📣 <b>${channel.name}</b> posts hashbell's default alerts for everyone (the bot's operator sets them).`,
          html`Here: /status, /retarget and /hashprice show the figures now; /alerts lists this channel's alerts.`,
          personal(bot),
        ],
        '\n',
      ),
    };
  if (def.changes)
    return {
      html: joinHtml(
        [
          html`🔒 ${channel.name}'s alerts are the operator's defaults for everyone (BROADCAST_TELEGRAM_CHAT); they are not changed from the channel.`,
          personal(bot),
        ],
        '\n',
      ),
    };
  return handleCommand(deps, chat, chat.id, command, args);
}
