/**
 * What happens to an interaction before its handler runs (issue 15). The decisions are
 * CommandAdmission's (../command-budget.ts), the same for Telegram; this file words and delivers them:
 * - a per-chat command budget (a guild channel, or a user's DMs): over it, an ephemeral "slow
 *   down, try again in N s". Unlike Telegram this is said every time: an interaction left
 *   unanswered shows the user an error, and answering one costs no channel's limits (interaction
 *   callbacks are outside the bot's global and channel rate limits) and is seen by the invoker only;
 * - storage unreachable (Redis down): an immediate ephemeral "temporarily unavailable" instead of
 *   a deferred reply that would wait for Redis; /help still answers; autocomplete offers nothing.
 */
import { MessageFlags, type Interaction } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import { CommandAdmission, type GateOptions } from '../command-budget.ts';

/** The same options as Telegram's gate (../command-budget.ts), without a deadline: interactions defer. */
export type DiscordGateOptions = GateOptions;

export const UNAVAILABLE_TEXT =
  '⏳ Temporarily unavailable: I can’t reach my storage right now. Please try again in a minute (`/help` still works).';

export function slowDownText(retryInSec: number): string {
  return `🐢 Too many commands here: slow down, please. Try again in ${retryInSec} s. Alerts are not affected.`;
}

/**
 * Returns the gate: resolves true when it answered the interaction itself (the handler must not
 * run), false to go on to the handler.
 */
export function discordGate(opts: DiscordGateOptions, logger: Logger): (i: Interaction) => Promise<boolean> {
  const admission = new CommandAdmission(opts, logger);
  return async (i) => {
    if (i.isAutocomplete()) {
      if (admission.available()) return false;
      await i.respond([]);
      return true;
    }
    if (!i.isChatInputCommand()) return false;
    const d = admission.admit(i.channelId ?? `dm-${i.user.id}`, i.commandName);
    if (d.kind === 'run') return false;
    // Said every time, not once: an interaction left unanswered shows the member an error.
    const content = d.kind === 'over' ? slowDownText(d.retryInSec) : UNAVAILABLE_TEXT;
    await i.reply({ content, flags: MessageFlags.Ephemeral });
    return true;
  };
}
