/**
 * One line per rule in words a miner reads at a glance (`/alerts`, confirmations, preview).
 * The same phrasing on every platform, so support answers never depend on where a user is.
 */
import { HASHRATE_WINDOWS } from '../domain/types.ts';
import { Z90 } from './kinds/hashrate-stats.ts';
import type { RuleSpec } from './types.ts';

/** 10 → "10", 2.5 → "2.5", 0.06 → "0.06", 12345 → "12,345": no float noise, no trailing zeros. */
export function fmtNum(n: number, maxDecimals = 2): string {
  // Integers (heights, block counts) need no rounding: toFixed would give n back.
  if (Number.isSafeInteger(n) && !Object.is(n, -0) && maxDecimals >= 0 && maxDecimals <= 100) return groupShortest(n) ?? String(n);
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

const dirWord = (d: 'up' | 'down' | 'both') => (d === 'up' ? 'up' : d === 'down' ? 'down' : 'up or down');

/** Cost per PH/day of the user's rigs (PRODUCT.md §5: jth × 24 × kwh), before pool fee. */
export function breakevenCostPerPhDay(jth: number, kwh: number): number {
  return jth * 24 * kwh;
}

/** Hash price (USD/PH/day) below which the user's net revenue no longer pays the power. */
export function breakevenHashprice(jth: number, kwh: number, poolfee: number): number {
  return breakevenCostPerPhDay(jth, kwh) / (1 - poolfee / 100);
}

export function describeRule(spec: RuleSpec): string {
  const base = describeLevel(spec);
  if (spec.kind !== 'breakeven' && spec.kind !== 'hashprice-below' && spec.kind !== 'hashrate-below') return base;
  const r = spec.remind;
  const every = r === undefined ? 'weekly' : r === 0 ? 'off' : r % 604_800 === 0 ? `every ${r / 604_800} w` : r % 86_400 === 0 ? `every ${r / 86_400} d` : `every ${fmtNum(r / 3600, 1)} h`;
  return `${base}; reminders ${every === 'every 1 w' ? 'weekly' : every === 'every 1 d' ? 'daily' : every}`;
}

function describeLevel(spec: RuleSpec): string {
  switch (spec.kind) {
    case 'hashrate-drop':
      return `hash rate ${fmtNum(spec.pct)} % below its ${spec.lookback} peak (${spec.window} window)`;
    case 'hashrate-below':
      return `7d hash rate below ${fmtNum(spec.ehs)} EH/s`;
    case 'retarget-estimate':
      return `next retarget estimated ${dirWord(spec.direction)} ${fmtNum(spec.pct)} % or more (90 % sure)`;
    case 'retarget':
      return 'every difficulty retarget, with how the estimates did';
    case 'retarget-soon':
      return `${fmtNum(spec.blocks, 0)} blocks before each retarget`;
    case 'hashprice-move':
      return `hash price ${dirWord(spec.direction)} ${fmtNum(spec.pct)} % within ${spec.window}`;
    case 'hashprice-below':
      return `hash price below $${fmtNum(spec.usd)}/PH/day`;
    case 'hashprice-above':
      return `hash price above $${fmtNum(spec.usd)}/PH/day`;
    case 'breakeven': {
      const cost = breakevenHashprice(spec.jth, spec.kwh, spec.poolfee);
      const fee = spec.poolfee > 0 ? `, ${fmtNum(spec.poolfee)} % pool fee` : '';
      return `hash price below your break-even $${fmtNum(cost)}/PH/day (${fmtNum(spec.jth)} J/TH at $${fmtNum(spec.kwh, 4)}/kWh${fee})`;
    }
    case 'slow-blocks':
      return `no block for ${fmtNum(spec.minutes, 0)} minutes`;
    case 'new-block':
      return 'every new block';
  }
}

/**
 * One honest sentence to show when a rule is added, where the data limits what the rule can do.
 * A hash-rate drop is only confirmed beyond block luck (hashrate-stats.ts), so a short window
 * needs a clearly larger real drop than the threshold; saying so up front beats a silent rule.
 */
export function ruleAdvice(spec: RuleSpec): string | null {
  if (spec.kind !== 'hashrate-drop') return null;
  const luckPct = (100 * Z90) / Math.sqrt(HASHRATE_WINDOWS[spec.window]);
  const longer = spec.window === '7d' ? '' : ' A 7d window confirms smaller drops, a few days later.';
  return `Block luck alone moves a ${spec.window} hash rate by about ±${fmtNum(luckPct, 0)} % (90 %), so this alert waits until the drop is clearly beyond that.${longer}`;
}
