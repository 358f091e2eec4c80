/**
 * How the demo shows one chat message: every event of one block in one message, rendered by the
 * same platform-neutral renderer the bot's notifiers use, framed like a chat bubble.
 */
import { renderMessage } from '../alerting/render.ts';
import type { AlertEvent } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';

const when = (sec: number): string => `${new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** One message as it would arrive in chat, with the block and its time above it. */
export function formatDemoMessage(snapshot: Snapshot, events: readonly AlertEvent[]): string {
  const text = renderMessage({
    subscriptionId: events[0]?.subscriptionId ?? 'demo',
    height: snapshot.height,
    hash: snapshot.hash,
    events,
    digest: false,
  });
  const head = `┌─ hashbell · block ${snapshot.height.toLocaleString('en-US')} · ${when(snapshot.timeSec)}`;
  return [head, ...text.split('\n').map((l) => `│ ${l}`), '└─'].join('\n');
}
