/**
 * Hash-price kinds (USD per PH/day, Luxor's definition): `hashprice-move`, `hashprice-below`,
 * `hashprice-above` and `breakeven`. Hash price is difficulty-based (no block luck in it), so
 * the compared value is the figure itself; without a BTC price there is no reading at all.
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import type { Direction, PriceWindow } from '../../domain/types.ts';
import { breakevenHashprice, dirWord, fmtNum, fmtDollars } from '../format.ts';
import { confidentMove } from './retarget.ts';
import { levelKind, pctKind, type KindDescriptor, type Reading } from './kind.ts';
import {
  amountParam,
  directionParam,
  pctParam,
  poolfeeParam,
  priceWindowParam,
  RANGES,
  remindParam,
} from './params.ts';
import { MOVE_SERIES, moveSeries } from './series.ts';

/** Normalised parameters of the hash-price kinds. */
export type HashpriceMoveSpec = { kind: 'hashprice-move'; pct: number; window: PriceWindow; direction: Direction };
export type HashpriceBelowSpec = { kind: 'hashprice-below'; usd: number; remind?: number };
export type HashpriceAboveSpec = { kind: 'hashprice-above'; usd: number };
export type BreakevenSpec = { kind: 'breakeven'; jth: number; kwh: number; poolfee: number; remind?: number };

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

export const hashpriceMove: KindDescriptor<'hashprice-move'> = {
  ...pctKind<'hashprice-move'>({
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
  }),
  title: 'Hash price moved pct within a window',
  what: 'hash price moved this much',
  // Its /help line has no room for the direction's default (Telegram's 4096 characters).
  params: [pctParam, priceWindowParam('24h'), { ...directionParam, help: 'direction up/down/both' }],
  example: '10% 24h down',
  code: 'hm',
  chart: 'hashprice',
  drawsOnChart: false,
  describe: (spec) => `hash price ${dirWord(spec.direction)} ${fmtNum(spec.pct)} % within ${spec.window}`,
};

const usdParam = (example: number, forms: string) =>
  amountParam({
    name: 'usd',
    what: `a level in USD per PH/day like ${example}`,
    units: ['', 'usd', 'usd-ph'],
    help: `USD per PH/day (${forms})`,
    description: 'hashprice-below/above: level in USD per PH/day, e.g. 45',
    inputRange: [0.01, RANGES.usd[1]],
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

export const hashpriceBelow: KindDescriptor<'hashprice-below'> = {
  ...levelKind<'hashprice-below'>({
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
  }),
  title: 'Hash price below a level (USD per PH/day)',
  what: 'hash price fell below a level',
  params: [usdParam(45, '45, $45, 45/PH, 0.045/TH'), remindParam],
  example: '45',
  code: 'hpb',
  chart: 'hashprice',
  drawsOnChart: true,
  describe: (spec) => `hash price below $${fmtNum(spec.usd)}/PH/day`,
};

export const hashpriceAbove: KindDescriptor<'hashprice-above'> = {
  ...levelKind<'hashprice-above'>({
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
  }),
  title: 'Hash price above a level (USD per PH/day)',
  what: 'hash price rose above a level',
  params: [usdParam(60, '60, 0.06/TH')],
  example: '60',
  code: 'hpa',
  chart: 'hashprice',
  drawsOnChart: true,
  describe: (spec) => `hash price above $${fmtNum(spec.usd)}/PH/day`,
};

/**
 * Break-even shares the 'hpb' series with hashprice-below: "hash price × (1 − fee) < cost" is
 * "hash price < cost / (1 − fee)", a plain level per rule.
 */
export const breakeven: KindDescriptor<'breakeven'> = {
  ...levelKind<'breakeven'>({
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
            title: `Mining pays again: hash price ${fmtDollars(r.shown)} vs break-even ${fmtDollars(level)}/PH/day (${fmtNum(margin, 1)} % above)`,
            severity: 'info',
            direction: 'up',
          }
        : {
            title: `Below break-even: hash price ${fmtDollars(r.shown)} vs your ${fmtDollars(level)}/PH/day (${fmtNum(-margin, 1)} % short)`,
            severity: 'critical',
            direction: 'down',
          };
    },
  }),
  title: 'Hash price below what your rigs cost to run',
  what: 'hash price fell below what your rigs cost to run',
  params: [
    amountParam({
      name: 'jth',
      what: 'your rigs’ efficiency in J/TH like 17',
      units: ['', 'jth'],
      help: 'rig efficiency in J/TH (17, 17J/TH)',
      description: 'breakeven: rig efficiency in J/TH, e.g. 17',
    }),
    amountParam({
      name: 'kwh',
      what: 'your power price in USD per kWh like 0.06',
      units: ['', 'usd', 'kwh'],
      help: 'power price in USD per kWh (0.06, $0.06/kWh, 6c)',
      description: 'breakeven: power price in USD per kWh, e.g. 0.06',
    }),
    poolfeeParam,
    remindParam,
  ],
  example: '17 0.06 2%',
  code: 'be',
  chart: 'hashprice',
  drawsOnChart: true,
  describe(spec) {
    const cost = breakevenHashprice(spec.jth, spec.kwh, spec.poolfee);
    const fee = spec.poolfee > 0 ? `, ${fmtNum(spec.poolfee)} % pool fee` : '';
    return `hash price below your break-even ${fmtDollars(cost)}/PH/day (${fmtNum(spec.jth)} J/TH at $${fmtNum(spec.kwh, 4)}/kWh${fee})`;
  },
};
