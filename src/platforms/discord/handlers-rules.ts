/**
 * `/alert add|list|remove` and `/preview`: typed options → the one grammar → SubscriptionService.
 */
import type { ChatInputCommandInteraction } from 'discord.js';
import { describeRule } from '../../alerting/describe.ts';
import { parseRule } from '../../alerting/parse.ts';
import type { RuleProblem } from '../../alerting/problems.ts';
import type { RuleKind } from '../../alerting/types.ts';
import { PARAM_NAMES, RULE_KINDS } from './commands.ts';
import {
  deferThen,
  isPersonal,
  problem,
  replyNow,
  targetOrRefuse,
  where,
  type HandlerDeps,
} from './interaction-kit.ts';
import { optionsToTokens, type ParamValues } from './options.ts';
import { previewEmbed, problemText, ruleAddedText, rulesEmbed } from './render.ts';
import { checkDms } from './handlers-settings.ts';

/** The kind and typed parameters of `/alert add` or `/preview`, as grammar tokens. */
function readRule(i: ChatInputCommandInteraction): { kind: RuleKind; tokens: string[] } | { problem: RuleProblem } {
  // Each kind is its own subcommand (`/alert add breakeven …`, `/preview breakeven …`).
  const kindIn = i.options.getSubcommand(true);
  const kind = RULE_KINDS.find((k) => k === kindIn);
  if (kind === undefined) return { problem: { error: 'unknown-kind', params: { token: kindIn.slice(0, 40) } } };
  const values: ParamValues = {};
  for (const name of PARAM_NAMES) {
    const opt = i.options.get(name);
    if (opt?.value !== undefined && opt.value !== null && typeof opt.value !== 'boolean') values[name] = opt.value;
  }
  const tokens = optionsToTokens(kind, values);
  if (!tokens.ok) return { problem: tokens };
  return { kind, tokens: tokens.value };
}

/**
 * `/alert add <kind> …`. Discord has no /start habit: on a chat with no subscription it creates
 * one (DM or channel by `target`, with the permission checks of any change) and says so.
 */
export async function alertAdd(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const rule = readRule(i);
  if ('problem' in rule) return replyNow(i, { content: problemText(rule.problem) });
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  await deferThen(i, isPersonal(target), async () => {
    const r = await deps.service.addRule(target, rule.kind, rule.tokens, deps.nowSec());
    if (r.ok || r.error !== 'not-subscribed')
      return r.ok ? { content: ruleAddedText(r.value, where(target)) } : problem(r);
    const started = await deps.service.start(target, deps.nowSec());
    const again = await deps.service.addRule(target, rule.kind, rule.tokens, deps.nowSec());
    if (!again.ok) return problem(again);
    const n = started.rules.length;
    const head = `👋 Alerts for ${where(target)} were not on yet: they are now, with ${n} default rule${n === 1 ? '' : 's'} (\`/alert list\` shows them; \`/alert remove\` drops any).`;
    const dm = target.targetType === 'user' && i.inGuild() ? await checkDms(deps, target.userId) : '';
    return { content: `${head}\n${ruleAddedText(again.value, where(target))}${dm}` };
  });
}

export async function alertList(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, false);
  if (target === null) return;
  await deferThen(i, isPersonal(target), async () => {
    const [sub, rules] = await Promise.all([deps.service.get(target), deps.service.listRules(target)]);
    return {
      embeds: [rulesEmbed(rules, sub, target.targetType === 'channel' ? 'this channel' : 'your DMs', deps.nowSec())],
    };
  });
}

export async function alertRemove(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  const id = i.options.getString('id', true);
  await deferThen(i, isPersonal(target), async () => {
    const r = await deps.service.removeRule(target, id);
    return r.ok
      ? { content: `🗑️ Removed alert \`${r.value.id}\` (${describeRule(r.value)}) from ${where(target)}.` }
      : problem(r);
  });
}

export async function preview(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const rule = readRule(i);
  if ('problem' in rule) return replyNow(i, { content: problemText(rule.problem, 'preview') });
  await deferThen(i, true, async () => {
    const r = await deps.service.preview(rule.kind, rule.tokens, deps.nowSec());
    if (!r.ok) return problem(r, 'preview');
    // The rule in words, as Telegram's preview titles it: never the grammar's positional tokens.
    const spec = parseRule(rule.kind, rule.tokens);
    return { embeds: [previewEmbed(spec.ok ? describeRule(spec.value) : rule.kind, r.value)] };
  });
}
