/**
 * How the demo shows one chat message: every event of one block in one message, as the bot
 * groups them, framed like a chat bubble with the block and its time.
 */
import type { AlertEvent } from '../alerting/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';

const when = (sec: number): string => `${new Date(sec * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** One message as plain text, body lines from the alert texts and their labelled figures. */
export function formatDemoMessage(snapshot: Snapshot, events: readonly AlertEvent[], render?: (events: readonly AlertEvent[]) => string): string {
  const head = `┌─ hashbell · block ${snapshot.height.toLocaleString('en-US')} · ${when(snapshot.timeSec)}`;
  const body = render !== undefined
    ? render(events).split('\n')
    : events.flatMap((e) => [e.text, ...(e.details.lines ?? []).map(([k, v]) => `   ${k}: ${v}`)]);
  return [head, ...body.map((l) => `│ ${l}`), '└─'].join('\n');
}
