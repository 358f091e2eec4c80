/**
 * Every alert kind in words: what it watches and its parameters (with units and defaults).
 * Platform-neutral: each platform's help prints these with the kind's example (kind-examples.ts)
 * in its own syntax, so the two never disagree.
 */
import type { RuleKind } from './types.ts';

export interface KindHelp {
  readonly kind: RuleKind;
  /** What it tells you, one line. */
  readonly what: string;
  /** Parameters in words, in the grammar's order. */
  readonly params: string;
}

const REMIND = 'remind:1w (default) / remind:3d / remind:off — how often it reminds you while under water';

export const KIND_HELP: readonly KindHelp[] = [
  {
    kind: 'hashrate-drop',
    what: 'the network hash rate fell this much below its recent peak',
    params: 'percent; window 1d/3d/7d (default 3d); lookback 7d/14d/30d/90d (default 30d)',
  },
  {
    kind: 'hashrate-below',
    what: 'the 7-day hash rate is below a level',
    params: `level in EH/s (600, 900EH/s, 0.9ZH/s); ${REMIND}`,
  },
  {
    kind: 'retarget-estimate',
    what: 'the next retarget is 90 % likely beyond ±percent',
    params: 'percent; direction up/down/both (default both)',
  },
  {
    kind: 'retarget',
    what: 'every difficulty retarget, and how your estimate alerts did',
    params: 'none',
  },
  {
    kind: 'retarget-soon',
    what: 'a heads-up before each retarget',
    params: 'blocks before it (default 144, about a day)',
  },
  {
    kind: 'hashprice-move',
    what: 'hash price moved this much',
    params: 'percent; window 24h/7d (default 24h); direction up/down/both',
  },
  {
    kind: 'hashprice-below',
    what: 'hash price fell below a level',
    params: `USD per PH/day (45, $45, 45/PH, 0.045/TH); ${REMIND}`,
  },
  {
    kind: 'hashprice-above',
    what: 'hash price rose above a level',
    params: 'USD per PH/day (60, 0.06/TH)',
  },
  {
    kind: 'breakeven',
    what: 'hash price fell below what your rigs cost to run',
    params: `rig efficiency in J/TH (17, 17J/TH); power price in USD per kWh (0.06); pool fee % (default 0); ${REMIND}`,
  },
  { kind: 'slow-blocks', what: 'no block for a while', params: 'minutes (default 60; 90, 1.5h)' },
  { kind: 'new-block', what: 'every new block (noisy)', params: 'none' },
];
