/**
 * Every error id of the core (alerting/problems.ts) in Telegram's words and syntax: what was
 * wrong, and a correct command to copy (`/alert breakeven 17 0.06 2%`, `/remove 3`). The switch
 * is exhaustive, so a new id does not compile until it is worded here.
 */
import { KIND_EXAMPLES } from '../../alerting/kind-examples.ts';
import { grammarTokens } from '../../alerting/parse.ts';
import type { OwnerNotice, Problem, RuleArgs, RuleParam } from '../../alerting/problems.ts';
import type { RuleKind } from '../../alerting/types.ts';
import { durationRangeWords, KIND_LIST, noneWord, rangeWords, reminderKindWords } from '../problem-facts.ts';

export interface TelegramProblem {
  readonly text: string;
  /** A correct command, shown as code under the text. */
  readonly example?: string;
  /** A likely-meant rule to offer as a button (`add:<kind> <tokens>`) and its label words. */
  readonly offer?: { readonly data: string; readonly words: string };
}

export const MUTE_EXAMPLE = '/mute 6h';
export const QUIET_EXAMPLE = '/quiet 23:00-07:00 Europe/Berlin';
export const REMOVE_EXAMPLE = '/remove 3';

/** `/alert <kind> <args>` (or `/preview …`) for this kind: its table example unless args are given. */
export function telegramRule(kind: RuleKind, args: RuleArgs = KIND_EXAMPLES[kind], command = 'alert'): string {
  return [`/${command}`, kind, ...grammarTokens(kind, args)].join(' ');
}

/** What one more of a parameter is called in "one … too many". */
const NOUN: Readonly<Record<RuleParam, string>> = {
  pct: 'percentage',
  poolfee: 'pool fee',
  window: 'window',
  lookback: 'lookback',
  direction: 'direction',
  ehs: 'hash-rate level',
  usd: 'price level',
  jth: 'efficiency',
  kwh: 'power price',
  blocks: 'block count',
  minutes: 'number of minutes',
  remind: 'reminder',
};
const noun = (what: string): string => NOUN[what as RuleParam] ?? what;

/** A parameter in words with an example value from the kind's example (`a level in USD per PH/day like 60`). */
function paramWords(kind: RuleKind, param: RuleParam): string {
  const ex = KIND_EXAMPLES[kind][param];
  const like = (fallback: string | number, unit = '') => ` like ${String(ex ?? fallback)}${unit}`;
  switch (param) {
    case 'pct':
      return `a percentage${like(10, '%')}`;
    case 'poolfee':
      return `a pool fee${like(2, '%')}`;
    case 'window':
      return 'a window (see /help)';
    case 'lookback':
      return 'a lookback (7d, 14d, 30d or 90d)';
    case 'direction':
      return 'a direction (up, down or both)';
    case 'ehs':
      return `a hash rate in EH/s${like(600)}`;
    case 'usd':
      return `a level in USD per PH/day${like(45)}`;
    case 'jth':
      return `your rigs’ efficiency in J/TH${like(17)}`;
    case 'kwh':
      return `your power price in USD per kWh${like(0.06)}`;
    case 'blocks':
      return `a number of blocks${like(144)}`;
    case 'minutes':
      return `minutes${like(60)}`;
    case 'remind':
      return 'a reminder cadence like remind:1w';
  }
}

