/**
 * Every error id of the core (alerting/problems.ts), and Discord's own target checks, in
 * Discord's words and slash-command syntax: `/alert add breakeven jth:17 kwh:0.06 poolfee:2`,
 * `/alert remove id:3`, `/quiet set hours:… zone:…`. Written from the ids and their facts — never
 * by rewriting another platform's sentence — and exhaustive, so a new id does not compile until
 * it is worded here.
 */
import { KIND_EXAMPLES } from '../../alerting/kind-examples.ts';
import { numberWord } from '../../alerting/parse-tokens.ts';
import { remindWord } from '../../alerting/parse.ts';
import type { OwnerNotice, Problem, RuleArgs, RuleParam } from '../../alerting/problems.ts';
import type { RuleKind } from '../../alerting/types.ts';
import { durationRangeWords, KIND_LIST, noneWord, rangeWords, reminderKindWords } from '../problem-facts.ts';
import { PARAM_OPTIONS } from './commands.ts';
import { KIND_PARAMS, type TargetProblem } from './options.ts';

export interface DiscordProblem {
  readonly text: string;
  /** A correct slash command, shown as code under the text. */
  readonly example?: string;
}

export const MUTE_EXAMPLE = '/mute duration:6h';
export const QUIET_EXAMPLE = '/quiet set hours:23:00-07:00 zone:Europe/Berlin';
export const REMOVE_EXAMPLE = '/alert remove id:3';

/** One option as typed in Discord: `jth:17`, `window:3d`, `remind:1w`. */
export function optionWord(param: RuleParam, v: string | number): string {
  if (param === 'remind') return `remind:${typeof v === 'number' ? remindWord(v) : v}`;
  return `${param}:${typeof v === 'number' ? numberWord(v) : v}`;
}

/** `/alert add <kind> name:value …` (or `/preview <kind> …`) for this kind: its table example unless args are given. */
export function discordRule(kind: RuleKind, args: RuleArgs = KIND_EXAMPLES[kind], command = 'alert add'): string {
  const opts = KIND_PARAMS[kind].flatMap((p) => {
    const v = args[p];
    return v === undefined ? [] : [optionWord(p, v)];
  });
  return [`/${command}`, kind, ...opts].join(' ');
}

/** `jth` (breakeven: rig efficiency in J/TH, e.g. 17): the option and its own description. */
function optionName(param: RuleParam): string {
  const d = PARAM_OPTIONS.find((o) => o.name === param)?.description;
  return d === undefined ? `\`${param}\`` : `\`${param}\` (${d.replace(/^[a-z/-]+: /, '')})`;
}

