/**
 * Broadcast subscriptions (issue 14.1): the operator's public channels that carry the default
 * rules for everyone at once. They are ordinary subscriptions owned by BROADCAST_OWNER — no
 * platform user has that id — so the engine can put their one post ahead of a mass firing's
 * personal messages, and the notifiers tell the operator (the log) instead of a platform user.
 */
import type { Subscription } from './types.ts';

/** ownerId of a broadcast subscription. */
export const BROADCAST_OWNER = 'operator';

/** True for the operator's broadcast subscriptions. */
export function isBroadcast(sub: Pick<Subscription, 'ownerId'>): boolean {
  return sub.ownerId === BROADCAST_OWNER;
}
