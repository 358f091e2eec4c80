/**
 * The bot's commands as data (DESIGN.md style 10): one table feeds `setMyCommands` (the menu
 * users see when typing "/"), `/help`, and the group permission check, so they can't drift apart.
 */

export interface CommandDef {
  /** Bot API rules: 1–32 characters of [a-z0-9_]. */
  readonly command: string;
  /** Menu text, 1–256 characters. */
  readonly description: string;
  /** Arguments, as shown in /help. */
  readonly usage: string;
  readonly examples: readonly string[];
  /** True when the command changes this chat's alerts: administrators only in groups. */
  readonly changes: boolean;
}

export const COMMANDS: readonly CommandDef[] = [
  {
    command: 'start',
    description: 'Subscribe this chat with a sensible default set of alerts',
    usage: '',
    examples: ['/start'],
    changes: true,
  },
  { command: 'help', description: 'Commands and examples', usage: '', examples: ['/help'], changes: false },
  {
    command: 'status',
    description: 'Hash rate, difficulty and hash price now, with 90 % intervals',
    usage: '',
    examples: ['/status'],
    changes: false,
  },
  {
    command: 'retarget',
    description: 'The next difficulty adjustment: estimate, interval, date',
    usage: '',
    examples: ['/retarget'],
    changes: false,
  },
  {
    command: 'hashprice',
    description: 'Hash price in $/PH/day and sats/PH/day',
    usage: '',
    examples: ['/hashprice'],
    changes: false,
  },
  {
    command: 'alert',
    description: 'Add an alert with your own threshold',
    usage: '<kind> <params>',
    examples: [
      '/alert hashrate-drop 10% 3d',
      '/alert breakeven 17 0.06 2%',
      '/alert hashprice-below 45',
      '/alert retarget-estimate 5% down',
      '/alert slow-blocks 60',
    ],
    changes: true,
  },
  {
    command: 'alerts',
    description: 'List this chat’s alerts with their ids',
    usage: '',
    examples: ['/alerts'],
    changes: false,
  },
  { command: 'remove', description: 'Remove an alert by id', usage: '<id>', examples: ['/remove 3'], changes: true },
  {
    command: 'mute',
    description: 'Hold alerts for a while',
    usage: '<duration>',
    examples: ['/mute 6h', '/mute 2d'],
    changes: true,
  },
  { command: 'unmute', description: 'Resume alerts now', usage: '', examples: ['/unmute'], changes: true },
  {
    command: 'quiet',
    description: 'Quiet hours in your time zone (held alerts arrive as one digest)',
    usage: '<HH:MM-HH:MM> <zone> | off',
    examples: ['/quiet 23:00-07:00 Europe/Berlin', '/quiet off'],
    changes: true,
  },
  {
    command: 'timezone',
    description: 'Your time zone for alert times and quiet hours',
    usage: '<zone>',
    examples: ['/timezone Europe/Berlin'],
    changes: true,
  },
  {
    command: 'preview',
    description: 'How often an alert would have fired recently',
    usage: '<kind> <params>',
    examples: ['/preview hashrate-drop 10% 3d'],
    changes: false,
  },
  {
    command: 'stop',
    description: 'Forget this chat and all its alerts',
    usage: '',
    examples: ['/stop'],
    changes: true,
  },
];

export const COMMAND_BY_NAME: ReadonlyMap<string, CommandDef> = new Map(COMMANDS.map((c) => [c.command, c]));

/** The `setMyCommands` payload. */
export function menuCommands(): Array<{ command: string; description: string }> {
  return COMMANDS.map(({ command, description }) => ({ command, description }));
}

/**
 * Rules offered as buttons under /start: common additions beyond the default set. Callback data
 * is `add:<kind> <params>` (Telegram allows 64 bytes).
 */
export const QUICK_RULES: ReadonlyArray<{ readonly label: string; readonly args: string }> = [
  { label: '⏰ 1 day before each retarget', args: 'retarget-soon 144' },
  { label: '💰 Hash price ±10 % in 24h', args: 'hashprice-move 10% 24h both' },
  { label: '🐢 No block for 60 min', args: 'slow-blocks 60' },
  { label: '📉 Hash rate −5 % (1d)', args: 'hashrate-drop 5% 1d' },
];