/** The reply for one problem; `command` is where it came from (`preview` examples say /preview). */
export function discordProblem(p: Problem | TargetProblem, command: 'alert' | 'preview' = 'alert'): DiscordProblem {
  const rule = (kind: RuleKind, args?: RuleArgs) =>
    discordRule(kind, args, command === 'preview' ? 'preview' : 'alert add');
  switch (p.error) {
    case 'unknown-kind':
      return {
        text: `I don't know the alert kind "${p.params.token}". Kinds (each its own \`/alert add\` subcommand): ${KIND_LIST.join(', ')}.`,
        example: rule('hashrate-drop'),
      };
    case 'bad-percent':
      return {
        text: `"${p.params.token}" is not a percentage; give \`pct\` as a number like 10.`,
        example: rule(p.params.kind),
      };
    case 'bad-number': {
      const { kind, token, param, why } = p.params;
      return {
        text:
          why === 'no-percent'
            ? `${kind} takes no percentage ("${token}"); give ${optionName(param)}.`
            : `\`${param}\` must be a whole number (you gave ${token}).`,
        example: rule(kind),
      };
    }
    case 'out-of-range':
      if ('command' in p.params)
        return {
          text: `\`duration\` must be ${durationRangeWords(p.params.minSec, p.params.maxSec)}.`,
          example: MUTE_EXAMPLE,
        };
      return {
        text: `\`${p.params.param}\` must be ${rangeWords(p.params.range, p.params.lowExclusive)} (you gave ${p.params.value}).`,
        example: rule(p.params.kind),
      };
    case 'unknown-window': {
      const { kind, token, choices } = p.params;
      const use = choices.map((c) => `\`${c.param}\` ${c.values.join(', ')}`).join(' or ');
      return { text: `"${token}" is not a window for ${kind}; use ${use}.`, example: rule(kind) };
    }
    case 'missing-arg':
      if ('command' in p.params)
        return p.params.command === 'mute'
          ? { text: 'How long? Give `duration` like 6h, 30m, 2d or 1w.', example: MUTE_EXAMPLE }
          : { text: 'Give `hours` like 23:00-07:00 and your `zone`, or use `/quiet off`.', example: QUIET_EXAMPLE };
      return { text: `${p.params.kind} needs ${optionName(p.params.param)}.`, example: rule(p.params.kind) };
    case 'extra-arg': {
      if ('command' in p.params)
        return p.params.off
          ? { text: '`/quiet off` takes nothing more.', example: '/quiet off' }
          : { text: `Too many words in \`hours\`/\`zone\`: "${p.params.token}".`, example: QUIET_EXAMPLE };
      const { kind, token, what, none, takes } = p.params;
      const example = rule(kind);
      if (takes !== undefined) {
        const many = token.includes(',');
        const it = takes.length === 0 ? 'no options' : takes.join(', ');
        return { text: `${token} ${many ? 'do' : 'does'} not apply to ${kind}; it takes ${it}.`, example };
      }
      if (what === 'reminder')
        return { text: `${kind} has no reminders ("${token}"); ${reminderKindWords()} do.`, example };
      const opt = (KIND_PARAMS[kind] as readonly string[]).includes(what) ? `\`${what}\`` : what;
      return none
        ? { text: `${kind} takes no ${what === 'argument' ? 'options' : noneWord(what)} ("${token}").`, example }
        : { text: `"${token}" is one ${opt} too many for ${kind}.`, example };
    }
    case 'unknown-arg':
      return { text: `I don't understand "${p.params.token}" for ${p.params.kind}.`, example: rule(p.params.kind) };
    case 'negative': {
      const { kind, token, param } = p.params;
      if (param === undefined) {
        const fee = kind === 'breakeven' ? ' (`poolfee` is 0 or more)' : '';
        return { text: `"${token}" is negative: ${kind} takes no negative amounts${fee}.`, example: rule(kind) };
      }
      const fall =
        param === 'pct' && KIND_PARAMS[kind].includes('direction') ? ' (use `direction:down` for a fall)' : '';
      return { text: `${param}:${token} is negative; \`${param}\` is 0 or more${fall}.`, example: rule(kind) };
    }
    case 'implausible': {
      const { kind, token, unit, likelyUnit, meant, args } = p.params;
      return {
        text: `${token} ${unit} looks like ${likelyUnit}: did you mean ${meant} ${unit}? Nothing was added yet.`,
        example: rule(kind, args),
      };
    }
    case 'bad-remind':
      return {
        text: `"${p.params.token}" is not a reminder cadence; pick \`remind\` from its list (daily … never).`,
        example: rule(p.params.kind, { ...KIND_EXAMPLES[p.params.kind], remind: '3d' }),
      };
    case 'bad-duration':
      return { text: `"${p.params.token}" is not a duration; write it like 6h, 30m, 2d or 1w.`, example: MUTE_EXAMPLE };
    case 'bad-quiet':
      return p.params.why === 'same'
        ? { text: 'Quiet hours must start and end at different times.', example: QUIET_EXAMPLE }
        : {
            text: `"${p.params.token}" is not a time range; write \`hours\` like 23:00-07:00.`,
            example: QUIET_EXAMPLE,
          };
    case 'unknown-zone':
      return {
        text: `"${p.params.token}" is not a time zone I know; pick \`zone\` from its suggestions, an IANA name like Europe/Berlin or America/New_York.`,
        example: QUIET_EXAMPLE,
      };
    case 'not-subscribed':
      // Discord has no /start habit (issue 11): `/alert add` turns alerts on by itself.
      return {
        text: 'Alerts are not on here yet: add one with `/alert add`, which turns them on (with the default rules).',
        example: discordRule('retarget'),
      };
    case 'too-many-rules':
      return { text: `At most ${p.params.max} alerts per DM or channel; remove one first.`, example: REMOVE_EXAMPLE };
    case 'bad-rule-id':
      return { text: `"${p.params.token}" is not an alert id; \`/alert list\` shows them.`, example: REMOVE_EXAMPLE };
    case 'unknown-rule':
      return { text: `There is no alert ${p.params.id} here; \`/alert list\` shows them.`, example: REMOVE_EXAMPLE };
    case 'no-history':
      return { text: 'There is no chain history to preview against yet; try again in a few minutes.' };
    case 'not-in-channel':
      return {
        text: 'Channel alerts work in a server channel; here in DMs, leave `target` at "my DMs".',
        example: '/alert list',
      };
    case 'needs-manage-channels':
      return {
        text: 'Only members with the Manage Channels permission can change this channel’s alerts. Anyone can read them with `/alert list target:this channel`; your own alerts go to your DMs.',
        example: '/alert list target:this channel',
      };
    case 'bot-cannot-post':
      return {
        text: `I can't post alerts in this channel: I lack ${p.params.missing.join(', ')}. Ask an admin to grant me View Channel, Send Messages and Embed Links here.`,
      };
  }
}

/** An out-of-band notice to a channel's owner (Notifier.tellOwner), in Discord's words. */
export function discordOwnerNotice(n: OwnerNotice): string {
  switch (n.notice) {
    case 'delivery-paused':
      return `I could not deliver alerts there (${n.params.reason}); they are paused until \`/start\` is run in that channel again.`;
  }
}
