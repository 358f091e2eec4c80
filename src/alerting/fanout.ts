/**
 * Lazy fan-out (issue 14 item 2): a notice shared by every subscriber of an event series
 * (retarget, retarget-soon, new-block) is stored once per block (BroadcastStore) and walked by
 * a persisted cursor over the series' subscriber index, one chunk per step, each recipient under
 * the same exactly-once log as every other message (`<sub>|c|<series>-<block hash>`). A notifier
 * calls `fanOutStep` only when its limiter has room for another chunk; a crash mid-chunk leaves
 * the cursor where the chunk began, and the re-run sends only what the log does not hold.
 */
import { deliverOnce, notificationKey } from './pipeline.ts';
import type { BroadcastStore, NotificationLog } from './ports.ts';

export interface FanOutStepResult {
  readonly sent: number;
  readonly duplicates: number;
  /** The walk has reached the end of the subscriber index. */
  readonly done: boolean;
}

/** The log key of one recipient of one broadcast. */
export function broadcastKey(subscriptionId: string, series: string, blockHash: string): string {
  return notificationKey({ subscriptionId, type: 'broadcast', id: `${series}-${blockHash}` });
}

/**
 * One chunk of a broadcast: each recipient not yet in the log gets `send(subscriptionId,
 * payload)` (which throws on failure: the cursor then stays, and the retry resumes this chunk),
 * then the cursor moves on. null when no broadcast is stored for (series, block).
 */
export async function fanOutStep(
  store: BroadcastStore,
  log: NotificationLog,
  at: { readonly series: string; readonly blockHash: string; readonly count: number },
  send: (subscriptionId: string, payload: string) => Promise<void>,
): Promise<FanOutStepResult | null> {
  const c = await store.chunk(at.series, at.blockHash, at.count);
  if (c === null) return null;
  let sent = 0;
  let duplicates = 0;
  // Index members are `sub/rule`; one message per subscription whatever its rules of the series.
  const subs = new Set(c.members.map((m) => m.slice(0, Math.max(0, m.lastIndexOf('/')))).filter((s) => s !== ''));
  for (const sub of subs) {
    const out = await deliverOnce(log, broadcastKey(sub, at.series, at.blockHash), () => send(sub, c.payload));
    if (out === 'sent') sent++;
    else duplicates++;
  }
  if (!c.done || c.next !== c.from) await store.advance(at.series, at.blockHash, c.from, c.next, c.done);
  return { sent, duplicates, done: c.done };
}
