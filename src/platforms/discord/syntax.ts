/**
 * The core speaks in Telegram's words (`/alert breakeven 17 0.06 2%`, `/remove 3`); Discord users
 * type slash commands with options. This turns every command the core names — in an example or
 * inside a message — into Discord's own syntax (`/alert add breakeven jth:17 kwh:0.06 poolfee:2`),
 * by parsing it with the one grammar, so a Discord reply never shows a command that cannot be
 * typed there.
 */
import { parseRule } from '../../alerting/parse.ts';
import type { RuleSpec } from '../../alerting/types.ts';
import { numberWord, KIND_PARAMS } from './options.ts';

function options(spec: RuleSpec): string {
  const rec = spec as unknown as Record<string, string | number | undefined>;
  const out: string[] = [];
  for (const p of KIND_PARAMS[spec.kind]) {
    const v = rec[p];
    if (v === undefined) continue;
    // Defaults the user did not type stay out of the example.
    if ((p === 'poolfee' && v === 0) || (p === 'direction' && v === 'both' && spec.kind !== 'retarget-estimate'))
      continue;
    if (p === 'remind')
      out.push(`remind:${typeof v === 'number' ? (v === 0 ? 'off' : `${Math.round(v / 86_400)}d`) : v}`);
    else out.push(`${p}:${typeof v === 'number' ? numberWord(v) : v}`);
  }
  return out.length === 0 ? '' : ` ${out.join(' ')}`;
}

/** One command line in Discord's syntax; unknown commands pass through unchanged. */
export function discordCommand(line: string): string {
  const [cmd = '', ...args] = line.trim().split(/\s+/);
  switch (cmd) {
    case '/alert':
    case '/preview': {
      const [kind = '', ...rest] = args;
      const r = parseRule(kind, rest);
      const head = cmd === '/alert' ? '/alert add' : '/preview';
      return r.ok ? `${head} ${r.value.kind}${options(r.value)}` : `${head} ${kind}`;
    }
    case '/remove':
      return `/alert remove id:${args[0] ?? '3'}`;
    case '/alerts':
      return '/alert list';
    case '/mute':
      return `/mute duration:${args[0] ?? '6h'}`;
    case '/quiet':
      return args[0] === 'off'
        ? '/quiet off'
        : `/quiet set hours:${args[0] ?? '23:00-07:00'} zone:${args[1] ?? 'Europe/Berlin'}`;
    default:
      return line;
  }
}

/** A message with the core's command words replaced by Discord's (`/alerts lists them` → `/alert list`). */
export function discordWords(text: string): string {
  return text
    .replace(/(^|[\s(])\/alerts\b/g, '$1`/alert list`')
    .replace(/`(\/[a-z-]+[^`]*)`/g, (_m, c: string) => `\`${discordCommand(c)}\``);
}
