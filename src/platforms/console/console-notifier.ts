/**
 * The Notifier for a first run without chat tokens: alerts are printed to stdout, readably, for
 * the one default console subscription, so `npm start` shows what a chat would receive.
 */
import type { Notifier, OutboundMessage } from '../../alerting/ports.ts';
import type { AlertEvent, Subscription } from '../../alerting/types.ts';
import type { Target } from '../../subscriptions/service.ts';

/** The console's single subscription target (the bot role starts it on boot). */
export const CONSOLE_TARGET: Target = { platform: 'console', targetType: 'user', targetId: 'default', userId: 'console' };

const MARK: Record<AlertEvent['state'], string> = { firing: '🔔', resolved: '✅', notice: 'ℹ️' };

function utc(sec: number): string {
  return new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** Plain-text rendering of one message: a header line, then one block per event. */
export function renderConsoleMessage(msg: OutboundMessage): string {
  const head = msg.digest
    ? `── hashbell digest: ${msg.events.length} alert(s) held during quiet hours ──`
    : `── hashbell · block ${msg.height} ──`;
  const body = msg.events.map((e) => {
    const lines = [`${MARK[e.state]} ${e.details?.title ?? e.kind} [rule ${e.rule}, ${e.state}, block ${e.height}, ${utc(e.time)}]`, `   ${e.text}`];
    for (const [label, value] of e.details?.lines ?? []) lines.push(`   ${label}: ${value}`);
    return lines.join('\n');
  });
  return [head, ...body].join('\n');
}

export class ConsoleNotifier implements Notifier {
  readonly platform = 'console' as const;
  constructor(private readonly write: (text: string) => void = (t) => process.stdout.write(t)) {}

  async send(_sub: Subscription, message: OutboundMessage): Promise<void> {
    this.write(`${renderConsoleMessage(message)}\n`);
  }

  async tellOwner(_sub: Subscription, text: string): Promise<void> {
    this.write(`hashbell: ${text}\n`);
  }
}
