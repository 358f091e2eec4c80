/**
 * Hash-rate kinds: `hashrate-drop` (vs the lookback peak, beyond block luck) and
 * `hashrate-below` (the 7d hash rate under a level, judged on its 90 % upper bound).
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import { HASHRATE_WINDOWS, LOOKBACKS, type HashrateWindow, type Lookback } from '../../domain/types.ts';
import { fmtNum } from '../describe.ts';
import { levelKind, pctKind, type Reading } from './kind.ts';
import { conservativeDropPct, dropFigures } from './hashrate-stats.ts';

const EH = 1e18;

/** 'hd-3d-30d' → ['3d', '30d']; null for anything else. */
function parseDropSeries(series: string): [HashrateWindow, Lookback] | null {
  const known = DROP_SERIES.get(series);
  if (known !== undefined) return known;
  const m = /^hd-(\w+)-(\w+)$/.exec(series);
  if (!m || !Object.hasOwn(HASHRATE_WINDOWS, m[1] ?? '') || !Object.hasOwn(LOOKBACKS, m[2] ?? '')) return null;
  return [m[1] as HashrateWindow, m[2] as Lookback];
}

/** The twelve valid drop series, parsed once (read on every block). */
const DROP_SERIES = new Map<string, [HashrateWindow, Lookback]>(
  (Object.keys(HASHRATE_WINDOWS) as HashrateWindow[]).flatMap((w) =>
    (Object.keys(LOOKBACKS) as Lookback[]).map((lb): [string, [HashrateWindow, Lookback]] => [`hd-${w}-${lb}`, [w, lb]]),
  ),
);

export const hashrateDrop = pctKind<'hashrate-drop'>({
  kind: 'hashrate-drop',
  series: (spec) => `hd-${spec.window}-${spec.lookback}`,
  pct: (spec) => spec.pct,
  value(series: string, s: Snapshot): number | null {
    const wl = parseDropSeries(series);
    return wl === null ? null : conservativeDropPct(s, wl[0], wl[1]);
  },
  read(series: string, s: Snapshot): Reading | null {
    const wl = parseDropSeries(series);
    if (wl === null) return null;
    const f = dropFigures(s, wl[0], wl[1]);
    if (f === null) return null;
    return {
      value: f.conservativePct,
      shown: f.pointPct,
      low: f.lowPct,
      high: f.highPct,
      unit: '%',
      window: `${wl[0]} window`,
      // Lazy: replay reads 12 drop series a block; only an emitted event needs the words.
      get aside() {
        return `${fmtNum(f.currentHps / EH, 0)} EH/s now vs peak ≈ ${fmtNum(f.peakHps / EH, 0)} EH/s`;
      },
    };
  },
  present: (spec, r, state) =>
    state === 'resolved'
      ? { title: `Hash rate recovered: ${fmtNum(r.shown, 1)} % below its ${spec.lookback} peak`, severity: 'info', direction: 'up' }
      : {
          title: `Hash rate down ${fmtNum(r.shown, 1)} % vs ${spec.lookback} peak`,
          severity: r.value >= 2 * spec.pct ? 'critical' : 'warn',
          direction: 'down',
        },
});

/** Reading of the 7d hash rate in EH/s; the compared value is its 90 % upper bound. */
function value7d(series: string, s: Snapshot): number | null {
  const e = s.hashrate['7d'];
  return series !== 'hr7' || e === null || e.hps <= 0 ? null : e.highHps / EH;
}

function read7d(series: string, s: Snapshot): Reading | null {
  const e = s.hashrate['7d'];
  if (series !== 'hr7' || e === null || e.hps <= 0) return null;
  return {
    value: e.highHps / EH,
    shown: e.hps / EH,
    low: e.lowHps / EH,
    high: e.highHps / EH,
    unit: 'EH/s',
    window: e.blocks < HASHRATE_WINDOWS['7d'] ? `7d window, ${e.blocks} blocks so far` : '7d window',
  };
}

export const hashrateBelow = levelKind<'hashrate-below'>({
  kind: 'hashrate-below',
  series: 'hr7',
  comparison: 'below',
  level: (spec) => spec.ehs,
  read: read7d,
  value: value7d,
  present: (spec, r, state) =>
    state === 'resolved'
      ? { title: `Hash rate back above ${fmtNum(spec.ehs)} EH/s: ${fmtNum(r.shown, 0)} EH/s`, severity: 'info', direction: 'up' }
      : { title: `Hash rate below ${fmtNum(spec.ehs)} EH/s: ${fmtNum(r.shown, 0)} EH/s`, severity: 'warn', direction: 'down' },
});
