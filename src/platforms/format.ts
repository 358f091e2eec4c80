/**
 * Numbers and times in the units miners use (EH/s, %, $/PH/day, sats) and in the subscriber's
 * time zone, shared by every platform so a figure reads the same on Telegram and Discord.
 * Plain strings: each platform escapes them (Telegram through telegram/html.ts).
 */
import { fmtNum as fmtPlain } from '../alerting/describe.ts';
import { hpsToEhs } from '../domain/hashrate.ts';

const MINUS = '−';

/** fmtNum that stays short for absurd inputs: "n/a" for NaN/∞, exponent form beyond 10^15. */
export function fmtNum(n: number, maxDecimals = 2): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Math.abs(n) >= 1e15) return n.toExponential(3);
  return fmtPlain(n, maxDecimals);
}

/** H/s → "612.3 EH/s". */
export function fmtEhs(hps: number): string {
  return `${fmtNum(hpsToEhs(hps), 1)} EH/s`;
}

/** A 90 % interval "590.1–635.2 EH/s" (same unit both ends). */
export function fmtEhsInterval(lowHps: number, highHps: number): string {
  return `${fmtNum(hpsToEhs(lowHps), 1)}–${fmtNum(hpsToEhs(highHps), 1)} EH/s`;
}

/** Signed percentage, "+3.21 %" / "−2.1 %". */
export function fmtSignedPct(pct: number, decimals = 2): string {
  if (!Number.isFinite(pct)) return 'n/a';
  const rounded = Number(pct.toFixed(decimals));
  if (rounded === 0) return `0 %`;
  return `${rounded > 0 ? '+' : MINUS}${fmtNum(Math.abs(rounded), decimals)} %`;
}

export function fmtUsdPerPhDay(usd: number): string {
  return `$${fmtNum(usd, 2)}/PH/day`;
}

export function fmtSats(sats: number): string {
  return `${fmtNum(Math.round(sats), 0)} sats`;
}

export function fmtUsd(usd: number): string {
  return `$${fmtNum(usd, 0)}`;
}

/** A value in whatever unit an alert carries: percentages signed, $ units prefixed. */
export function fmtValue(value: number, unit: string): string {
  if (unit === '%') return fmtSignedPct(value);
  if (unit.startsWith('USD')) return `$${fmtNum(value, 2)}${unit.slice(3)}`;
  if (unit === 'H/s') return fmtEhs(value);
  return unit === '' ? fmtNum(value, 2) : `${fmtNum(value, 2)} ${unit}`;
}

/** Seconds → "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function fmtDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** Falls back to UTC for a zone the runtime does not know (never throws on stored data). */
function formatter(zone: string): Intl.DateTimeFormat {
  const opts: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: 'UTC' });
  }
}

/** Unix seconds → "26 Nov 2026, 10:32 CET" in the subscriber's zone. */
export function fmtTime(unixSec: number, zone: string): string {
  const d = new Date(unixSec * 1000);
  return Number.isNaN(d.getTime()) ? 'unknown time' : formatter(zone).format(d);
}

/** Minutes after midnight → "23:00". */
export function fmtClock(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** One icon per severity (alerting/render.ts), the same on every platform and in plain text. */
export { alertIcon } from '../alerting/render.ts';

/** The user's threshold as an alert shows it; null for kinds without one (notices). */
export function thresholdWords(e: {
  readonly state: string;
  readonly threshold: number;
  readonly details: { readonly unit: string; readonly thresholdText?: string };
}): string | null {
  if (e.details.thresholdText !== undefined) return e.details.thresholdText;
  if (e.state === 'notice' && e.threshold === 0) return null;
  return fmtValue(e.threshold, e.details.unit === '%' ? '' : e.details.unit) + (e.details.unit === '%' ? ' %' : '');
}
