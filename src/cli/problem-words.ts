/**
 * The rule-grammar error ids (alerting/problems.ts) in the console's words, for rules files
 * (`replay --rules`): parameters as JSON keys, and an example rule in the file's own syntax
 * (`{"id": "b", "kind": "breakeven", "jth": 17, "kwh": 0.06, "poolfee": 2}`), never a chat command.
 */
import { KIND_EXAMPLES } from '../alerting/kind-examples.ts';
import { grammarTokens, remindWord } from '../alerting/parse.ts';
import { RANGES } from '../alerting/rule-schema.ts';
import type { RuleArgs, RuleProblem } from '../alerting/problems.ts';
import type { RuleKind } from '../alerting/types.ts';
import { KIND_LIST, noneWord, rangeWords, reminderKindWords } from '../platforms/problem-facts.ts';

/** One rule as a rules-file line: `{"id": "<id>", "kind": "<kind>", …params}`. */
export function consoleRule(kind: RuleKind, args: RuleArgs = KIND_EXAMPLES[kind], id = 'r1'): string {
  const params = Object.entries(args).map(
    ([k, v]) => `"${k}": ${JSON.stringify(k === 'remind' && typeof v === 'number' ? remindWord(v) : v)}`,
  );
  return `{${[`"id": ${JSON.stringify(id)}`, `"kind": "${kind}"`, ...params].join(', ')}}`;
}

export interface ConsoleProblem {
  readonly text: string;
  readonly example?: string;
}

/** The reason for one refused rule, and a correct rule of that kind. */
export function consoleProblem(p: RuleProblem, id = 'r1'): ConsoleProblem {
  if (p.error === 'unknown-kind')
    return {
      text: `unknown kind "${p.params.token}" (kinds: ${KIND_LIST.join(', ')})`,
      example: consoleRule('retarget', {}, id),
    };
  const example = consoleRule(p.params.kind, undefined, id);
  const kind = p.params.kind;
  switch (p.error) {
    case 'bad-percent':
      return { text: `"${p.params.token}" is not a percentage (write 10 or "10%")`, example };
    case 'bad-number':
      return p.params.why === 'no-percent'
        ? { text: `${kind} takes no percentage ("${p.params.token}"); "${p.params.param}" is a plain number`, example }
        : { text: `"${p.params.param}" must be a whole number (you gave ${p.params.token})`, example };
    case 'out-of-range':
      return {
        text: `"${p.params.param}" must be ${rangeWords(p.params.range, p.params.lowExclusive)} (you gave ${p.params.value})`,
        example,
      };
    case 'unknown-window':
      return {
        text: `"${p.params.token}" is not a window for ${kind} (${p.params.choices.map((c) => `"${c.param}": ${c.values.join(', ')}`).join('; ')})`,
        example,
      };
    case 'missing-arg':
      return { text: `missing "${p.params.param}" for kind ${kind}`, example };
    case 'extra-arg': {
      const { token, what, none, takes } = p.params;
      if (takes !== undefined) {
        const names = token
          .split(', ')
          .map((k) => `"${k}"`)
          .join(', ');
        const it = takes.length === 0 ? 'no parameters' : takes.join(', ');
        return { text: `unknown parameter ${names} for kind ${kind} (it takes ${it})`, example };
      }
      if (what === 'reminder') return { text: `${kind} has no "remind" (${reminderKindWords()} do)`, example };
      return none
        ? { text: `${kind} takes no ${noneWord(what)} ("${token}")`, example }
        : { text: `"${token}" is one ${what} too many for ${kind}`, example };
    }
    case 'unknown-arg':
      return { text: `"${p.params.token}" means nothing for ${kind}`, example };
    case 'negative':
      return { text: `"${p.params.token}" is negative: ${kind} takes no negative amounts`, example };
    case 'implausible': {
      // A file cannot be asked: say the conversion, and how to keep the number as written.
      const { token, unit, likelyUnit, meant, param } = p.params;
      const asIs = Number(token);
      const [lo, hi] = RANGES[param];
      const keep = asIs > lo && asIs <= hi ? grammarTokens(kind, { [param]: asIs }, new Set([param]))[0] : undefined;
      const hint = keep === undefined ? '' : ` (to keep ${token} ${unit}, give its unit: "${param}": "${keep}")`;
      return {
        text: `"${param}": ${token} ${unit} looks like ${likelyUnit}: did you mean ${meant} ${unit}?${hint}`,
        example: consoleRule(kind, p.params.args, id),
      };
    }
    case 'bad-remind':
      return { text: `"${p.params.token}" is not a reminder cadence (write "1w", "3d", "12h" or "off")`, example };
  }
}
