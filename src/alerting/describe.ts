/**
 * One line per rule in words a miner reads at a glance (`/alerts`, confirmations, preview).
 * The same phrasing on every platform, so support answers never depend on where a user is.
 */
import { dropCellPct } from '../domain/drop-cells.ts';
import { DROP_DELAY_SIZES, dropDelay, dropFalseAlarmsPerYear } from '../domain/drop-thresholds.ts';
import { describeOf, REMINDER_KINDS } from './kinds/registry.ts';
import type { RuleSpec } from './types.ts';

export { blocksAsTime, breakevenCostPerPhDay, breakevenHashprice, dirWord, fmtNum, LEVEL_WORDS } from './format.ts';
import { blocksAsTime, fmtNum } from './format.ts';

/** The rule in words: its kind's phrasing, and how often an under-water rule reminds. */
export function describeRule(spec: RuleSpec): string {
  const base = describeOf(spec);
  if (!REMINDER_KINDS.has(spec.kind)) return base;
  const r = 'remind' in spec ? spec.remind : undefined;
  const every =
    r === undefined
      ? 'weekly'
      : r === 0
        ? 'off'
        : r % 604_800 === 0
          ? `every ${r / 604_800} w`
          : r % 86_400 === 0
            ? `every ${r / 86_400} d`
            : `every ${fmtNum(r / 3600, 1)} h`;
  return `${base}; reminders ${every === 'every 1 w' ? 'weekly' : every === 'every 1 d' ? 'daily' : every}`;
}

/**
 * One honest paragraph to show when a drop rule is added or previewed: how soon drops of a few
 * sizes are seen, what the rule also fires on, and its false-alarm rate — all read from the
 * calibrated simulation table (drop-thresholds.ts), nothing hard-coded.
 */
export function ruleAdvice(spec: RuleSpec): string | null {
  if (spec.kind !== 'hashrate-drop') return null;
  const cell = dropCellPct(spec.pct);
  const lb = spec.lookback;
  const seen = DROP_DELAY_SIZES.filter((d) => d >= cell)
    .slice(0, 4)
    .reverse()
    .map((d) => ({ d, r: dropDelay(lb, cell, d) }))
    .filter((x): x is { d: number; r: { blocks: number; within30d: number } } => x.r !== null && x.r.within30d >= 0.5)
    .map((x) => `${x.d} % in about ${blocksAsTime(x.r.blocks)}`);
  const smaller = [...DROP_DELAY_SIZES].reverse().find((d) => d < cell);
  const fa = dropFalseAlarmsPerYear(lb, cell);
  const parts: string[] = [];
  if (seen.length > 0) parts.push(`A drop is seen on average: ${seen.join(', ')} (simulated).`);
  const also = smaller === undefined ? null : dropDelay(lb, cell, smaller);
  if (also !== null && smaller !== undefined) {
    parts.push(
      `It also fires on ${fmtNum(Math.round(also.within30d * 100), 0)} % of ${smaller} % drops within 30 days: block luck cannot tell drops that close apart, for any detector.`,
    );
  }
  parts.push(`False alarms: about ${fmtNum(fa, 1)} a year on a steady network.`);
  return parts.join(' ');
}
