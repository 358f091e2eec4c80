/**
 * Date axes in the subscriber's time zone. Ticks fall on local hour / midnight boundaries (also in
 * zones with 30- or 45-minute offsets and across DST changes), labels are formatted with Intl.
 */

/** True when Intl knows the zone (user input such as `--tz` or `/quiet … Europe/Berlin`). */
export function knownZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone as the user wrote it when Intl knows it (not ICU's canonical name: "Asia/Kolkata"
 * must not come back as "Asia/Calcutta"), else 'UTC' — a chart in UTC beats no chart.
 */
export function zoneOrUtc(timeZone: string): string {
  return knownZone(timeZone) ? timeZone : 'UTC';
}

/** Seconds to add to a UTC instant to get the wall-clock time in `fmt`'s zone. */
function offsetSec(fmt: Intl.DateTimeFormat, tSec: number): number {
  const p: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(tSec * 1000))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const local = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0) / 1000;
  return local - Math.floor(tSec);
}

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

const HOUR = 3600;
const DAY = 86_400;
const STEPS_SEC = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY];

/** One tick of a time axis: the instant and its label lines (a date under a time when needed). */
export interface TimeTick {
  readonly tSec: number;
  readonly lines: readonly string[];
}

/**
 * Ticks on local boundaries between t0 and t1 (unix seconds), at most about `maxTicks` of them.
 * Steps of a day or more are labelled "3 Nov"; shorter steps "14:00", with the date added on the
 * first tick and at local midnight.
 */
export function timeTicks(t0: number, t1: number, timeZone: string, maxTicks = 7): TimeTick[] {
  const zone = zoneOrUtc(timeZone);
  const span = Math.max(1, t1 - t0);
  const step = STEPS_SEC.find((s) => span / s <= maxTicks) ?? Math.ceil(span / maxTicks / DAY) * DAY;
  const fmt = offsetFormatter(zone);
  const dateFmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' });
  const timeFmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const ticks: TimeTick[] = [];
  let localNext = Math.ceil((t0 + offsetSec(fmt, t0)) / step) * step;
  for (let guard = 0; guard < 64; guard++, localNext += step) {
    // Two passes settle the offset across a DST change between t0 and the tick.
    let t = localNext - offsetSec(fmt, localNext);
    t = localNext - offsetSec(fmt, t);
    if (t > t1) break;
    if (t < t0) continue;
    const atMidnight = (localNext % DAY) === 0;
    const date = dateFmt.format(new Date(t * 1000));
    const lines = step >= DAY ? [date] : ticks.length === 0 || atMidnight ? [timeFmt.format(new Date(t * 1000)), date] : [timeFmt.format(new Date(t * 1000))];
    ticks.push({ tSec: t, lines });
  }
  return ticks;
}

/**
 * "5 Jan 2026, 14:03 CET" (full: when the picture was true) or "5 Jan, 14:03" (short: annotations
 * such as the retarget ETA), in the reader's zone.
 */
export function formatDateTime(tSec: number, timeZone: string, style: 'full' | 'short' = 'full'): string {
  const full = style === 'full';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zoneOrUtc(timeZone),
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(full ? { year: 'numeric', timeZoneName: 'short' } : {}),
  }).format(new Date(tSec * 1000));
}
