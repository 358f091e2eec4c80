/**
 * Retarget kinds: `retarget-estimate` (the 90 % interval, not the point, reaches ±pct),
 * `retarget` (what happened, with hashbell's and mempool's scorecard), `retarget-soon`.
 */
import type { RetargetOutcome, Snapshot } from '../../domain/snapshot-types.ts';
import type { Direction } from '../../domain/types.ts';
import { dirWord, fmtNum } from '../format.ts';
import { pctKind, type KindDescriptor, type Reading } from './kind.ts';
import { amountParam, directionParam, pctParam } from './params.ts';
import { ESTIMATE_SERIES, estimateSeries } from './series.ts';

/** Normalised parameters of the retarget kinds. */
export type RetargetEstimateSpec = { kind: 'retarget-estimate'; pct: number; direction: Direction };
export type RetargetSpec = { kind: 'retarget' };
export type RetargetSoonSpec = { kind: 'retarget-soon'; blocks: number };

const signed = (n: number, d = 1): string => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${fmtNum(Math.abs(n), d)}`;

/** "above +5 %", "below −5 %" or "beyond ±5 %": the bound a rule's direction watches. */
function boundWords(direction: string, pct: number, your = ''): string {
  if (direction === 'up') return `above ${your}+${fmtNum(pct)} %`;
  if (direction === 'down') return `below ${your}−${fmtNum(pct)} %`;
  return `beyond ${your}±${fmtNum(pct)} %`;
}

/** How far the confident part of the estimate goes in a direction, %. */
export function confidentMove(direction: string, lowPct: number, highPct: number): number | null {
  if (direction === 'up') return lowPct;
  if (direction === 'down') return -highPct;
  if (direction === 'both') return Math.max(lowPct, -highPct);
  return null;
}

/**
 * Estimate alerts wait for this many effective block intervals behind the rate (RetargetSnapshot
 * .rateBlocks) and for a known epoch start. Each block's 90 % interval is honest on its own
 * (test/unit/alerting/retarget-coverage.test.ts prints coverage from block 1), but a rule looks
 * at every block: with a handful of intervals the interval is wide and swings, and one unlucky
 * look of hundreds sends "−53 %" (issue 11). Two days of blocks steady it; a bot with history
 * (the live watcher keeps two epochs) has them from an epoch's first block.
 */
export const ESTIMATE_MIN_RATE_BLOCKS = 288;

/** True when the snapshot's estimate rests on the history its interval assumes. */
export function estimateReady(s: Snapshot): boolean {
  const r = s.retarget;
  return r.epochStartEstimated !== true && (r.rateBlocks === undefined || r.rateBlocks >= ESTIMATE_MIN_RATE_BLOCKS);
}

/** "±5 % (90 % likely)": a retarget-estimate rule's threshold in words. */
function estimateThreshold(direction: string, pct: number): string {
  const sign = direction === 'up' ? '+' : direction === 'down' ? '−' : '±';
  return `${sign}${fmtNum(pct)} % (90 % likely)`;
}

export const retargetEstimate: KindDescriptor<'retarget-estimate'> = {
  ...pctKind<'retarget-estimate'>({
    kind: 'retarget-estimate',
    // Each block moves the estimate a little; one message per epoch-level swing is enough.
    cooldownSec: 6 * 3600,
    series: (spec) => estimateSeries(spec.direction),
    allSeries: [...ESTIMATE_SERIES.keys()],
    pct: (spec) => spec.pct,
    value(series: string, s: Snapshot): number | null {
      if (!estimateReady(s)) return null;
      const direction = ESTIMATE_SERIES.get(series);
      const value = direction === undefined ? null : confidentMove(direction, s.retarget.lowPct, s.retarget.highPct);
      return value === null || !Number.isFinite(value) ? null : value;
    },
    read(series: string, s: Snapshot): Reading | null {
      const r = s.retarget;
      if (!estimateReady(s)) return null;
      const direction = ESTIMATE_SERIES.get(series);
      const value = direction === undefined ? null : confidentMove(direction, r.lowPct, r.highPct);
      if (value === null || !Number.isFinite(value)) return null;
      const mp =
        r.mempool.remainingBlocks < 2016 - 146 ? `; mempool says ${signed(r.mempool.difficultyChange, 2)} %` : '';
      return {
        value,
        shown: r.changePct,
        low: r.lowPct,
        high: r.highPct,
        unit: '%',
        window: `epoch ${fmtNum(r.progressPct, 0)} % done`,
        aside: `${r.remainingBlocks} blocks to go${mp}`,
      };
    },
    // Resolution happens at half the threshold (hysteresis), but the words name the user's own
    // threshold: "no longer 90 % likely beyond your ±5 %".
    present: (spec, r, state) =>
      state === 'resolved'
        ? {
            title: `Retarget estimate eased to ${signed(r.shown)} %: no longer 90 % likely ${boundWords(spec.direction, spec.pct, 'your ')}`,
            severity: 'info',
            thresholdText: estimateThreshold(spec.direction, spec.pct),
          }
        : {
            title: `Next retarget ≈ ${signed(r.shown)} %, 90 % likely ${boundWords(spec.direction, spec.pct)}`,
            severity: 'warn',
            direction: r.shown >= 0 ? 'up' : 'down',
            thresholdText: estimateThreshold(spec.direction, spec.pct),
          },
  }),
  title: 'Next retarget 90 % likely beyond ±pct',
  what: 'the next retarget is 90 % likely beyond ±percent',
  params: [pctParam, directionParam],
  example: '5% down',
  code: 're',
  chart: 'retarget',
  drawsOnChart: true,
  describe: (spec) => `next retarget estimated ${dirWord(spec.direction)} ${fmtNum(spec.pct)} % or more (90 % sure)`,
};

/** Scorecard lines: at each checkpoint, hashbell's estimate and interval vs mempool's rule. */
export function scorecardLines(o: RetargetOutcome): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  let ours = 0;
  let theirs = 0;
  for (const row of o.scorecard) {
    const hbErr = Math.abs(row.hashbellPct - o.changePct);
    const mpErr = row.mempoolPct === null ? null : Math.abs(row.mempoolPct - o.changePct);
    if (mpErr === null || hbErr < mpErr) ours++;
    else if (mpErr < hbErr) theirs++;
    const mp = row.mempoolPct === null ? 'no estimate' : `${signed(row.mempoolPct, 2)} %`;
    lines.push([
      `at ${fmtNum(row.progressPct, 0)} % (block ${row.height})`,
      `hashbell ${signed(row.hashbellPct, 2)} % (90 %: ${signed(row.hashbellLowPct, 1)}…${signed(row.hashbellHighPct, 1)}), mempool ${mp}`,
    ]);
  }
  if (o.scorecard.length > 0) lines.push(['closer', `hashbell ${ours}, mempool ${theirs} of ${o.scorecard.length}`]);
  return lines;
}

export const retarget: KindDescriptor<'retarget'> = {
  kind: 'retarget',
  title: 'Every difficulty retarget, and how your estimates did',
  what: 'every difficulty retarget, and how your estimate alerts did',
  params: [],
  example: '',
  code: 'rt',
  chart: 'retarget',
  drawsOnChart: false,
  describe: () => 'every difficulty retarget, with how the estimates did',
  mode: 'event',
  comparison: 'above',
  cooldownSec: 0,
  series: () => 'retarget',
  allSeries: ['retarget'],
  value: (_series, s) => (s.retargetOutcome === null ? null : 1),
  read(_series: string, s: Snapshot): Reading | null {
    const o = s.retargetOutcome;
    if (o === null) return null;
    return { value: 1, shown: o.changePct, unit: '%', lines: scorecardLines(o) };
  },
  fireLevel: () => 1,
  resolveLevel: () => 0,
  present: (_spec, r) => ({
    title: `Difficulty retarget: ${signed(r.shown, 2)} %`,
    severity: 'info',
    direction: r.shown >= 0 ? 'up' : 'down',
  }),
};

export const retargetSoon: KindDescriptor<'retarget-soon'> = {
  kind: 'retarget-soon',
  title: 'A heads-up some blocks before each retarget',
  what: 'a heads-up before each retarget',
  params: [
    amountParam({
      name: 'blocks',
      what: 'a number of blocks like 144',
      units: ['', 'blocks'],
      required: false,
      fallback: 144,
      integer: true,
      help: 'blocks before it (default 144, about a day)',
      description: 'retarget-soon: blocks before the retarget, e.g. 144',
    }),
  ],
  example: '144',
  code: 'rs',
  chart: 'retarget',
  drawsOnChart: false,
  describe: (spec) => `${fmtNum(spec.blocks, 0)} blocks before each retarget`,
  mode: 'notice-level',
  comparison: 'below',
  cooldownSec: 0,
  series: () => 'rs',
  allSeries: ['rs'],
  value: (_series, s) => s.retarget.remainingBlocks,
  read(_series: string, s: Snapshot): Reading | null {
    const r = s.retarget;
    const hours = Math.max(0, r.etaSec - s.timeSec) / 3600;
    return {
      value: r.remainingBlocks,
      shown: r.remainingBlocks,
      unit: 'blocks',
      window: `retarget at block ${r.nextRetargetHeight}`,
      aside: `≈ ${fmtNum(hours, 1)} h; estimate ${signed(r.changePct)} % (90 %: ${signed(r.lowPct)}…${signed(r.highPct)})`,
    };
  },
  fireLevel: (spec) => spec.blocks,
  // Re-arms once the count goes back up: that only happens when the next epoch starts.
  resolveLevel: (spec) => spec.blocks + 1,
  present: (_spec, r) => ({ title: `Retarget in ${fmtNum(r.shown, 0)} blocks`, severity: 'info' }),
};
