/**
 * Moments inside an event's labelled lines ("Held: while snoozed until …", "told … on …") are
 * carried as data, not as text in one zone: a time token, written the way Discord writes a
 * timestamp (`<t:1781172600:f>`), so each renderer formats it for its reader:
 * - Discord shows it as is (every reader sees their own local time);
 * - Telegram and the console expand it in the subscriber's time zone (`expandTimes`);
 * - plain event text (replay, console) expands it too, in the zone it is rendered for.
 * The core never formats such a moment in a zone itself.
 */

/**
 * `f`: a moment within days (weekday and clock time: "Tue 02:13"; a snooze spans a day or more);
 * `F`: a moment with its date and zone ("2026-01-22 10:10 UTC": when a drop began, weeks ago);
 * `d`: a day ("27 Jan").
 */
export type TimeStyle = 'f' | 'F' | 'd';

/** The token for `sec` (unix seconds) in `style`: Discord's own timestamp syntax. */
export function timeToken(sec: number, style: TimeStyle = 'f'): string {
  return `<t:${Math.floor(sec)}:${style}>`;
}

const TOKEN = /<t:(-?\d{1,12}):([fFd])>/g;

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
        : style === 'F'
          ? {
              year: 'numeric',
              month: '2-digit',
              day: '2-digit',
              hour: '2-digit',
              minute: '2-digit',
              hourCycle: 'h23',
              timeZoneName: 'short',
            }
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

/** A token's moment as text in `zone`: "Tue 02:13" (`f`), "2026-01-22 10:10 UTC" (`F`), "27 Jan" (`d`). */
export function zoneTime(sec: number, style: TimeStyle, zone: string): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return 'unknown time';
  const f = formatter(zone, style);
  if (style !== 'F') return f.format(d).replace(',', '');
  const p = Object.fromEntries(f.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']} ${p['timeZoneName']}`;
}

/** `text` with its time tokens in `zone` (Telegram, the console, plain event text). */
export function expandTimesIn(text: string, zone: string): string {
  return expandTimes(text, (sec, style) => zoneTime(sec, style, zone));
}
