/**
 * `hashrate-below`: the 7d hash rate under a level, judged on its 90 % upper bound. (The drop
 * kind, a sequential detector, lives in ./hashrate-drop.ts.)
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import { HASHRATE_WINDOWS } from '../../domain/types.ts';
import { fmtNum } from '../format.ts';
import { levelKind, type KindDescriptor, type Reading } from './kind.ts';
import { amountParam, remindParam } from './params.ts';

/** `hashrate-below`'s normalised parameters (remind: see params.ts remindParam). */
export type HashrateBelowSpec = { kind: 'hashrate-below'; ehs: number; remind?: number };

const EH = 1e18;

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

export const hashrateBelow: KindDescriptor<'hashrate-below'> = {
  ...levelKind<'hashrate-below'>({
    kind: 'hashrate-below',
    series: 'hr7',
    comparison: 'below',
    level: (spec) => spec.ehs,
    read: read7d,
    value: value7d,
    present: (spec, r, state) =>
      state === 'resolved'
        ? {
            title: `Hash rate back above ${fmtNum(spec.ehs)} EH/s: ${fmtNum(r.shown, 0)} EH/s`,
            severity: 'info',
            direction: 'up',
          }
        : {
            title: `Hash rate below ${fmtNum(spec.ehs)} EH/s: ${fmtNum(r.shown, 0)} EH/s`,
            severity: 'warn',
            direction: 'down',
          },
  }),
  title: '7-day hash rate below a level (EH/s)',
  what: 'the 7-day hash rate is below a level',
  params: [
    amountParam({
      name: 'ehs',
      what: 'a hash rate in EH/s like 600',
      units: ['', 'ehs'], // 900EH/s, 0.9ZH/s
      help: 'level in EH/s (600, 900EH/s, 0.9ZH/s)',
      description: 'hashrate-below: level in EH/s, e.g. 600',
    }),
    remindParam,
  ],
  example: '900EH/s',
  code: 'hb',
  chart: 'hashrate',
  drawsOnChart: true,
  describe: (spec) => `7d hash rate below ${fmtNum(spec.ehs)} EH/s`,
};
