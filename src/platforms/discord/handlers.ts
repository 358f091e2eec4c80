/**
 * Routes each interaction to its handler. Every handler failure is caught here: the user gets
 * a short "something went wrong" and the log gets the details; nothing crashes the bot.
 */
import { MessageFlags, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { autocomplete } from './autocomplete.ts';
import { alertAdd, alertList, alertRemove, preview } from './handlers-rules.ts';
import { hashprice, help, mute, quiet, retarget, start, status, stop, unmute } from './handlers-settings.ts';
import type { HandlerDeps } from './interaction-kit.ts';

type Handler = (i: ChatInputCommandInteraction, deps: HandlerDeps) => Promise<void>;

/** Command (and subcommand) name → handler; keys match commands.ts. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  start,
  help,
  status,
  retarget,
  hashprice,
  preview,
  mute,
  unmute,
  stop,
  'alert add': alertAdd,
  'alert list': alertList,
  'alert remove': alertRemove,
  'quiet set': quiet,
  'quiet off': quiet,
};

function handlerKey(i: ChatInputCommandInteraction): string {
  // `/alert add <kind>` is a subcommand group whose subcommands are the kinds; `/preview <kind>`
  // has the kinds as subcommands: both route by command (and group), the kind is read later.
  const group = i.options.getSubcommandGroup(false);
  if (group !== null) return `${i.commandName} ${group}`;
  const sub = i.options.getSubcommand(false);
  return sub === null || i.commandName === 'preview' ? i.commandName : `${i.commandName} ${sub}`;
}

export async function handleInteraction(i: Interaction, deps: HandlerDeps): Promise<void> {
  const log = deps.logger.child({ interaction: i.id, user: i.user.id });
  try {
    if (i.isAutocomplete()) return await autocomplete(i, deps);
    if (!i.isChatInputCommand()) return;
    const key = handlerKey(i);
    const handler = HANDLERS[key];
    if (handler === undefined) {
      log.warn({ command: key }, 'unknown command (stale registration?)');
      await i.reply({ content: 'I don’t know that command any more; try `/help`.', flags: MessageFlags.Ephemeral });
      return;
    }
    await handler(i, deps);
  } catch (e) {
    log.error({ err: e }, 'interaction handler failed');
    if (!i.isChatInputCommand()) return;
    const content = '❌ Something went wrong on my side; nothing was changed. Please try again in a minute.';
    const answer =
      i.deferred || i.replied ? i.editReply({ content }) : i.reply({ content, flags: MessageFlags.Ephemeral });
    await answer.catch((e2: unknown) => log.warn({ err: e2 }, 'could not report the failure'));
  }
}
