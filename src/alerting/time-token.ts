/**
 * Moments inside an event's labelled lines ("Held: while snoozed until …", "told … on …") are
 * carried as data, not as text in one zone: a time token, written the way Discord writes a
 * timestamp (`<t:1781172600:f>`), so each renderer formats it for its reader:
 * - Discord shows it as is (every reader sees their own local time);
 * - Telegram and the console expand it in the subscriber's time zone (`expandTimes`);
 * - plain event text (replay, console) expands it too, in the zone it is rendered for.
 * The core never formats such a moment in a zone itself.
 */

/** `f`: a moment (weekday and clock time: a snooze spans a day or more); `d`: a day. */
export type TimeStyle = 'f' | 'd';

/** The token for `sec` (unix seconds) in `style`: Discord's own timestamp syntax. */
export function timeToken(sec: number, style: TimeStyle = 'f'): string {
  return `<t:${Math.floor(sec)}:${style}>`;
}

const TOKEN = /<t:(-?\d{1,12}):([fd])>/g;

/** `text` with every time token replaced by `fmt(sec, style)`; text without tokens is returned as is. */
export function expandTimes(text: string, fmt: (sec: number, style: TimeStyle) => string): string {
  return text.includes('<t:')
    ? text.replace(TOKEN, (_m, sec: string, style: TimeStyle) => fmt(Number(sec), style))
    : text;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string, style: TimeStyle): Intl.DateTimeFormat {
  const key = `${style}\u0000${zone}`;
  let f = formats.get(key);
  if (f === undefined) {
    const opts: Intl.DateTimeFormatOptions =
      style === 'd'
        ? { day: 'numeric', month: 'short' }
        : { weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    try {
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: zone });
    } catch {
      // A zone the runtime does not know (stored data): UTC, never a throw while rendering.
      f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' });
    }
    formats.set(key, f);
  }
  return f;
}

/** A token's moment as text in `zone`: "Tue 02:13" (`f`), "27 Jan" (`d`). */
export function zoneTime(sec: number, style: TimeStyle, zone: string): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return 'unknown time';
  return formatter(zone, style).format(d).replace(',', '');
}

/** `text` with its time tokens in `zone` (Telegram, the console, plain event text). */
export function expandTimesIn(text: string, zone: string): string {
  return expandTimes(text, (sec, style) => zoneTime(sec, style, zone));
}
