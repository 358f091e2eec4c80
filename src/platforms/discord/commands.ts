/**
 * hashbell's slash commands as typed data (DESIGN.md style 10), apart from their handlers, so the
 * register script and the handlers read one definition. Options are typed with choices and
 * min/max taken from the alert grammar's own ranges (alerting/rule-schema.ts RANGES), so most bad
 * input cannot even be typed in Discord's client; what remains is caught by the one grammar.
 */
import {
  ApplicationCommandOptionType as Opt,
  ApplicationCommandType,
  InteractionContextType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { RANGES } from '../../alerting/rule-schema.ts';
import { DIRECTIONS, HASHRATE_WINDOW_NAMES, LOOKBACK_NAMES, PRICE_WINDOW_NAMES } from '../../domain/types.ts';
import type { RuleKind } from '../../alerting/types.ts';

/** Every alert kind, in the order the help text lists them. */
export const RULE_KINDS: readonly RuleKind[] = [
  'hashrate-drop',
  'hashrate-below',
  'retarget-estimate',
  'retarget',
  'retarget-soon',
  'hashprice-move',
  'hashprice-below',
  'hashprice-above',
  'breakeven',
  'slow-blocks',
  'new-block',
];

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

const num = (
  name: string,
  description: string,
  range: readonly [number, number],
  integer = false,
): APIApplicationCommandBasicOption =>
  integer
    ? { type: Opt.Integer, name, description, min_value: range[0], max_value: range[1] }
    : { type: Opt.Number, name, description, min_value: range[0], max_value: range[1] };

/** The typed rule parameters, one per grammar slot; options.ts turns them into grammar tokens. */
export const PARAM_OPTIONS: readonly APIApplicationCommandBasicOption[] = [
  num('pct', 'Percentage, e.g. 10 for 10 %', RANGES.pct),
  {
    type: Opt.String,
    name: 'window',
    description: 'Window: 1d 3d 7d (hash rate shown) or 24h 7d (hash price)',
    choices: [...new Set([...HASHRATE_WINDOW_NAMES, ...PRICE_WINDOW_NAMES])].map((w) => ({ name: w, value: w })),
  },
  {
    type: Opt.String,
    name: 'lookback',
    description: 'hashrate-drop: compare with the level over the … ending two weeks back',
    choices: LOOKBACK_NAMES.map((w) => ({ name: w, value: w })),
  },
  {
    type: Opt.String,
    name: 'direction',
    description: 'up, down or both',
    choices: DIRECTIONS.map((w) => ({ name: w, value: w })),
  },
  num('ehs', 'hashrate-below: level in EH/s, e.g. 600', RANGES.ehs),
  { ...num('usd', 'hashprice-below/above: level in USD per PH/day, e.g. 45', [0.01, RANGES.usd[1]]) },
  num('jth', 'breakeven: rig efficiency in J/TH, e.g. 17', RANGES.jth),
  num('kwh', 'breakeven: power price in USD per kWh, e.g. 0.06', RANGES.kwh),
  num('poolfee', 'breakeven: pool fee in %, e.g. 2', RANGES.poolfee),
  num('blocks', 'retarget-soon: blocks before the retarget, e.g. 144', RANGES.blocks, true),
  num('minutes', 'slow-blocks: minutes without a block, e.g. 60', RANGES.minutes, true),
];

export const PARAM_NAMES = [
  'pct',
  'window',
  'lookback',
  'direction',
  'ehs',
  'usd',
  'jth',
  'kwh',
  'poolfee',
  'blocks',
  'minutes',
  'remind',
] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Under-water reminder cadence (breakeven, hashprice-below, hashrate-below). */
const REMIND_OPTION: APIApplicationCommandBasicOption = {
  type: Opt.String,
  name: 'remind',
  description: 'While under water, remind me… (default weekly)',
  choices: [
    ['daily', '1d'],
    ['every 3 days', '3d'],
    ['weekly', '1w'],
    ['every 2 weeks', '2w'],
    ['never (off)', 'off'],
  ].map(([name, value]) => ({ name: name!, value: value! })),
};

const param = (name: ParamName): APIApplicationCommandBasicOption => {
  if (name === 'remind') return REMIND_OPTION;
  const o = PARAM_OPTIONS.find((p) => p.name === name);
  if (o === undefined) throw new Error(`no option ${name}`);
  return o;
};

/**
 * Each kind as its own subcommand showing only its options (issue 11): required ones first, as
 * Discord requires, with a description saying what the kind watches.
 */
const KIND_OPTIONS: Readonly<
  Record<RuleKind, readonly [description: string, required: readonly ParamName[], optional: readonly ParamName[]]>
> = {
  'hashrate-drop': ['Hash rate fell pct below its recent peak', ['pct'], ['window', 'lookback']],
  'hashrate-below': ['7-day hash rate below a level (EH/s)', ['ehs'], ['remind']],
  'retarget-estimate': ['Next retarget 90 % likely beyond ±pct', ['pct'], ['direction']],
  retarget: ['Every difficulty retarget, and how your estimates did', [], []],
  'retarget-soon': ['A heads-up some blocks before each retarget', [], ['blocks']],
  'hashprice-move': ['Hash price moved pct within a window', ['pct'], ['window', 'direction']],
  'hashprice-below': ['Hash price below a level (USD per PH/day)', ['usd'], ['remind']],
  'hashprice-above': ['Hash price above a level (USD per PH/day)', ['usd'], []],
  breakeven: ['Hash price below what your rigs cost to run', ['jth', 'kwh'], ['poolfee', 'remind']],
  'slow-blocks': ['No block for some minutes', [], ['minutes']],
  'new-block': ['Every new block (noisy)', [], []],
};

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
