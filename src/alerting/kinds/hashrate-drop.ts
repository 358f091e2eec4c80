/**
 * `hashrate-drop <pct> [window] [lookback]`: the network's true hash rate is at least `pct` below
 * its recent level (the lookback, ending two weeks back), as the sequential detector of
 * src/domain/drop-detector.ts says, at a calibrated false-alarm rate of at most one per rule-year.
 *
 * The detector runs once per block for every drop cell (whole percent 3…50) and lookback; a rule
 * reads its cell: series `hd-<lookback>-<cell>`, value 1 while the cell is alarmed, 0 while quiet.
 * It fires at 1 and resolves at 0, so the index touches only rules whose cell changed state.
 * Hysteresis lives in the cell (it recovers only on its own evidence that the rate is back), not
 * in the level. An alarm can also end without a recovery: once the lookback holds only blocks
 * after the alarm, the lower level IS the recent level the rule is about; that end is worded as
 * "the lower level is now the normal" (a notice, `ending: 'new-normal'`), never as resolved.
 * `window` no longer decides anything: it picks which smoothed hash rate the message and the
 * chart show.
 */
import { dropCellPct } from '../../domain/drop-cells.ts';
import { dropFalseAlarmsPerYear } from '../../domain/drop-thresholds.ts';
import { gammaBand90 } from '../../domain/hashrate.ts';
import type { DropAlarm, DropEnd, DropState, Snapshot } from '../../domain/snapshot-types.ts';
import type { HashrateWindow, Lookback } from '../../domain/types.ts';
import { blocksAsTime, fmtNum, LEVEL_WORDS } from '../format.ts';
import { timeToken } from '../time-token.ts';
import { DEFAULT_COOLDOWN_SEC, type KindDescriptor, type Presentation, type Reading, type SpecOf } from './kind.ts';
import { hashrateWindowParam, lookbackParam, pctParam } from './params.ts';
import { DROP_SERIES, dropSeries } from './series.ts';

/** `hashrate-drop`'s normalised parameters. */
export type HashrateDropSpec = { kind: 'hashrate-drop'; pct: number; window: HashrateWindow; lookback: Lookback };

const EH = 1e18;

function cellOf(
  series: string,
  s: Snapshot,
): { st: DropState; lb: Lookback; pct: number; alarm: DropAlarm | undefined } | null {
  const cell = DROP_SERIES.get(series);
  if (cell === undefined) return null;
  const st = s.drop?.[cell.lookback];
  if (st === undefined || st === null) return null;
  let alarm: DropAlarm | undefined;
  for (const a of st.alarms) if (a.pct === cell.cell) alarm = a;
  return { st, lb: cell.lookback, pct: cell.cell, alarm };
}

/** Drop %, point and 90 % interval, over the blocks since the change point (exact Gamma). */
export function dropEstimate(a: Pick<DropAlarm, 'blocks' | 'ratioSum'>): { pct: number; low: number; high: number } {
  const n = Math.max(1, a.blocks);
  const rate = n / a.ratioSum;
  const [lo, hi] = gammaBand90(n);
  return { pct: 100 * (1 - rate), low: 100 * (1 - rate * hi), high: 100 * (1 - rate * lo) };
}

function read(series: string, s: Snapshot): Reading | null {
  const c = cellOf(series, s);
  if (c === null) return null;
  const refEhs = c.st.referenceHps / EH;
  const fa = dropFalseAlarmsPerYear(c.lb, c.pct);
  const a = c.alarm;
  if (a !== undefined) {
    const e = dropEstimate(a);
    return {
      value: 1,
      shown: e.pct,
      low: e.low,
      high: e.high,
      unit: '%',
      window: `over the ${fmtNum(a.blocks, 0)} blocks since it began`,
      get aside() {
        return `≈ ${fmtNum(refEhs * (1 - e.pct / 100), 0)} EH/s now vs ${fmtNum(refEhs, 0)} EH/s ${LEVEL_WORDS[c.lb]}`;
      },
      get lines() {
        return [
          ['Began', `block ${fmtNum(a.sinceHeight, 0)}, ${timeToken(a.sinceTimeSec, 'F')}`],
          [
            'Sure after',
            `${fmtNum(a.sureHeight - a.sinceHeight, 0)} blocks (≈ ${blocksAsTime(a.sureHeight - a.sinceHeight)}), at block ${fmtNum(a.sureHeight, 0)}`,
          ],
          ['False alarms', `≈ ${fmtNum(fa, 1)} per year for a ${c.pct} % rule on a steady network (simulated)`],
        ] as const;
      },
    };
  }
  return { value: 0, shown: 0, unit: '%', window: `${fmtNum(refEhs, 0)} EH/s ${LEVEL_WORDS[c.lb]}` };
}

