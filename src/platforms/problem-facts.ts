/**
 * The few platform-neutral phrases every platform's problem wording shares (a range, the list of
 * kinds, a duration span). Commands and examples are never here: each platform writes its own
 * (telegram/problem-words.ts, discord/problem-words.ts, cli/problem-words.ts).
 */
import { KIND_EXAMPLES } from '../alerting/kind-examples.ts';
import { REMINDER_KINDS, type RuleKind } from '../alerting/types.ts';
import { fmtDuration } from './format.ts';

/** Every kind, in the order help texts list them. */
export const KIND_LIST: readonly RuleKind[] = Object.keys(KIND_EXAMPLES) as RuleKind[];

/** "between 0.5 and 90" / "above 0 and at most 1000000". */
export function rangeWords(range: readonly [number, number], lowExclusive: boolean): string {
  const [lo, hi] = range;
  return lowExclusive ? `above ${lo} and at most ${hi}` : `between ${lo} and ${hi}`;
}

/** "between 1 min and 30 d". */
export const durationRangeWords = (minSec: number, maxSec: number): string =>
  `between ${fmtDuration(minSec)} and ${fmtDuration(maxSec)}`;

/** "breakeven, hashprice-below and hashrate-below": the kinds that remind while under water. */
export function reminderKindWords(): string {
  const kinds = KIND_LIST.filter((k) => REMINDER_KINDS.has(k)).sort();
  return kinds.length < 2 ? kinds.join('') : `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)!}`;
}

/** "window", "arguments", … — what a kind takes none of. */
export function noneWord(what: string): string {
  return what === 'argument' ? 'arguments' : what;
}
