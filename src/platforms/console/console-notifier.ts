/**
 * The Notifier for a first run without chat tokens: alerts are printed to stdout for the one
 * default console subscription, in the very words a chat would get (alerting's renderMessage),
 * so `npm start` shows what Telegram or Discord would receive.
 */
import type { Notifier, OutboundMessage } from '../../alerting/ports.ts';
import type { OwnerNotice } from '../../alerting/problems.ts';
import { renderMessage } from '../../alerting/render.ts';
import type { Subscription } from '../../alerting/types.ts';
import type { Target } from '../../subscriptions/service.ts';

/** The console's single subscription target (the bot role starts it on boot). */
export const CONSOLE_TARGET: Target = {
  platform: 'console',
  targetType: 'user',
  targetId: 'default',
  userId: 'console',
};

/** An out-of-band notice in the console's words (nobody types a command here: a restart resumes). */
export function consoleOwnerNotice(n: OwnerNotice): string {
  switch (n.notice) {
    case 'delivery-paused':
      return `could not deliver alerts (${n.params.reason}); alerts are paused until hashbell starts again.`;
  }
}

/** A rule line above the chat text, so alerts stand out between log lines. */
export function renderConsoleMessage(msg: OutboundMessage, timeZone = 'UTC'): string {
  const head = msg.digest
    ? `── hashbell digest: ${msg.events.length} alert(s) held during quiet hours ──`
    : `── hashbell · block ${msg.height} ──`;
  return `${head}\n${renderMessage(msg, timeZone)}`;
}

export class ConsoleNotifier implements Notifier {
  readonly platform = 'console' as const;
  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  async send(sub: Subscription, message: OutboundMessage): Promise<void> {
    this.write(`${renderConsoleMessage(message, sub.timeZone)}\n`);
  }

  async tellOwner(_sub: Subscription, notice: OwnerNotice): Promise<void> {
    this.write(`hashbell: ${consoleOwnerNotice(notice)}\n`);
  }
}