/** The rule's smoothed window against a level (H/s), % below. */
function windowBelowPct(spec: SpecOf<'hashrate-drop'>, s: Snapshot, levelHps: number): number | null {
  const est = s.hashrate[spec.window];
  if (est === null || est.hps <= 0 || !(levelHps > 0)) return null;
  return 100 * (1 - est.hps / levelHps);
}

/** The rule's cell's alarm that ended at this block, and why (absent on an older snapshot). */
function endOf(spec: SpecOf<'hashrate-drop'>, s: Snapshot): DropEnd | undefined {
  const cell = dropCellPct(spec.pct);
  return s.drop?.[spec.lookback]?.ends?.find((e) => e.pct === cell);
}

/** The end of a firing: back at the level before the drop, or the lower level now the normal. */
function presentEnd(spec: SpecOf<'hashrate-drop'>, s: Snapshot): Presentation {
  const st = s.drop?.[spec.lookback];
  const end = endOf(spec, s);
  const before = end === undefined ? '' : ` (block ${fmtNum(end.sinceHeight, 0)})`;
  // Signed like every % the platforms print: "−4.3 %" for 4.3 % below the level, "+12.5 %" above.
  const signed = (below: number): number => (below === 0 ? 0 : -below);
  const words = (below: number, level: string): string =>
    fmtNum(Math.abs(below), 1) === '0'
      ? `back at ${level} (±0 %)`
      : `${fmtNum(Math.abs(below), 1)} % ${below > 0 ? 'below' : 'above'} ${level}`;
  if (end !== undefined && end.how === 'settled') {
    // The lookback now holds only blocks after the alarm. Where the rate is NOW is the rule's
    // window against the level before the drop (the lookback's own level lags two weeks behind).
    const down =
      windowBelowPct(spec, s, end.beforeHps) ?? 100 * (1 - (st?.referenceHps ?? end.beforeHps) / end.beforeHps);
    const level = `its level before the drop${before}`;
    const title =
      down >= spec.pct / 2
        ? `The ${spec.window} hash rate is still ${fmtNum(down, 1)} % below ${level}: the lower level is now the normal this rule compares with (${spec.lookback} lookback)`
        : `The ${spec.window} hash rate is ${words(down, level)}: the drop alert ends and this rule compares with its recent level again (${spec.lookback} lookback)`;
    return { title, severity: 'info', direction: 'down', shown: signed(down), ending: 'new-normal' };
  }
  // Recovered: judged against the level before the drop (the live reference has taken in part of
  // the lower level). Without the end (an older snapshot), against the live reference.
  const below = windowBelowPct(spec, s, end?.beforeHps ?? st?.referenceHps ?? Number.NaN);
  const level = end === undefined ? `its level of ${LEVEL_WORDS[spec.lookback]}` : `its level before the drop${before}`;
  const where = below === null ? '' : `: the ${spec.window} hash rate is ${words(below, level)}`;
  return {
    title: `Hash-rate drop over${where}`,
    severity: 'info',
    direction: 'up',
    ...(below === null ? {} : { shown: signed(below) }),
  };
}

export const hashrateDrop: KindDescriptor<'hashrate-drop'> = {
  kind: 'hashrate-drop',
  title: 'Hash rate fell pct below its recent peak',
  what: 'the network hash rate fell this much below its recent peak',
  params: [pctParam, hashrateWindowParam('3d'), lookbackParam('30d')],
  example: '10% 3d',
  code: 'hd',
  chart: 'hashrate',
  drawsOnChart: true,
  describe(spec) {
    const cell = dropCellPct(spec.pct);
    const as = cell !== spec.pct ? ` (watched as ${cell} %)` : '';
    return `hash rate down ${fmtNum(spec.pct)} % or more vs ${LEVEL_WORDS[spec.lookback]} (${spec.lookback} lookback)${as}; messages show the ${spec.window} figure`;
  },
  mode: 'level',
  comparison: 'above',
  cooldownSec: DEFAULT_COOLDOWN_SEC,
  series: (spec) => dropSeries(spec.lookback, spec.pct),
  allSeries: [...DROP_SERIES.keys()],
  read,
  value(series: string, s: Snapshot): number | null {
    // read()'s value without building anything: the index measures every rule's series per block.
    const cell = DROP_SERIES.get(series);
    if (cell === undefined) return null;
    const st = s.drop?.[cell.lookback];
    if (st === undefined || st === null) return null;
    for (const a of st.alarms) if (a.pct === cell.cell) return 1;
    return 0;
  },
  fireLevel: () => 1,
  resolveLevel: () => 0,
  // The user's drop size, not the cell's 1/0 state the index compares.
  threshold: (spec) => spec.pct,
  present(spec, r, state, s) {
    if (state === 'resolved') return presentEnd(spec, s);
    return {
      title: `Hash rate down ${fmtNum(r.shown, 1)} % vs ${LEVEL_WORDS[spec.lookback]}`,
      severity: r.low !== undefined && r.low >= 2 * spec.pct ? 'critical' : 'warn',
      direction: 'down',
    };
  },
};
