/**
 * One correct example per kind, as parameter values (not as a command): every platform writes it
 * in its own syntax — Telegram `/alert breakeven 17 0.06 2%`, Discord
 * `/alert add breakeven jth:17 kwh:0.06 poolfee:2`, a rules file `{"kind": "breakeven", "jth": 17, …}`
 * — in its help and under every error reply, so the platforms never disagree.
 *
 * The examples are written once, in the grammar's own words (what a kind descriptor's `example`
 * holds), and read through the grammar itself: an example that does not parse fails at load.
 */
import { parseRule } from './parse.ts';
import type { RuleArgs } from './problems.ts';
import type { RuleKind } from './types.ts';

/** The words after the kind; '' for none. */
const GRAMMAR_EXAMPLES: Readonly<Record<RuleKind, string>> = {
  'hashrate-drop': '10% 3d',
  'hashrate-below': '900EH/s',
  'retarget-estimate': '5% down',
  retarget: '',
  'retarget-soon': '144',
  'hashprice-move': '10% 24h down',
  'hashprice-below': '45',
  'hashprice-above': '60',
  breakeven: '17 0.06 2%',
  'slow-blocks': '60',
  'new-block': '',
};

function argsOf(kind: RuleKind, words: string): RuleArgs {
  const r = parseRule(
    kind,
    words.split(' ').filter((w) => w !== ''),
  );
  if (!r.ok) throw new Error(`the example for ${kind} ("${words}") does not parse: ${r.error}`);
  const { kind: _kind, ...args } = r.value;
  return args as RuleArgs;
}

/** Each kind's example, as the values it stands for (defaults the grammar fills in included). */
export const KIND_EXAMPLES: Readonly<Record<RuleKind, RuleArgs>> = Object.fromEntries(
  (Object.keys(GRAMMAR_EXAMPLES) as RuleKind[]).map((k) => [k, argsOf(k, GRAMMAR_EXAMPLES[k])]),
) as Record<RuleKind, RuleArgs>;
