/**
 * Quiet hours in the subscriber's IANA zone, DST-correct through Intl (no zone tables of ours):
 * a 23:00–07:00 window is 8 h on most nights, 7 h on the night clocks spring forward and 9 h
 * when they fall back, and ends at 07:00 local either way.
 */
import type { Subscription } from './types.ts';

type QuietSub = Pick<Subscription, 'timeZone' | 'quiet'>;

/** Formatter per zone: constructing one costs far more than formatting with it. Bounded. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall-clock of `sec` in `timeZone`, as seconds of a UTC calendar (for offset maths). */
function wallSec(sec: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(sec * 1000))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const { year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return Date.UTC(year, month - 1, day, hour % 24, minute, second) / 1000;
}

/** Minutes after local midnight at `sec` (0–1439). */
export function localMinuteOfDay(sec: number, timeZone: string): number {
  const w = wallSec(Math.floor(sec), timeZone);
  return Math.floor((((w % 86_400) + 86_400) % 86_400) / 60);
}

/** UTC offset in seconds at `sec` (Berlin: 3600 in winter, 7200 in summer). */
export function utcOffsetSec(sec: number, timeZone: string): number {
  return wallSec(Math.floor(sec), timeZone) - Math.floor(sec);
}

function inWindow(minute: number, startMin: number, endMin: number): boolean {
  return startMin < endMin ? minute >= startMin && minute < endMin : minute >= startMin || minute < endMin;
}

/** True while the subscription's quiet hours hold at `nowSec` (end exclusive; spans midnight). */
export function isQuiet(sub: QuietSub, nowSec: number): boolean {
  if (sub.quiet === null) return false;
  return inWindow(localMinuteOfDay(nowSec, sub.timeZone), sub.quiet.startMin, sub.quiet.endMin);
}

/**
 * The first instant ≥ nowSec at which quiet hours are over (nowSec itself when not quiet).
 * Jumps by wall-clock arithmetic corrected for the offset at the target, then checks; if the end
 * falls into a DST gap (02:30 on a spring-forward night) it scans to the first minute after it.
 */
export function quietEndsAtSec(sub: QuietSub, nowSec: number): number {
  if (!isQuiet(sub, nowSec) || sub.quiet === null) return nowSec;
  const zone = sub.timeZone;
  const minuteStart = nowSec - (((wallSec(nowSec, zone) % 60) + 60) % 60);
  const delta = ((sub.quiet.endMin - localMinuteOfDay(nowSec, zone) + 1440) % 1440) * 60;
  let t = minuteStart + delta;
  t -= utcOffsetSec(t, zone) - utcOffsetSec(nowSec, zone);
  if (!isQuiet(sub, t) && isQuiet(sub, t - 60)) return t;
  // Rare path (DST gap at the end time): scan minute by minute, at most a day and a bit.
  for (let s = minuteStart + 60; s <= nowSec + 26 * 3600; s += 60) if (!isQuiet(sub, s)) return s;
  return nowSec + 24 * 3600;
}
