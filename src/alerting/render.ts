/**
 * Platform-neutral text for alert events and messages. Plain text only: Telegram and Discord
 * escape it or re-render from `details`. Every alert says its window, its 90 % interval, its
 * source and how old the data is, so a reader can judge it without asking.
 */
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { OutboundMessage } from './ports.ts';
import type { AlertDetails, AlertEvent, AlertState, Rule } from './types.ts';
import { fmtNum } from './format.ts';
import type { Presentation, Reading } from './kinds/kind.ts';
import { expandTimesIn } from './time-token.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** "just now", "3 min ago", "2 h ago", "3 d ago". */
export function fmtAge(sec: number): string {
  if (sec < 60) return 'just now';
  if (sec < 3600) return `${Math.floor(sec / 60)} min ago`;
  if (sec < 86_400) return `${fmtNum(sec / 3600, 1)} h ago`;
  return `${fmtNum(sec / 86_400, 1)} d ago`;
}

/**
 * One icon per severity, the same on every platform and in titles and bodies alike: resolved ✅,
 * notices ℹ️ (and a resolved event that is not a recovery, `ending`), firing 🔔 (info) / ⚠️ (warn) /
 * 🚨 (critical). Platforms use it through platforms/format.ts.
 */
export function alertIcon(
  state: AlertState,
  severity: AlertDetails['severity'],
  ending?: AlertDetails['ending'],
): string {
  if (state === 'resolved') return ending === undefined ? '✅' : 'ℹ️';
  if (state === 'notice') return 'ℹ️';
  return severity === 'critical' ? '🚨' : severity === 'warn' ? '⚠️' : '🔔';
}

const icon = (e: Pick<AlertEvent, 'state'> & { details: Pick<AlertDetails, 'severity' | 'ending'> }): string =>
  alertIcon(e.state, e.details.severity, e.details.ending);

const fmtFigure = (n: number, unit: string): string =>
  unit === '%' ? fmtNum(n, 1) : fmtNum(n, Math.abs(n) >= 100 ? 0 : 2);

/** "8.1–16.2 %"; a range touching negatives is signed, "−7.6…+4.3 %", so no minus hides in a dash. */
export function fmtRange(low: number, high: number, unit: string): string {
  const u = unit === '%' ? ' %' : ` ${unit}`;
  if (low >= 0 && high >= 0) return `${fmtFigure(low, unit)}–${fmtFigure(high, unit)}${u}`;
  const sg = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${fmtFigure(Math.abs(n), unit)}`;
  return `${sg(low)}…${sg(high)}${u}`;
}

/**
 * One event's text, from its details only (so a stored event re-renders identically); the time
 * tokens of its lines (./time-token.ts) in `timeZone`.
 */
export function renderEventText(
  e: Pick<AlertEvent, 'state' | 'height'> & { details: AlertDetails },
  timeZone = 'UTC',
): string {
  const d = e.details;
  // Plain concatenation: replay renders about one event per block.
  let paren = '';
  if (d.window !== undefined) paren = d.window;
  if (d.low !== undefined && d.high !== undefined)
    paren += `${paren === '' ? '' : ', '}90 %: ${fmtRange(d.low, d.high, d.unit)}`;
  if (paren !== '') paren = ` (${paren})`;
  const aside = d.aside !== undefined ? ` — ${d.aside}` : '';
  const where = `source ${d.source}, block ${fmtNum(e.height, 0)}, ${fmtAge(d.dataAgeSec)}`;
  let text = `${icon(e)} ${d.title}${paren}${aside}; ${where}`;
  if (d.lines !== undefined)
    for (const [label, value] of d.lines) text += `\n  ${label}: ${expandTimesIn(value, timeZone)}`;
  return text;
}

/**
 * Builds the event a rule produces. `value` is what the title states (reading.shown);
 * `threshold` is the user's threshold; what the engine compared, and with which level, goes to
 * details.compared / details.comparedLevel.
 */
export function makeEvent(
  rule: Rule,
  reading: Reading,
  p: Presentation,
  state: AlertState,
  threshold: number,
  s: Snapshot,
  nowSec: number,
  comparedLevel?: number,
): AlertEvent {
  // Same keys in the same order as before, set one by one (no spread copies on the hot path).
  const details = { title: p.title, unit: reading.unit } as Mutable<AlertDetails>;
  const window = reading.window;
  if (window !== undefined) details.window = window;
  if (reading.low !== undefined && reading.high !== undefined) {
    details.low = reading.low;
    details.high = reading.high;
  }
  details.source = s.source;
  details.dataAgeSec = Math.max(0, Math.round(nowSec - s.timeSec));
  details.severity = state === 'firing' ? p.severity : 'info';
  if (p.direction !== undefined) details.direction = p.direction;
  const lines = reading.lines;
  if (lines !== undefined) details.lines = lines;
  const aside = reading.aside;
  if (aside !== undefined) details.aside = aside;
  const shown = p.shown ?? reading.shown;
  if (reading.value !== shown) details.compared = reading.value;
  if (comparedLevel !== undefined && comparedLevel !== threshold) details.comparedLevel = comparedLevel;
  if (p.thresholdText !== undefined) details.thresholdText = p.thresholdText;
  if (p.ending !== undefined && state === 'resolved') details.ending = p.ending;
  return {
    rule: rule.id,
    kind: rule.kind,
    state,
    height: s.height,
    time: s.timeSec,
    value: shown,
    threshold,
    text: renderEventText({ state, height: s.height, details }),
    subscriptionId: rule.subscriptionId,
    hash: s.hash,
    details,
  };
}

/** Local clock time in a zone, "02:13". */
function clock(sec: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    sec * 1000,
  );
}

/** Most events a message lists before summarising the rest (chat length limits). */
export const MAX_EVENTS_LISTED = 15;

/**
 * A grouped message's text: one event as is; several under a header; a digest collapses each
 * rule to its latest event with the path it took ("fired 02:13 → resolved 05:40").
 */
export function renderMessage(m: OutboundMessage, timeZone = 'UTC'): string {
  if (!m.digest && m.events.length === 1) return (m.events[0] as AlertEvent).text;
  if (!m.digest) {
    const head = `hashbell — block ${m.height.toLocaleString('en-US')}: ${m.events.length} alerts`;
    return [head, ...listed(m.events.map((e) => e.text))].join('\n\n');
  }
  const byRule = new Map<string, AlertEvent[]>();
  for (const e of m.events) byRule.set(e.rule, [...(byRule.get(e.rule) ?? []), e]);
  const items = [...byRule.values()].map((evs) => {
    const last = evs[evs.length - 1] as AlertEvent;
    const path = evs.length > 1 ? `${evs.map((e) => `${e.state} ${clock(e.time, timeZone)}`).join(' → ')}\n` : '';
    return `${path}${last.text}`;
  });
  const n = m.events.length;
  const head = `🌙 While you were away: ${n} alert${n === 1 ? '' : 's'} from ${byRule.size} rule${byRule.size === 1 ? '' : 's'}`;
  return [head, ...listed(items)].join('\n\n');
}

function listed(items: string[]): string[] {
  if (items.length <= MAX_EVENTS_LISTED) return items;
  return [
    ...items.slice(0, MAX_EVENTS_LISTED),
    // No command here: this text is the console's and is read where no chat command exists.
    `…and ${items.length - MAX_EVENTS_LISTED} more alert${items.length - MAX_EVENTS_LISTED === 1 ? '' : 's'}`,
  ];
}
