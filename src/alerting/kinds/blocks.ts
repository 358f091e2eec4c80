/**
 * Block-flow kinds: `slow-blocks` (no block for N minutes; measured on timer ticks as well as on
 * blocks) and `new-block` (a notice per block).
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import { fmtNum } from '../format.ts';
import { halfOf, type KindDescriptor, type Reading } from './kind.ts';
import { minutesParam } from './params.ts';

/** Normalised parameters of the block-flow kinds. */
export type SlowBlocksSpec = { kind: 'slow-blocks'; minutes: number };
export type NewBlockSpec = { kind: 'new-block' };

/**
 * When the latest block was seen: the later of its header time and when we computed it.
 * Header times may lag the real arrival by many minutes (miners' clocks, MTP rule); the
 * computation time is the arrival in live use and the block time in replay. Taking the later
 * one can only make the alert slower, never fire it on a block we already have.
 */
export function lastSeenSec(s: Snapshot): number {
  return Math.max(s.timeSec, s.computedAtSec);
}

/** Minutes without a block at `nowSec`, given the latest block's snapshot. */
export function minutesSinceBlock(s: Snapshot, nowSec: number): number {
  return Math.max(0, nowSec - lastSeenSec(s)) / 60;
}

export const slowBlocks: KindDescriptor<'slow-blocks'> = {
  kind: 'slow-blocks',
  title: 'No block for some minutes',
  what: 'no block for a while',
  params: [minutesParam],
  example: '60',
  code: 'sb',
  chart: null,
  drawsOnChart: false,
  describe: (spec) => `no block for ${fmtNum(spec.minutes, 0)} minutes`,
  mode: 'level',
  comparison: 'above',
  cooldownSec: 0,
  series: () => 'sb',
  allSeries: ['sb'],
  value: (_series, s, nowSec) => minutesSinceBlock(s, nowSec),
  read(_series: string, s: Snapshot, nowSec: number): Reading | null {
    const minutes = minutesSinceBlock(s, nowSec);
    return { value: minutes, shown: minutes, unit: 'min', window: `since block ${s.height}` };
  },
  fireLevel: (spec) => spec.minutes,
  // A new block brings the gap back to ~0; half the threshold keeps a late tick from flapping.
  resolveLevel: (spec) => halfOf(spec.minutes),
  present: (_spec, r, state, s) =>
    state === 'resolved'
      ? { title: `Blocks are flowing again: block ${s.height}, ${fmtNum(r.shown, 0)} min ago`, severity: 'info' }
      : { title: `No block for ${fmtNum(r.shown, 0)} minutes`, severity: 'warn' },
};

/** "127.5 T"; the last one is kept, since difficulty changes once per 2016 blocks. */
function difficultyText(difficulty: number): string {
  if (difficulty !== lastDifficulty.value)
    lastDifficulty = { value: difficulty, text: fmtNum(difficulty / 1e12, 2) + ' T' };
  return lastDifficulty.text;
}
let lastDifficulty = { value: Number.NaN, text: '' };

export const newBlock: KindDescriptor<'new-block'> = {
  kind: 'new-block',
  title: 'Every new block (noisy)',
  what: 'every new block (noisy)',
  params: [],
  example: '',
  code: 'nb',
  // A late block or every new block is news without a picture.
  chart: null,
  drawsOnChart: false,
  describe: () => 'every new block',
  mode: 'event',
  comparison: 'above',
  cooldownSec: 0,
  series: () => 'nb',
  allSeries: ['nb'],
  value: () => 1,
  read(_series: string, s: Snapshot): Reading | null {
    const h = s.hashrate['1d'];
    const lines: Array<[string, string]> = [['difficulty', difficultyText(s.difficulty)]];
    if (h) lines.push(['hash rate (1d)', `${fmtNum(h.hps / 1e18, 0)} EH/s`]);
    return { value: 1, shown: s.height, unit: 'height', lines };
  },
  fireLevel: () => 1,
  resolveLevel: () => 0,
  present: (_spec, _r, _state, s) => ({
    title: `New block ${fmtNum(s.height, 0)}${s.correction ? ' (reorg)' : ''}`,
    severity: 'info',
  }),
};
