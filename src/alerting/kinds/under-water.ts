/**
 * The words of the three under-water kinds (breakeven, hashprice-below, hashrate-below) when they
 * repeat themselves while firing (../lifecycle-repeat.ts decides when): depth and duration, e.g.
 * "Still below break-even: $36.10 vs your $43.20, 16 % short, 23 days". The first firing keeps
 * each kind's own words; the recovery says how long it lasted. Wrapping the kinds' `present`
 * here keeps their files (and their owners) untouched.
 */
import { breakevenHashprice, durationWords, fmtDollars, fmtNum } from '../format.ts';
import type { AlertState } from '../types.ts';
import { breakeven, hashpriceBelow } from './hashprice.ts';
import { hashrateBelow } from './hashrate.ts';
import type { KindDescriptor, PresentContext, Presentation, Reading, SpecOf } from './kind.ts';

type UnderWater = 'breakeven' | 'hashprice-below' | 'hashrate-below';

interface Words<K extends UnderWater> {
  /** The user's level in the figure's unit. */
  level(spec: SpecOf<K>): number;
  /** "$36.10" / "855 EH/s": the shown figure, and the level, as the title prints them. */
  fig(n: number): string;
  /** "below break-even" / "below $40/PH/day". */
  what(spec: SpecOf<K>): string;
  short: string;
  thresholdText(spec: SpecOf<K>): string;
}

function withRepeats<K extends UnderWater>(def: KindDescriptor<K>, w: Words<K>): KindDescriptor<K> {
  const present = (
    spec: SpecOf<K>,
    r: Reading,
    state: AlertState,
    s: Parameters<KindDescriptor<K>['present']>[3],
    ctx?: PresentContext,
  ): Presentation => {
    const own = def.present(spec, r, state, s);
    const level = w.level(spec);
    const thresholdText = w.thresholdText(spec);
    const lasted = durationWords(ctx?.sinceSec, s.timeSec);
    if (state === 'resolved')
      return { ...own, thresholdText, ...(lasted === null ? {} : { title: `${own.title}, after ${lasted}` }) };
    if (ctx?.repeat === undefined) return { ...own, thresholdText };
    const depth = level > 0 ? 100 * (1 - r.shown / level) : 0;
    const head = ctx.repeat === 'escalation' ? 'Deeper' : 'Still';
    const since = lasted === null ? '' : `, ${lasted}`;
    return {
      ...own,
      thresholdText,
      title: `${head} ${w.what(spec)}: ${w.fig(r.shown)} vs your ${w.fig(level)}, ${fmtNum(depth, 0)} % ${w.short}${since}`,
      severity: ctx.repeat === 'escalation' ? 'critical' : own.severity,
    };
  };
  return { ...def, present };
}

const usd = fmtDollars;

export const breakevenUnderWater = withRepeats(breakeven, {
  level: (spec) => breakevenHashprice(spec.jth, spec.kwh, spec.poolfee),
  fig: usd,
  what: () => 'below break-even',
  short: 'short',
  thresholdText: (spec) =>
    `$${fmtNum(breakevenHashprice(spec.jth, spec.kwh, spec.poolfee))}/PH/day (${fmtNum(spec.jth)} J/TH at $${fmtNum(spec.kwh, 4)}/kWh)`,
});

export const hashpriceBelowUnderWater = withRepeats(hashpriceBelow, {
  level: (spec) => spec.usd,
  fig: usd,
  what: (spec) => `below $${fmtNum(spec.usd)}/PH/day`,
  short: 'short',
  thresholdText: (spec) => `$${fmtNum(spec.usd)}/PH/day`,
});

export const hashrateBelowUnderWater = withRepeats(hashrateBelow, {
  level: (spec) => spec.ehs,
  fig: (n) => `${fmtNum(n, 0)} EH/s`,
  what: (spec) => `below ${fmtNum(spec.ehs)} EH/s`,
  short: 'below',
  thresholdText: (spec) => `${fmtNum(spec.ehs)} EH/s (7d)`,
});
