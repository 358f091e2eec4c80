/**
 * Events that are lines of another event (details.foldInto): a closed retarget estimate says how
 * it did inside the retarget notice of the same subscription and block, never as a message of its
 * own. Without such a notice the line is dropped: the estimate closes silently (issue 11).
 */
import { renderEventText } from './render.ts';
import type { AlertEvent } from './types.ts';

/** `events` with every foldable event merged into its target (or dropped); order kept. */
export function foldEvents(events: readonly AlertEvent[]): AlertEvent[] {
  let any = false;
  for (const e of events) if (e.details.foldInto !== undefined) any = true;
  if (!any) return events as AlertEvent[];
  const out: AlertEvent[] = [];
  const at = new Map<string, number>();
  for (const e of events) {
    if (e.details.foldInto !== undefined) continue;
    at.set(`${e.subscriptionId}\u0000${e.hash}\u0000${e.kind}`, out.length);
    out.push(e);
  }
  for (const e of events) {
    const into = e.details.foldInto;
    if (into === undefined) continue;
    const i = at.get(`${e.subscriptionId}\u0000${e.hash}\u0000${into}`);
    if (i === undefined) continue;
    const target = out[i]!;
    const details = { ...target.details, lines: [...(target.details.lines ?? []), ...(e.details.lines ?? [])] };
    out[i] = { ...target, details, text: renderEventText({ state: target.state, height: target.height, details }) };
  }
  return out;
}
