/**
 * Typed slash-command options → the words of the one alert grammar (alerting/parse.ts), and who
 * may change what where. Pure functions, so they are unit-tested without Discord.
 */
import { PermissionFlagsBits } from 'discord.js';
import { numberWord } from '../../alerting/parse-tokens.ts';
import type { RuleProblem } from '../../alerting/problems.ts';
import { failWith, ok, type Result } from '../../alerting/result.ts';
import type { RuleKind } from '../../alerting/types.ts';
import type { Target } from '../../subscriptions/service.ts';
import type { ParamName, TargetChoice } from './commands.ts';

/** Which typed options each kind takes, in the grammar's slot order. */
export const KIND_PARAMS: Readonly<Record<RuleKind, readonly ParamName[]>> = {
  'hashrate-drop': ['pct', 'window', 'lookback'],
  'hashrate-below': ['ehs', 'remind'],
  'retarget-estimate': ['pct', 'direction'],
  retarget: [],
  'retarget-soon': ['blocks'],
  'hashprice-move': ['pct', 'window', 'direction'],
  'hashprice-below': ['usd', 'remind'],
  'hashprice-above': ['usd'],
  breakeven: ['jth', 'kwh', 'poolfee', 'remind'],
  'slow-blocks': ['minutes'],
  'new-block': [],
};

export type ParamValues = Partial<Record<ParamName, string | number>>;

export { numberWord };
const ruleErr = failWith<RuleProblem>();

/**
 * The grammar tokens for `kind` with these option values, so `/alert add kind:hashrate-drop
 * pct:10 window:3d` is parsed exactly like Telegram's `/alert hashrate-drop 10% 3d`. Options the
 * kind does not take are an error (not silently dropped: the user meant something by them).
 */
export function optionsToTokens(
  kind: RuleKind,
  values: ParamValues,
): Result<string[], Extract<RuleProblem, { error: 'extra-arg' | 'negative' }>> {
  const takes = KIND_PARAMS[kind];
  const stray = (Object.keys(values) as ParamName[]).filter((k) => values[k] !== undefined && !takes.includes(k));
  if (stray.length > 0)
    return ruleErr('extra-arg', { kind, token: stray.join(', '), what: 'argument', none: false, takes });
  // `pct:-5` is refused with a reason (issue 15), never read as 5 nor as a direction.
  const negative = takes.find((p) => typeof values[p] === 'number' && (values[p] as number) < 0);
  if (negative !== undefined)
    return ruleErr('negative', { kind, token: numberWord(values[negative] as number), param: negative });
  const tokens: string[] = [];
  for (const p of takes) {
    const v = values[p];
    if (v === undefined) {
      // A lookback alone would be read as the window (both are day spans): pin the default window.
      if (p === 'window' && kind === 'hashrate-drop' && values.lookback !== undefined) tokens.push('3d');
      continue;
    }
    if (typeof v === 'number') tokens.push(p === 'pct' || p === 'poolfee' ? `${numberWord(v)}%` : numberWord(v));
    else tokens.push(p === 'remind' ? `remind:${v}` : v);
  }
  return ok(tokens);
}

/** What the invoker's context looks like, as Discord reports it on the interaction. */
export interface InvokerContext {
  readonly userId: string;
  /** Guild channel id, or null in DMs. */
  readonly guildChannelId: string | null;
  /** The member's permissions in this channel (null in DMs). */
  readonly memberPermissions: bigint | null;
  /** The bot's own permissions in this channel (interaction.app_permissions). */
  readonly appPermissions: bigint;
}

/** Discord's own refusals of a `target` (worded in ./problem-words.ts like the core's). */
export type TargetProblem =
  | { readonly error: 'not-in-channel'; readonly params: Readonly<Record<string, never>> }
  | { readonly error: 'needs-manage-channels'; readonly params: Readonly<Record<string, never>> }
  | { readonly error: 'bot-cannot-post'; readonly params: { readonly missing: readonly string[] } };
export type TargetErrorId = TargetProblem['error'];
const targetErr = failWith<TargetProblem>();

/** The bot needs these to deliver alert embeds to a channel. */
export const REQUIRED_BOT_PERMISSIONS: ReadonlyArray<readonly [bigint, string]> = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
];

const has = (perms: bigint | null, bit: bigint): boolean =>
  perms !== null && ((perms & PermissionFlagsBits.Administrator) !== 0n || (perms & bit) === bit);

/**
 * Resolves the `target` option into the subscription a command acts on. Anyone may read a
 * channel's rules; changing them needs Manage Channels (PRODUCT.md §5), and a channel the bot
 * cannot post in is refused up front rather than failing at the first alert.
 */
export function resolveTarget(
  choice: TargetChoice | null,
  ctx: InvokerContext,
  write: boolean,
): Result<Target, TargetProblem> {
  if (choice !== 'channel')
    return ok({ platform: 'discord', targetType: 'user', targetId: ctx.userId, userId: ctx.userId });
  if (ctx.guildChannelId === null) return targetErr('not-in-channel', {});
  if (write && !has(ctx.memberPermissions, PermissionFlagsBits.ManageChannels))
    return targetErr('needs-manage-channels', {});
  const missing = REQUIRED_BOT_PERMISSIONS.filter(([bit]) => !has(ctx.appPermissions, bit)).map(([, name]) => name);
  if (write && missing.length > 0) return targetErr('bot-cannot-post', { missing });
  return ok({ platform: 'discord', targetType: 'channel', targetId: ctx.guildChannelId, userId: ctx.userId });
}
