/**
 * One correct example per kind, as parameter values (not as a command): every platform writes it
 * in its own syntax — Telegram `/alert breakeven 17 0.06 2%`, Discord
 * `/alert add breakeven jth:17 kwh:0.06 poolfee:2`, a rules file `{"kind": "breakeven", "jth": 17, …}`
 * — in its help and under every error reply. One table, so the platforms never disagree; when
 * kind descriptors carry their example, this becomes a view of them.
 */
import type { RuleArgs } from './problems.ts';
import type { RuleKind } from './types.ts';

export const KIND_EXAMPLES: Readonly<Record<RuleKind, RuleArgs>> = {
  'hashrate-drop': { pct: 10, window: '3d', lookback: '30d' },
  'hashrate-below': { ehs: 900 },
  'retarget-estimate': { pct: 5, direction: 'down' },
  retarget: {},
  'retarget-soon': { blocks: 144 },
  'hashprice-move': { pct: 10, window: '24h', direction: 'down' },
  'hashprice-below': { usd: 45 },
  'hashprice-above': { usd: 60 },
  breakeven: { jth: 17, kwh: 0.06, poolfee: 2 },
  'slow-blocks': { minutes: 60 },
  'new-block': {},
};
