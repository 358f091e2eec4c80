/**
 * `hashrate-drop <pct> [window] [lookback]`: the network's true hash rate is at least `pct` below
 * its recent level (the lookback, ending two weeks back), as the sequential detector of
 * src/domain/drop-detector.ts says, at a calibrated false-alarm rate of at most one per rule-year.
 *
 * The detector runs once per block for every drop cell (whole percent 3…50) and lookback; a rule
 * reads its cell: series `hd-<lookback>-<cell>`, value 1 while the cell is alarmed, 0 while quiet.
 * It fires at 1 and resolves at 0, so the index touches only rules whose cell changed state.
 * Hysteresis lives in the cell (it recovers only on its own evidence that the rate is back), not
 * in the level. `window` no longer decides anything: it picks which smoothed hash rate the
 * message and the chart show.
 */
import { dropCellPct } from '../../domain/drop-detector.ts';
import { dropFalseAlarmsPerYear } from '../../domain/drop-thresholds.ts';
import { gammaBand90 } from '../../domain/hashrate.ts';
import type { DropAlarm, DropState, Snapshot } from '../../domain/snapshot-types.ts';
import type { HashrateWindow, Lookback } from '../../domain/types.ts';
import { blocksAsTime, fmtNum, LEVEL_WORDS } from '../format.ts';
import { timeToken } from '../time-token.ts';
import { DEFAULT_COOLDOWN_SEC, type KindDescriptor, type Reading, type SpecOf } from './kind.ts';
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

/** The rule's smoothed window against the reference level, % below (the resolved message). */
function windowBelowPct(spec: SpecOf<'hashrate-drop'>, s: Snapshot): number | null {
  const est = s.hashrate[spec.window];
  const st = s.drop?.[spec.lookback];
  if (est === null || est.hps <= 0 || st === undefined || st === null) return null;
  return 100 * (1 - est.hps / st.referenceHps);
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
    if (state === 'resolved') {
      const below = windowBelowPct(spec, s);
      // Signed like every % the platforms print: "−4.3 %" for 4.3 % below the level, "+12.5 %" above.
      const level = LEVEL_WORDS[spec.lookback];
      const where =
        below === null
          ? ''
          : fmtNum(Math.abs(below), 1) === '0'
            ? `: the ${spec.window} hash rate is back at its level of ${level} (±0 %)`
            : `: the ${spec.window} hash rate is ${fmtNum(Math.abs(below), 1)} % ${below > 0 ? 'below' : 'above'} its level of ${level}`;
      return {
        title: `Hash-rate drop over${where}`,
        severity: 'info',
        direction: 'up',
        ...(below === null ? {} : { shown: below === 0 ? 0 : -below }),
      };
    }
    return {
      title: `Hash rate down ${fmtNum(r.shown, 1)} % vs ${LEVEL_WORDS[spec.lookback]}`,
      severity: r.low !== undefined && r.low >= 2 * spec.pct ? 'critical' : 'warn',
      direction: 'down',
    };
  },
};
