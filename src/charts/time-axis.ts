/**
 * Date axes in the subscriber's time zone. Ticks fall on local hour / midnight boundaries (also in
 * zones with 30- or 45-minute offsets and across DST changes), labels are formatted with Intl.
 */
import { isValidTimeZone } from '../alerting/parse-time.ts';
import { utcOffsetSec } from '../alerting/quiet-hours.ts';

/** True when Intl knows the zone (user input such as `--tz`); the same check as `/quiet`. */
export const knownZone = isValidTimeZone;

/**
 * The zone as the user wrote it when Intl knows it (not ICU's canonical name: "Asia/Kolkata"
 * must not come back as "Asia/Calcutta"), else 'UTC' — a chart in UTC beats no chart.
 */
export function zoneOrUtc(timeZone: string): string {
  return knownZone(timeZone) ? timeZone : 'UTC';
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
  const dateFmt = new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' });
  const timeFmt = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const ticks: TimeTick[] = [];
  let localNext = Math.ceil((t0 + utcOffsetSec(t0, zone)) / step) * step;
  for (let guard = 0; guard < 64; guard++, localNext += step) {
    // Two passes settle the offset across a DST change between t0 and the tick.
    let t = localNext - utcOffsetSec(localNext, zone);
    t = localNext - utcOffsetSec(t, zone);
    if (t > t1) break;
    if (t < t0) continue;
    const atMidnight = localNext % DAY === 0;
    const date = dateFmt.format(new Date(t * 1000));
    const lines =
      step >= DAY
        ? [date]
        : ticks.length === 0 || atMidnight
          ? [timeFmt.format(new Date(t * 1000)), date]
          : [timeFmt.format(new Date(t * 1000))];
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
