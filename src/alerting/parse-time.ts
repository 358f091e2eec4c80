/**
 * `mute <duration>` and `quiet <HH:MM-HH:MM> [IANA zone]` arguments. Results, never throws:
 * the chat handlers turn the identifier into a reply with a correct example.
 */
import { err, ok, type Result } from './result.ts';
import { classify, spanSeconds } from './parse-tokens.ts';

export type TimeParseErrorId =
  'bad-duration' | 'out-of-range' | 'missing-arg' | 'extra-arg' | 'bad-quiet' | 'unknown-zone';

/** Longest mute we accept: beyond a month the user wants `stop`, not `mute`. */
export const MAX_MUTE_SEC = 30 * 86_400;
export const MUTE_EXAMPLE = '/mute 6h';
export const QUIET_EXAMPLE = '/quiet 23:00-07:00 Europe/Berlin';

/** '6h' | '30m' | '2d' | '1w' | '90min' → seconds (1 minute … 30 days). */
export function parseDuration(input: string): Result<number, TimeParseErrorId> {
  const raw = String(input ?? '').trim();
  if (raw === '') return err('missing-arg', 'How long? Give a duration like 6h, 30m, 2d or 1w.', MUTE_EXAMPLE);
  const t = classify(raw);
  if (t.type !== 'span')
    return err(
      'bad-duration',
      `"${raw.slice(0, 40)}" is not a duration; write it like 6h, 30m, 2d or 1w.`,
      MUTE_EXAMPLE,
    );
  const sec = Math.round(spanSeconds(t));
  if (sec < 60 || sec > MAX_MUTE_SEC)
    return err('out-of-range', 'A duration must be between 1 minute and 30 days.', MUTE_EXAMPLE);
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
function canonicalZone(zone: string): string {
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
export function parseQuiet(args: readonly string[]): Result<QuietSetting, TimeParseErrorId> {
  const words = args.flatMap((a) => String(a).trim().split(/\s+/)).filter((w) => w.length > 0);
  if (words.length === 0)
    return err('missing-arg', 'Give quiet hours like 23:00-07:00 and your time zone, or "off".', QUIET_EXAMPLE);
  if (words[0]?.toLowerCase() === 'off') {
    return words.length === 1
      ? ok({ quiet: null, timeZone: null })
      : err('extra-arg', '"quiet off" takes nothing more.', '/quiet off');
  }
  if (words.length > 2)
    return err('extra-arg', `Too many words after quiet: "${words.slice(2).join(' ').slice(0, 40)}".`, QUIET_EXAMPLE);
  const span = /^([\d:]+)\s*[-–—]\s*([\d:]+)$/.exec(words[0] ?? '');
  const startMin = span ? clockMinutes(span[1] ?? '') : null;
  const endMin = span ? clockMinutes(span[2] ?? '') : null;
  if (startMin === null || endMin === null) {
    return err(
      'bad-quiet',
      `"${(words[0] ?? '').slice(0, 40)}" is not a time range; write it like 23:00-07:00.`,
      QUIET_EXAMPLE,
    );
  }
  if (startMin === endMin) return err('bad-quiet', 'Quiet hours must start and end at different times.', QUIET_EXAMPLE);
  const zone = words[1];
  if (zone === undefined) return ok({ quiet: { startMin, endMin }, timeZone: null });
  if (!isValidTimeZone(zone)) {
    return err(
      'unknown-zone',
      `"${zone.slice(0, 40)}" is not a time zone I know; use an IANA name like Europe/Berlin or America/New_York.`,
      QUIET_EXAMPLE,
    );
  }
  return ok({ quiet: { startMin, endMin }, timeZone: canonicalZone(zone) });
}
