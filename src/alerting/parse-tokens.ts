/**
 * Recognisers for the words users type after `/alert <kind>`: `10%`, `+5%`, `3d`, `24h`, `$45`,
 * `600EH/s`, `90min`, `up`. Kept apart from parse.ts so the grammar there reads as a table.
 */

/** What a single chat token looks like, before any kind decides what it means. */
export type Token =
  | { readonly type: 'pct'; readonly raw: string; readonly value: number; readonly sign: '+' | '-' | '±' | '' }
  | { readonly type: 'num'; readonly raw: string; readonly value: number; readonly unit: NumberUnit }
  | { readonly type: 'span'; readonly raw: string; readonly value: number; readonly unit: 'm' | 'h' | 'd' | 'w' }
  | { readonly type: 'dir'; readonly raw: string; readonly value: 'up' | 'down' | 'both' }
  | { readonly type: 'noise'; readonly raw: string }
  | { readonly type: 'bad-pct'; readonly raw: string }
  | { readonly type: 'word'; readonly raw: string }
  | { readonly type: 'negative'; readonly raw: string; readonly value: number };

/**
 * '' is a bare number; the rest say what the user meant, already converted to the unit rules are
 * kept in: 'usd-ph' (USD per PH/day; `0.045/TH` arrives as 45), 'ehs' (`0.9ZH/s` as 900), 'jth',
 * 'kwh' (USD per kWh; `6c` / `6¢/kWh` arrive as 0.06), 'usd' ($ with no per-unit), 'blocks'.
 */
export type NumberUnit = '' | 'usd' | 'usd-ph' | 'ehs' | 'jth' | 'kwh' | 'blocks';

const NUM = String.raw`\d+(?:\.\d+)?|\.\d+`;
const PCT_RE = new RegExp(String.raw`^([+\-±]?)(${NUM})\s*%$`);
const NUM_RE = new RegExp(
  String.raw`^(\$?)(${NUM})(usd|\$|/ph(?:/d(?:ay)?)?|/th(?:/d(?:ay)?)?|[ezp]h/?s|ehs|eh|j/?th|j|/kwh|kwh|(?:c|¢|cents?)(?:/kwh)?|blocks?|b)?$`,
  'i',
);
/** A number with a minus in front: never a valid amount (`-2%` for a pool fee, `pct:-5`). */
const NEG_RE = new RegExp(String.raw`^[−-]\s*\$?(${NUM})`);

/** Unit suffix → (unit, factor to the stored unit). */
function unitOf(dollar: boolean, suffix: string): readonly [NumberUnit, number] {
  const u = suffix.toLowerCase();
  if (u.startsWith('/ph')) return ['usd-ph', 1];
  if (u.startsWith('/th')) return ['usd-ph', 1000];
  if (u.startsWith('zh')) return ['ehs', 1000];
  if (u.startsWith('ph')) return ['ehs', 0.001];
  if (u.startsWith('eh')) return ['ehs', 1];
  if (u.startsWith('j')) return ['jth', 1];
  if (u === '/kwh' || u === 'kwh') return ['kwh', 1];
  // Cents per kWh (`6c`, `6¢/kWh`, `6cents`): stored in $/kWh.
  if (u.startsWith('c') || u.startsWith('¢')) return ['kwh', 0.01];
  if (u.startsWith('b')) return ['blocks', 1];
  if (dollar || u === 'usd' || u === '$') return ['usd', 1];
  return ['', 1];
}
const SPAN_RE = new RegExp(String.raw`^(${NUM})(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)$`, 'i');

const DIRECTIONS: Record<string, 'up' | 'down' | 'both'> = {
  up: 'up',
  rise: 'up',
  rises: 'up',
  increase: 'up',
  '+': 'up',
  down: 'down',
  drop: 'down',
  drops: 'down',
  fall: 'down',
  falls: 'down',
  decrease: 'down',
  '-': 'down',
  both: 'both',
  any: 'both',
  either: 'both',
  '±': 'both',
};

/** Unit words users add on their own ("600 EH/s", "144 blocks", "$45 usd"); they carry no value. */
const NOISE = new Set([
  'eh/s',
  'ehs',
  'eh',
  'usd',
  '$',
  'blocks',
  'block',
  'usd/ph/day',
  '$/ph/day',
  'j/th',
  '$/kwh',
  'kwh',
  'min',
  'minutes',
]);

/** Classifies one token; never throws, whatever the input. */
export function classify(rawIn: string): Token {
  const raw = rawIn.trim();
  const lower = raw.toLowerCase();
  const dir = DIRECTIONS[lower];
  if (dir !== undefined && Object.hasOwn(DIRECTIONS, lower)) return { type: 'dir', raw, value: dir };
  if (NOISE.has(lower)) return { type: 'noise', raw };
  const pct = PCT_RE.exec(raw);
  if (pct) {
    const value = Number(pct[2]);
    const sign = (pct[1] ?? '') as '+' | '-' | '±' | '';
    return Number.isFinite(value) ? { type: 'pct', raw, value, sign } : { type: 'bad-pct', raw };
  }
  const neg = NEG_RE.exec(raw);
  if (neg) return { type: 'negative', raw, value: -Number(neg[1]) };
  if (raw.includes('%')) return { type: 'bad-pct', raw };
  const num = NUM_RE.exec(raw);
  if (num) {
    const [unit, factor] = unitOf(num[1] === '$', num[3] ?? '');
    // Exact decimal scaling (0.045 × 1000 = 45, not 45.00000000000001).
    const value = factor === 1 ? Number(num[2]) : Number((Number(num[2]) * factor).toPrecision(12));
    if (Number.isFinite(value)) return { type: 'num', raw, value, unit };
  }
  const span = SPAN_RE.exec(raw);
  if (span) {
    const value = Number(span[1]);
    const u = (span[2] ?? '').toLowerCase();
    const unit = u.startsWith('mi') || u === 'm' ? 'm' : (u[0] as 'h' | 'd' | 'w');
    if (Number.isFinite(value)) return { type: 'span', raw, value, unit };
  }
  return { type: 'word', raw };
}

/** Splits "10%,3d" or "10% 3d" style input into tokens (chat platforms may hand us one string). */
export function splitTokens(tokens: readonly string[]): string[] {
  return tokens.flatMap((t) => t.split(/[\s,]+/)).filter((t) => t.length > 0);
}

/** Span tokens as their canonical name ('3d', '24h'); '1d' and '24h' are the same price window. */
export function spanName(t: Token & { type: 'span' }): string {
  return `${t.value}${t.unit}`;
}

/** Minutes in a span token (slow-blocks accepts `90`, `90m`, `1.5h`). */
export function spanMinutes(t: Token & { type: 'span' }): number {
  const per = { m: 1, h: 60, d: 1440, w: 10_080 }[t.unit];
  return t.value * per;
}

/** Seconds in a span token (mute durations). */
export function spanSeconds(t: Token & { type: 'span' }): number {
  return spanMinutes(t) * 60;
}

/**
 * A number as the grammar reads it: plain decimal, never exponent notation, rounded to 8
 * decimals (finer than any parameter means: $0.00000001/kWh), so 5e-324 becomes 0, not "5e-324".
 */
export function numberWord(n: number): string {
  const s = String(n);
  return /e/i.test(s) || !/^-?\d+(\.\d{1,8})?$/.test(s) ? n.toFixed(8).replace(/\.?0+$/, '') : s;
}
