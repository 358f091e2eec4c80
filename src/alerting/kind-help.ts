/**
 * Every alert kind in words: what it watches, its parameters (with units and defaults) and the
 * example arguments. Platform-neutral: Telegram's /help prints `/alert <kind> <args>`, Discord
 * its own option syntax, from this one table, so the two never disagree. Read from the kinds'
 * descriptors (kinds/registry.ts): a registered kind is in /help on every platform.
 */
import { DESCRIPTORS } from './kinds/registry.ts';
import type { RuleKind } from './types.ts';

export interface KindHelp {
  readonly kind: RuleKind;
  /** What it tells you, one line. */
  readonly what: string;
  /** Parameters in words, in the grammar's order. */
  readonly params: string;
  /** Example arguments after the kind (Telegram words). */
  readonly example: string;
}

export const KIND_HELP: readonly KindHelp[] = DESCRIPTORS.map((d) => ({
  kind: d.kind,
  what: d.what,
  params: d.params.length === 0 ? 'none' : d.params.map((p) => p.help).join('; '),
  example: d.example,
}));