/** The reply for one problem; `command` is where it came from (`preview` examples say /preview). */
export function telegramProblem(p: Problem, command: 'alert' | 'preview' = 'alert'): TelegramProblem {
  const rule = (kind: RuleKind) => telegramRule(kind, KIND_EXAMPLES[kind], command);
  switch (p.error) {
    case 'unknown-kind':
      return {
        text: `I don't know the alert kind "${p.params.token}". Kinds: ${KIND_LIST.join(', ')}.`,
        example: rule('hashrate-drop'),
      };
    case 'bad-percent':
      return {
        text: `"${p.params.token}" is not a percentage; write it like 10% or 10.`,
        example: rule(p.params.kind),
      };
    case 'bad-number': {
      const { kind, token, param, why } = p.params;
      return {
        text:
          why === 'no-percent'
            ? `${kind} takes no percentage ("${token}"); give ${paramWords(kind, param)}.`
            : `${param} must be a whole number (you gave ${token}).`,
        example: rule(kind),
      };
    }
    case 'out-of-range':
      if ('command' in p.params) {
        return {
          text: `A duration must be ${durationRangeWords(p.params.minSec, p.params.maxSec)}.`,
          example: MUTE_EXAMPLE,
        };
      }
      return {
        text: `${p.params.param} must be ${rangeWords(p.params.range, p.params.lowExclusive)} (you gave ${p.params.value}).`,
        example: rule(p.params.kind),
      };
    case 'unknown-window': {
      const { kind, token, choices } = p.params;
      const use = choices.map((c) => `a ${c.param} (${c.values.join(', ')})`).join(' or ');
      return { text: `"${token}" is not a window for ${kind}; use ${use}.`, example: rule(kind) };
    }
    case 'missing-arg':
      if ('command' in p.params) {
        return p.params.command === 'mute'
          ? { text: 'How long? Give a duration like 6h, 30m, 2d or 1w.', example: MUTE_EXAMPLE }
          : { text: 'Give quiet hours like 23:00-07:00 and your time zone, or "off".', example: QUIET_EXAMPLE };
      }
      return {
        text: `${p.params.kind} needs ${paramWords(p.params.kind, p.params.param)}.`,
        example: rule(p.params.kind),
      };
    case 'extra-arg': {
      if ('command' in p.params) {
        return p.params.off
          ? { text: '"quiet off" takes nothing more.', example: '/quiet off' }
          : { text: `Too many words after quiet: "${p.params.token}".`, example: QUIET_EXAMPLE };
      }
      const { kind, token, what, none, takes } = p.params;
      const example = rule(kind);
      if (takes !== undefined)
        return { text: `${token} does not apply to ${kind}; it takes ${takes.join(', ') || 'nothing more'}.`, example };
      if (what === 'reminder')
        return { text: `${kind} has no reminders ("${token}"); ${reminderKindWords()} do.`, example };
      return none
        ? { text: `${kind} takes no ${noneWord(what)} ("${token}").`, example }
        : { text: `"${token}" is one ${noun(what)} too many for ${kind}.`, example };
    }
    case 'unknown-arg':
      return { text: `I don't understand "${p.params.token}" for ${p.params.kind}.`, example: rule(p.params.kind) };
    case 'negative': {
      const { kind, token } = p.params;
      const fee = kind === 'breakeven' ? ' (a pool fee is 0 % or more)' : '';
      return { text: `"${token}" is negative: ${kind} takes no negative amounts${fee}.`, example: rule(kind) };
    }
    case 'implausible': {
      const { kind, token, param, unit, likelyUnit, meant, args } = p.params;
      const tokens = grammarTokens(kind, args, new Set([param]));
      return {
        text: `${token} ${unit} looks like ${likelyUnit}: did you mean ${meant} ${unit}? Nothing was added yet.`,
        example: [`/${command}`, kind, ...tokens].join(' '),
        offer: { data: `add:${[kind, ...tokens].join(' ')}`, words: `${meant} ${unit}` },
      };
    }
    case 'bad-remind':
      return {
        text: `"${p.params.token}" is not a reminder cadence; write remind:1w, remind:3d, remind:12h or remind:off.`,
        example: `${rule(p.params.kind)} remind:3d`,
      };
    case 'bad-duration':
      return { text: `"${p.params.token}" is not a duration; write it like 6h, 30m, 2d or 1w.`, example: MUTE_EXAMPLE };
    case 'bad-quiet':
      return p.params.why === 'same'
        ? { text: 'Quiet hours must start and end at different times.', example: QUIET_EXAMPLE }
        : { text: `"${p.params.token}" is not a time range; write it like 23:00-07:00.`, example: QUIET_EXAMPLE };
    case 'unknown-zone':
      return {
        text: `"${p.params.token}" is not a time zone I know; use an IANA name like Europe/Berlin or America/New_York.`,
        example: p.params.command === 'timezone' ? '/timezone Europe/Berlin' : QUIET_EXAMPLE,
      };
    case 'not-subscribed':
      return { text: 'This chat has no alerts yet: send /start first.', example: '/start' };
    case 'too-many-rules':
      return { text: `A chat can have at most ${p.params.max} alerts; remove one first.`, example: REMOVE_EXAMPLE };
    case 'bad-rule-id':
      return { text: `"${p.params.token}" is not an alert id; /alerts lists them.`, example: REMOVE_EXAMPLE };
    case 'unknown-rule':
      return { text: `There is no alert ${p.params.id} here; /alerts lists them.`, example: REMOVE_EXAMPLE };
    case 'no-history':
      return { text: 'There is no chain history to preview against yet; try again in a few minutes.' };
  }
}

/** An out-of-band notice to a chat's owner (Notifier.tellOwner), in Telegram's words. */
export function telegramOwnerNotice(n: OwnerNotice): string {
  switch (n.notice) {
    case 'delivery-paused':
      return `I could not deliver alerts here (${n.params.reason}); alerts are paused until you /start again.`;
  }
}
