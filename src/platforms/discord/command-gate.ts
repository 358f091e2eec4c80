/**
 * What happens to an interaction before its handler runs (issue 15), the Discord twin of
 * ../telegram/command-gate.ts:
 * - a per-chat command budget (a guild channel, or a user's DMs): over it, an ephemeral "slow
 *   down, try again in N s". Unlike Telegram this is said every time: an interaction left
 *   unanswered shows the user an error, and answering one costs no channel's limits (interaction
 *   callbacks are outside the bot's global and channel rate limits) and is seen by the invoker only;
 * - storage unreachable (Redis down): an immediate ephemeral "temporarily unavailable" instead of
 *   a deferred reply that would wait for Redis; /help still answers; autocomplete offers nothing.
 */
import { MessageFlags, type Interaction } from 'discord.js';
import type { Logger } from '../../observability/logger.ts';
import { CommandBudget, COMMAND_BUDGET, type CommandBudgetLimits } from '../command-budget.ts';

export interface DiscordGateOptions {
  readonly budget?: CommandBudgetLimits;
  /** False while storage is unreachable (production: the app's Redis is not `ready`). */
  readonly available?: () => boolean;
  readonly nowMs?: () => number;
}

export const UNAVAILABLE_TEXT =
  '⏳ Temporarily unavailable: I can’t reach my storage right now. Please try again in a minute (`/help` still works).';

export function slowDownText(retryInSec: number): string {
  return `🐢 Too many commands here: slow down, please. Try again in ${retryInSec} s. Alerts are not affected.`;
}

/** Commands answered without storage. */
const WITHOUT_STORAGE = new Set(['help']);

/**
 * Returns the gate: resolves true when it answered the interaction itself (the handler must not
 * run), false to go on to the handler.
 */
export function discordGate(opts: DiscordGateOptions, logger: Logger): (i: Interaction) => Promise<boolean> {
  const budget = new CommandBudget(opts.budget ?? COMMAND_BUDGET, opts.nowMs ?? Date.now);
  const available = opts.available ?? (() => true);
  return async (i) => {
    if (i.isAutocomplete()) {
      if (available()) return false;
      await i.respond([]);
      return true;
    }
    if (!i.isChatInputCommand()) return false;
    const d = budget.take(i.channelId ?? `dm-${i.user.id}`);
    if (d.kind !== 'run') {
      if (d.kind === 'notice')
        logger.info({ channelId: i.channelId, retryInSec: d.retryInSec }, 'chat over its command budget');
      await i.reply({ content: slowDownText(d.retryInSec), flags: MessageFlags.Ephemeral });
      return true;
    }
    if (WITHOUT_STORAGE.has(i.commandName) || available()) return false;
    await i.reply({ content: UNAVAILABLE_TEXT, flags: MessageFlags.Ephemeral });
    return true;
  };
}
