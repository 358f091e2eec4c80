/**
 * Hash-price kinds (USD per PH/day, Luxor's definition): `hashprice-move`, `hashprice-below`,
 * `hashprice-above` and `breakeven`. Hash price is difficulty-based (no block luck in it), so
 * the compared value is the figure itself; without a BTC price there is no reading at all.
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import type { PriceWindow } from '../../domain/types.ts';
import { breakevenHashprice, fmtNum } from '../describe.ts';
import { confidentMove } from './retarget.ts';
import { levelKind, pctKind, type Reading } from './kind.ts';
import { MOVE_SERIES, moveSeries } from './series.ts';

function priceAside(s: Snapshot): string {
  const hp = s.hashprice;
  if (hp.priceUsd === null) return 'no BTC price';
  const age =
    hp.priceTimeSec === null
      ? ''
      : hp.priceStale
        ? `, price ${fmtNum((s.timeSec - hp.priceTimeSec) / 3600, 1)} h old`
        : '';
  return `BTC $${fmtNum(hp.priceUsd, 0)}${age}`;
}

/** The move in the series' direction, %, and the figures behind it; null without data. */
function moveOf(
  series: string,
  s: Snapshot,
): { value: number; move: number; window: PriceWindow; ago: number; now: number } | null {
  const p = MOVE_SERIES.get(series);
  if (p === undefined) return null;
  const now = s.hashprice.usdPerPhDay;
  const ago = s.hashpriceAgo[p.window];
  if (now === null || ago === null || ago.usdPerPhDay <= 0) return null;
  const move = 100 * (now / ago.usdPerPhDay - 1);
  const value = confidentMove(p.direction, move, move);
  return value === null ? null : { value, move, window: p.window, ago: ago.usdPerPhDay, now };
}

/** `hm-24h-down` → move in that direction, %. */
function readMove(series: string, s: Snapshot): Reading | null {
  const m = moveOf(series, s);
  if (m === null) return null;
  const { value, move, window, now } = m;
  const ago = { usdPerPhDay: m.ago };
  return {
    value,
    shown: move,
    unit: '%',
    window: `${window} window`,
    aside: `$${fmtNum(ago.usdPerPhDay)} → $${fmtNum(now)}/PH/day; ${priceAside(s)}`,
  };
}

export const hashpriceMove = pctKind<'hashprice-move'>({
  kind: 'hashprice-move',
  series: (spec) => moveSeries(spec.window, spec.direction),
  allSeries: [...MOVE_SERIES.keys()],
  pct: (spec) => spec.pct,
  read: readMove,
  value: (series, s) => moveOf(series, s)?.value ?? null,
  present: (spec, r, state) => {
    const word = r.shown >= 0 ? 'up' : 'down';
    return state === 'resolved'
      ? {
          title: `Hash price move eased: ${word} ${fmtNum(Math.abs(r.shown), 1)} % in ${spec.window}`,
          severity: 'info',
        }
      : {
          title: `Hash price ${word} ${fmtNum(Math.abs(r.shown), 1)} % in ${spec.window}`,
          severity: 'warn',
          direction: word,
        };
  },
});

/** Hash price now, USD/PH/day; one reading for the 'hpb' (below) and 'hpa' (above) series. */
function levelValue(series: string, s: Snapshot): number | null {
  const usd = s.hashprice.usdPerPhDay;
  return (series !== 'hpb' && series !== 'hpa') || usd === null ? null : usd;
}

function readLevel(series: string, s: Snapshot): Reading | null {
  const usd = s.hashprice.usdPerPhDay;
  if ((series !== 'hpb' && series !== 'hpa') || usd === null) return null;
  return { value: usd, shown: usd, unit: 'USD/PH/day', aside: priceAside(s) };
}

export const hashpriceBelow = levelKind<'hashprice-below'>({
  kind: 'hashprice-below',
  series: 'hpb',
  comparison: 'below',
  level: (spec) => spec.usd,
  read: readLevel,
  value: levelValue,
  present: (spec, r, state) =>
    state === 'resolved'
      ? {
          title: `Hash price back above $${fmtNum(spec.usd)}: $${fmtNum(r.shown)}/PH/day`,
          severity: 'info',
          direction: 'up',
        }
      : {
          title: `Hash price below $${fmtNum(spec.usd)}: $${fmtNum(r.shown)}/PH/day`,
          severity: 'warn',
          direction: 'down',
        },
});

export const hashpriceAbove = levelKind<'hashprice-above'>({
  kind: 'hashprice-above',
  series: 'hpa',
  comparison: 'above',
  level: (spec) => spec.usd,
  read: readLevel,
  value: levelValue,
  present: (spec, r, state) =>
    state === 'resolved'
      ? {
          title: `Hash price back below $${fmtNum(spec.usd)}: $${fmtNum(r.shown)}/PH/day`,
          severity: 'info',
          direction: 'down',
        }
      : {
          title: `Hash price above $${fmtNum(spec.usd)}: $${fmtNum(r.shown)}/PH/day`,
          severity: 'info',
          direction: 'up',
        },
});

/**
 * Break-even shares the 'hpb' series with hashprice-below: "hash price × (1 − fee) < cost" is
 * "hash price < cost / (1 − fee)", a plain level per rule.
 */
export const breakeven = levelKind<'breakeven'>({
  kind: 'breakeven',
  series: 'hpb',
  comparison: 'below',
  level: (spec) => breakevenHashprice(spec.jth, spec.kwh, spec.poolfee),
  read: readLevel,
  value: levelValue,
  present: (spec, r, state) => {
    const level = breakevenHashprice(spec.jth, spec.kwh, spec.poolfee);
    const margin = 100 * (r.shown / level - 1);
    return state === 'resolved'
      ? {
          title: `Mining pays again: hash price $${fmtNum(r.shown)} vs break-even $${fmtNum(level)}/PH/day (${fmtNum(margin, 1)} % above)`,
          severity: 'info',
          direction: 'up',
        }
      : {
          title: `Below break-even: hash price $${fmtNum(r.shown)} vs your $${fmtNum(level)}/PH/day (${fmtNum(-margin, 1)} % short)`,
          severity: 'critical',
          direction: 'down',
        };
  },
});
