/**
 * What happens to a command between telegraf receiving it and its handler running — the checks
 * that keep one chat's behaviour (or a Redis outage) from costing anyone else (budget and storage
 * decided by CommandAdmission in ../command-budget.ts, shared with Discord; worded here):
 * - a forwarded message is someone else's words: its command is ignored, never executed;
 * - each chat has a command budget (../command-budget.ts): over it, one "slow down" reply, then
 *   silence — the chat's own alerts keep their room, other chats never notice;
 * - storage unreachable (Redis down): an immediate "temporarily unavailable" instead of a handler
 *   that would hang on Redis (and stall telegraf's update loop); /help still answers from memory;
 * - a handler that still takes longer than `deadlineMs` gets the same short reply, and its real
 *   answer follows if it completes later (so a change that did go through is confirmed).
 */
import type { Logger } from '../../observability/logger.ts';
import { CommandAdmission, type GateOptions } from '../command-budget.ts';
import { COMMAND_BY_NAME } from './commands.ts';
import type { Reply } from './handlers.ts';
import { html } from './html.ts';

/** Longest a command may take before the user is told it is temporarily unavailable. */
export const COMMAND_DEADLINE_MS = 8_000;

export const UNAVAILABLE: Reply = {
  html: html`⏳ Temporarily unavailable: I can't reach my storage right now. Please try again in a minute (/help still works).`,
};

export function slowDownReply(retryInSec: number): Reply {
  return {
    html: html`🐢 Too many commands in this chat: slow down, please. Try again in ${String(retryInSec)} s — until then I won't answer commands here. Alerts are not affected.`,
  };
}

/** Bot API 7 marks forwards with `forward_origin`; older servers with `forward_date` and friends. */
export function isForwarded(msg: object): boolean {
  return (
    'forward_origin' in msg ||
    'forward_date' in msg ||
    'forward_from' in msg ||
    'forward_from_chat' in msg ||
    'forward_sender_name' in msg
  );
}

export interface CommandGateOptions extends GateOptions {
  /** Default COMMAND_DEADLINE_MS. */
  readonly deadlineMs?: number;
}

/** Admit: the handler may run; a Reply: answer this instead; null: say nothing. */
export type Admission = 'run' | Reply | null;

export interface CommandGate {
  /** Called once per command addressed to us, before its handler. */
  admit(chatId: number, privateChat: boolean, command: string): Admission;
  /** A button press: null to go ahead, else the toast to show instead. */
  admitButton(chatId: number): string | null;
  /**
   * Runs the handler, waiting at most the deadline: then UNAVAILABLE comes back and the handler's
   * own reply, if it ever completes, goes to `late`.
   */
  bounded(work: Promise<Reply | null>, late: (reply: Reply) => void): Promise<Reply | null>;
}

export function commandGate(opts: CommandGateOptions, log: Logger): CommandGate {
  const admission = new CommandAdmission(opts, log);
  const deadlineMs = opts.deadlineMs ?? COMMAND_DEADLINE_MS;
  return {
    admit(chatId, privateChat, command) {
      // Only what would be answered costs budget (another bot's command in a group does not).
      if (!COMMAND_BY_NAME.has(command) && !privateChat) return 'run';
      const d = admission.admit(String(chatId), command);
      if (d.kind === 'over') return d.notice ? slowDownReply(d.retryInSec) : null;
      return d.kind === 'unavailable' ? UNAVAILABLE : 'run';
    },
    admitButton(chatId) {
      const d = admission.admit(String(chatId), null);
      if (d.kind === 'over')
        return d.notice ? `Too many commands here: try again in ${d.retryInSec} s.` : 'Slow down, please.';
      return d.kind === 'unavailable' ? 'Temporarily unavailable: try again in a minute.' : null;
    },
    async bounded(work, late) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = Symbol('timeout');
      const deadline = new Promise<typeof timedOut>((resolve) => {
        timer = setTimeout(() => resolve(timedOut), deadlineMs);
      });
      try {
        const first = await Promise.race([work, deadline]);
        if (first !== timedOut) return first;
      } finally {
        clearTimeout(timer);
      }
      log.warn({ deadlineMs }, 'command took too long (storage unreachable?); answered "temporarily unavailable"');
      work.then(
        (r) => {
          if (r !== null) late(r);
        },
        (e: unknown) => log.warn({ err: e instanceof Error ? e : new Error(String(e)) }, 'late command failed'),
      );
      return UNAVAILABLE;
    },
  };
}
