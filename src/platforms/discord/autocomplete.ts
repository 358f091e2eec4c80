/**
 * Autocomplete (interaction type 4): rule ids for `/alert remove`, durations for `/mute`, IANA
 * zones for `/quiet set`. Autocomplete cannot be deferred, so each answer is one quick read,
 * raced against a deadline well inside Discord's 3 seconds.
 */
import type { AutocompleteInteraction } from 'discord.js';
import { describeRule } from '../../alerting/describe.ts';
import { clip } from './embed-limits.ts';
import { invokerContext, targetChoice, type HandlerDeps } from './interaction-kit.ts';
import { resolveTarget } from './options.ts';

export interface Choice {
  readonly name: string;
  readonly value: string;
}

const MAX_CHOICES = 25;
const DURATIONS = ['30m', '1h', '2h', '6h', '12h', '1d', '2d', '3d', '1w'];
const allZones = (): readonly string[] => Intl.supportedValuesOf('timeZone');

/** Matching choices for a typed prefix/fragment, best (prefix) matches first. */
export function matchChoices(typed: string, options: readonly Choice[]): Choice[] {
  const q = typed.trim().toLowerCase();
  const prefix = options.filter((o) => o.value.toLowerCase().startsWith(q) || o.name.toLowerCase().startsWith(q));
  const inner = options.filter((o) => !prefix.includes(o) && o.name.toLowerCase().includes(q));
  return [...prefix, ...inner]
    .slice(0, MAX_CHOICES)
    .map((o) => ({ name: clip(o.name, 100), value: clip(o.value, 100) }));
}

async function ruleChoices(i: AutocompleteInteraction, deps: HandlerDeps): Promise<Choice[]> {
  const t = resolveTarget(targetChoice(i), invokerContext(i), false);
  if (!t.ok) return [];
  let timer: NodeJS.Timeout | undefined;
  const rules = await Promise.race([
    deps.service.listRules(t.value),
    new Promise<never[]>((r) => {
      timer = setTimeout(() => r([]), 2000);
    }),
  ])
    .catch((e: unknown) => {
      // No suggestions beats no answer: the member can still type the id.
      deps.logger.warn({ err: e }, 'autocomplete: could not list rules');
      return [];
    })
    .finally(() => clearTimeout(timer));
  return rules.map((r) => ({ name: `${r.id}: ${describeRule(r)}`, value: r.id }));
}

export async function autocomplete(i: AutocompleteInteraction, deps: HandlerDeps): Promise<void> {
  const focused = i.options.getFocused(true);
  let options: Choice[] = [];
  if (i.commandName === 'alert' && focused.name === 'id') options = await ruleChoices(i, deps);
  else if (focused.name === 'duration') options = DURATIONS.map((d) => ({ name: d, value: d }));
  else if (focused.name === 'zone') options = allZones().map((z) => ({ name: z, value: z }));
  await i.respond(matchChoices(String(focused.value), options));
}
