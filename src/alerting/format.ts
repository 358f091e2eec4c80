/**
 * Number and phrase formatting shared by the kinds' words and the rule descriptions. Kept apart
 * from describe.ts (which reads the kind registry) so a kind module can import it without an
 * import cycle through the registry; describe.ts re-exports all of it.
 */
import type { Lookback } from '../domain/types.ts';

/** 10 → "10", 2.5 → "2.5", 0.06 → "0.06", 12345 → "12,345": no float noise, no trailing zeros. */
export function fmtNum(n: number, maxDecimals = 2): string {
  // Integers (heights, block counts) need no rounding: toFixed would give n back.
  if (Number.isSafeInteger(n) && !Object.is(n, -0) && maxDecimals >= 0 && maxDecimals <= 100)
    return groupShortest(n) ?? String(n);
  const r = Number(n.toFixed(maxDecimals));
  // Fast path, identical to en-US Intl (test/unit/alerting/describe-fmt.test.ts): replay renders
  // an event for nearly every block and Intl costs ~0.4 µs a number.
  if (Math.abs(r) < 1e15) {
    const fast = groupShortest(r);
    if (fast !== null) return fast;
  }
  let f = NUMBER_FORMATS[maxDecimals];
  if (f === undefined) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: maxDecimals });
    NUMBER_FORMATS[maxDecimals] = f;
  }
  return f.format(r);
}

/** Money to the cent, "$43.20": a computed level (break-even) reads as money, the same in every message. */
export function fmtDollars(n: number): string {
  return `$${n.toFixed(2)}`;
}

/** Formatters by decimals: building one costs ~100× formatting with it. */
const NUMBER_FORMATS: Array<Intl.NumberFormat | undefined> = [];

/**
 * `r` as en-US Intl prints it when `r` already has no more than the wanted decimals: ICU starts
 * from the shortest round-trip digits, which is String(r); add thousands commas. null when
 * String(r) is exponential (tiny numbers): Intl decides those.
 */
function groupShortest(r: number): string | null {
  if (Object.is(r, -0)) return '-0';
  const plain = String(r < 0 ? -r : r);
  if (plain.includes('e')) return null;
  const dot = plain.indexOf('.');
  const int = dot < 0 ? plain : plain.slice(0, dot);
  let grouped = int;
  if (int.length > 3) {
    grouped = int.slice(0, ((int.length - 1) % 3) + 1);
    for (let i = grouped.length; i < int.length; i += 3) grouped += `,${int.slice(i, i + 3)}`;
  }
  return `${r < 0 ? '-' : ''}${grouped}${dot < 0 ? '' : plain.slice(dot)}`;
}

/**
 * The reference in a miner's words: the lookback ends two weeks back (DROP_GAP_BLOCKS), so
 * '14d' is "the level of 2–4 weeks ago".
 */
export const LEVEL_WORDS: Readonly<Record<Lookback, string>> = {
  '7d': '2–3 weeks ago',
  '14d': '2–4 weeks ago',
  '30d': '2–6 weeks ago',
  '90d': '2 weeks–3½ months ago',
};

/** Blocks as time at 10 minutes a block: "19 h", "3.2 days". */
export function blocksAsTime(blocks: number): string {
  const hours = blocks / 6;
  return hours < 48 ? `${fmtNum(hours, 0)} h` : `${fmtNum(hours / 24, 1)} days`;
}

/** A direction in words: 'both' is "up or down". */
export const dirWord = (d: 'up' | 'down' | 'both') => (d === 'up' ? 'up' : d === 'down' ? 'down' : 'up or down');

/** Cost per PH/day of the user's rigs (PRODUCT.md §5: jth × 24 × kwh), before pool fee. */
export function breakevenCostPerPhDay(jth: number, kwh: number): number {
  return jth * 24 * kwh;
}

/** Hash price (USD/PH/day) below which the user's net revenue no longer pays the power. */
export function breakevenHashprice(jth: number, kwh: number, poolfee: number): number {
  return breakevenCostPerPhDay(jth, kwh) / (1 - poolfee / 100);
}

/** "23 days", "5 h": how long a rule has been under water at `nowSec`. */
export function durationWords(sinceSec: number | null | undefined, atSec: number): string | null {
  if (sinceSec === null || sinceSec === undefined) return null;
  const sec = Math.max(0, atSec - sinceSec);
  if (sec >= 2 * 86_400) return `${Math.floor(sec / 86_400)} days`;
  const h = Math.round(sec / 3600);
  return h <= 1 ? 'under an hour' : `${h} h`;
}
