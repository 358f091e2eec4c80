/**
 * A Notifier that records what it sends and can be scripted to fail, for engine tests.
 */
import { DeliveryError, type Notifier, type OutboundMessage } from '../../src/alerting/ports.ts';
import type { OwnerNotice } from '../../src/alerting/problems.ts';
import type { Platform, Subscription } from '../../src/alerting/types.ts';

/** `chatWaitMs`: the chat's own limit (scope 'chat'); `rateLimitedMs`: a platform 429. */
export type ScriptedFailure =
  'retryable' | 'permanent' | { rateLimitedMs: number } | { chatWaitMs: number } | { migrateTo: string };

export class RecordingNotifier implements Notifier {
  readonly sent: OutboundMessage[] = [];
  readonly told: Array<{ subscriptionId: string; notice: OwnerNotice }> = [];
  /** Failures to throw, per subscription, consumed one per send attempt. */
  readonly failures = new Map<string, ScriptedFailure[]>();
  attempts = 0;
  /** A send that takes this long (ms), so concurrent jobs overlap (race tests); 0: at once. */
  sendDelayMs = 0;
  constructor(readonly platform: Platform = 'telegram') {}

  async send(sub: Subscription, message: OutboundMessage): Promise<void> {
    this.attempts++;
    if (this.sendDelayMs > 0) await new Promise((r) => setTimeout(r, this.sendDelayMs));
    const f = this.failures.get(sub.id)?.shift();
    if (f === 'retryable')
      throw new DeliveryError('retryable', 'stand-in 502', { platform: this.platform, status: 502 });
    if (f === 'permanent')
      throw new DeliveryError('permanent', 'bot was blocked by the user', { platform: this.platform, status: 403 });
    if (f !== undefined && 'migrateTo' in f) {
      throw new DeliveryError('permanent', 'group chat was upgraded to a supergroup chat', {
        platform: this.platform,
        status: 400,
        migrateToId: f.migrateTo,
      });
    }
    if (f !== undefined && 'chatWaitMs' in f) {
      throw new DeliveryError('rate-limited', 'chat paced', {
        platform: this.platform,
        retryAfterMs: f.chatWaitMs,
        scope: 'chat',
      });
    }
    if (f !== undefined)
      throw new DeliveryError('rate-limited', 'too many requests', {
        platform: this.platform,
        status: 429,
        retryAfterMs: f.rateLimitedMs,
      });
    this.sent.push(message);
  }

  async tellOwner(sub: Subscription, notice: OwnerNotice): Promise<void> {
    this.told.push({ subscriptionId: sub.id, notice });
  }
}
