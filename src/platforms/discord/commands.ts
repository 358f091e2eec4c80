/**
 * hashbell's slash commands as typed data (DESIGN.md style 10), apart from their handlers, so the
 * register script and the handlers read one definition. The alert kinds' subcommands and options
 * come from the kinds' descriptors (alerting/kinds/registry.ts): typed, with choices and min/max
 * taken from the alert grammar's own ranges (alerting/kinds/params.ts), so most bad input cannot
 * even be typed in Discord's client; what remains is caught by the one grammar.
 */
import {
  ApplicationCommandOptionType as Opt,
  ApplicationCommandType,
  InteractionContextType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Param } from '../../alerting/kinds/params.ts';
import type { RuleParam } from '../../alerting/problems.ts';
import { DESCRIPTORS, perKind, RULE_KINDS } from '../../alerting/kinds/registry.ts';
import type { RuleKind } from '../../alerting/types.ts';

/** Every alert kind, in the order the help text lists them (the registry's). */
export { RULE_KINDS };

/** Where a command's settings apply: the invoker's DMs (default) or the channel it was run in. */
export const TARGET_OPTION = 'target';
export type TargetChoice = 'dm' | 'channel';

const target: APIApplicationCommandBasicOption = {
  type: Opt.String,
  name: TARGET_OPTION,
  description: 'Where alerts go: your DMs (default) or this channel',
  choices: [
    { name: 'my DMs', value: 'dm' },
    { name: 'this channel', value: 'channel' },
  ],
};

/** A rule parameter as Discord asks for it: typed, with the grammar's ranges or choices. */
function paramOption(
  p: Param,
  choices: ReadonlyArray<{ name: string; value: string }>,
): APIApplicationCommandBasicOption {
  const { name } = p;
  const { input } = p;
  if (input.type === 'choice')
    return { type: Opt.String, name, description: input.description, choices: choices.map((c) => ({ ...c })) };
  const [min_value, max_value] = input.range;
  return input.type === 'integer'
    ? { type: Opt.Integer, name, description: input.description, min_value, max_value }
    : { type: Opt.Number, name, description: input.description, min_value, max_value };
}

/**
 * One option per parameter name over every registered kind (each kind's subcommand picks its
 * own): the first kind's wording, and for a choice every kind's choices (`window`: the hash-rate
 * windows and the price windows).
 */
function buildParamOptions(): APIApplicationCommandBasicOption[] {
  const byName = new Map<string, { param: Param; choices: Array<{ name: string; value: string }> }>();
  for (const d of DESCRIPTORS)
    for (const p of d.params) {
      const seen = byName.get(p.name) ?? { param: p, choices: [] };
      byName.set(p.name, seen);
      if (p.input.type === 'choice')
        for (const c of p.input.choices) if (!seen.choices.some((x) => x.value === c.value)) seen.choices.push(c);
    }
  return [...byName.values()].map(({ param, choices }) => paramOption(param, choices));
}

/** The typed rule parameters, one per parameter name; options.ts turns them into grammar tokens. */
export const PARAM_OPTIONS: readonly APIApplicationCommandBasicOption[] = buildParamOptions();

/** Every parameter name a kind can take. */
export const PARAM_NAMES: readonly RuleParam[] = [...new Set(DESCRIPTORS.flatMap((d) => d.params.map((p) => p.name)))];
export type ParamName = RuleParam;

const param = (name: ParamName): APIApplicationCommandBasicOption => {
  const o = PARAM_OPTIONS.find((p) => p.name === name);
  if (o === undefined) throw new Error(`no option ${name}`);
  return o;
};

/**
 * Each kind as its own subcommand showing only its options (issue 11): required ones first, as
 * Discord requires, with a description saying what the kind watches — all from its descriptor.
 */
const KIND_OPTIONS: Readonly<
  Record<RuleKind, readonly [description: string, required: readonly ParamName[], optional: readonly ParamName[]]>
> = perKind((d) => [
  d.title,
  d.params.filter((p) => p.slot?.required === true).map((p) => p.name),
  d.params.filter((p) => p.slot?.required !== true).map((p) => p.name),
]);

/** One subcommand per kind, for `/alert add <kind>` (with `target`) and `/preview <kind>`. */
export function kindSubcommands(withTarget: boolean): APIApplicationCommandOption[] {
  return RULE_KINDS.map((k) => {
    const [description, required, optional] = KIND_OPTIONS[k];
    const options: APIApplicationCommandBasicOption[] = [
      ...required.map((n) => ({ ...param(n), required: true }) as APIApplicationCommandBasicOption),
      ...optional.filter((n) => withTarget || n !== 'remind').map(param),
      ...(withTarget ? [target] : []),
    ];
    return sub(k, description, options);
  });
}

function sub(
  name: string,
  description: string,
  options: APIApplicationCommandOption[] = [],
): APIApplicationCommandOption {
  return { type: Opt.Subcommand, name, description, options } as APIApplicationCommandOption;
}

const command = (
  name: string,
  description: string,
  options: APIApplicationCommandOption[] = [],
): RESTPostAPIChatInputApplicationCommandsJSONBody => ({
  type: ApplicationCommandType.ChatInput,
  name,
  description,
  options,
  contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
});

/** The full command set, as PUT to /applications/{id}/commands. */
export const COMMANDS: readonly RESTPostAPIChatInputApplicationCommandsJSONBody[] = [
  command('start', 'Start getting alerts (default rules) in your DMs or this channel', [target]),
  command('help', 'What hashbell does and how to set alerts'),
  command('status', 'Block height, hash rate, next retarget and hash price now'),
  command('retarget', 'The next difficulty retarget: estimate, 90 % interval and ETA'),
  command('hashprice', 'Hash price now (USD and sats per PH/day)'),
  command('alert', 'Manage your alert rules', [
    {
      type: Opt.SubcommandGroup,
      name: 'add',
      description: 'Add an alert rule: pick what to watch',
      options: kindSubcommands(true),
    } as APIApplicationCommandOption,
    sub('list', 'List alert rules with their ids', [target]),
    sub('remove', 'Remove an alert rule by id', [
      {
        type: Opt.String,
        name: 'id',
        description: 'Rule id (see /alert list)',
        required: true,
        autocomplete: true,
        max_length: 12,
      },
      target,
    ]),
  ]),
  command('preview', 'How often a rule would have fired recently', kindSubcommands(false)),
  command('mute', 'Hold alerts for a while (e.g. 6h); they arrive as one digest', [
    {
      type: Opt.String,
      name: 'duration',
      description: 'e.g. 30m, 6h, 2d, 1w',
      required: true,
      max_length: 12,
      autocomplete: true,
    },
    target,
  ]),
  command('unmute', 'Resume alerts now', [target]),
  command('quiet', 'Quiet hours in your time zone', [
    sub('set', 'Hold alerts during these hours every day', [
      { type: Opt.String, name: 'hours', description: 'e.g. 23:00-07:00', required: true, max_length: 13 },
      {
        type: Opt.String,
        name: 'zone',
        description: 'IANA time zone, e.g. Europe/Berlin',
        required: true,
        max_length: 64,
        autocomplete: true,
      },
      target,
    ]),
    sub('off', 'No quiet hours', [target]),
  ]),
  command('stop', 'Forget these alerts and all their rules', [target]),
];
