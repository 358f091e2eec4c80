/**
 * `mute <duration>` and `quiet <HH:MM-HH:MM> [IANA zone]` arguments. Results, never throws:
 * the chat handlers turn the error id into a reply with a correct example in their own syntax.
 */
import { failWith, ok, type Result } from './result.ts';
import { clipToken, type TimeProblem } from './problems.ts';
import { classify, spanSeconds } from './parse-tokens.ts';

export type TimeParseErrorId = TimeProblem['error'];
const err = failWith<TimeProblem>();

/** Shortest and longest mute we accept: beyond a month the user wants `stop`, not `mute`. */
export const MIN_MUTE_SEC = 60;
export const MAX_MUTE_SEC = 30 * 86_400;

/** '6h' | '30m' | '2d' | '1w' | '90min' → seconds (1 minute … 30 days). */
export function parseDuration(input: string): Result<number, TimeProblem> {
  const raw = String(input ?? '').trim();
  if (raw === '') return err('missing-arg', { command: 'mute' });
  const t = classify(raw);
  if (t.type !== 'span') return err('bad-duration', { token: clipToken(raw) });
  const sec = Math.round(spanSeconds(t));
  if (sec < MIN_MUTE_SEC || sec > MAX_MUTE_SEC)
    return err('out-of-range', { command: 'mute', minSec: MIN_MUTE_SEC, maxSec: MAX_MUTE_SEC });
  return ok(sec);
}

/** True when the runtime's ICU knows this IANA zone. */
export function isValidTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Canonical spelling of a valid zone (`europe/berlin` → `Europe/Berlin`). */
export function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

export interface QuietSetting {
  /** null = quiet hours off. Minutes after local midnight; end < start spans midnight. */
  readonly quiet: { readonly startMin: number; readonly endMin: number } | null;
  /** The zone given, canonicalised; null when the user gave none (keep the subscription's). */
  readonly timeZone: string | null;
}

function clockMinutes(s: string): number | null {
  const m = /^(\d{1,2})(?::(\d{2}))?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2] ?? '0');
  if (h > 24 || min > 59 || (h === 24 && min !== 0)) return null;
  return (h * 60 + min) % 1440;
}

/** ['23:00-07:00', 'Europe/Berlin'] | ['22-6'] | ['off'] → QuietSetting. */
export function parseQuiet(args: readonly string[]): Result<QuietSetting, TimeProblem> {
  const words = args.flatMap((a) => String(a).trim().split(/\s+/)).filter((w) => w.length > 0);
  if (words.length === 0) return err('missing-arg', { command: 'quiet' });
  if (words[0]?.toLowerCase() === 'off') {
    return words.length === 1
      ? ok({ quiet: null, timeZone: null })
      : err('extra-arg', { command: 'quiet', token: clipToken(words.slice(1).join(' ')), off: true });
  }
  if (words.length > 2)
    return err('extra-arg', { command: 'quiet', token: clipToken(words.slice(2).join(' ')), off: false });
  const span = /^([\d:]+)\s*[-–—]\s*([\d:]+)$/.exec(words[0] ?? '');
  const startMin = span ? clockMinutes(span[1] ?? '') : null;
  const endMin = span ? clockMinutes(span[2] ?? '') : null;
  if (startMin === null || endMin === null)
    return err('bad-quiet', { token: clipToken(words[0] ?? ''), why: 'format' });
  if (startMin === endMin) return err('bad-quiet', { token: clipToken(words[0] ?? ''), why: 'same' });
  const zone = words[1];
  if (zone === undefined) return ok({ quiet: { startMin, endMin }, timeZone: null });
  if (!isValidTimeZone(zone)) return err('unknown-zone', { token: clipToken(zone), command: 'quiet' });
  return ok({ quiet: { startMin, endMin }, timeZone: canonicalZone(zone) });
}
