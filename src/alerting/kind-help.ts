/**
 * Every alert kind in words: what it watches and its parameters (with units and defaults).
 * Platform-neutral: each platform's help prints these with the kind's example (kind-examples.ts)
 * in its own syntax, so the two never disagree.
 */
import { DESCRIPTORS } from './kinds/registry.ts';
import type { RuleKind } from './types.ts';

export interface KindHelp {
  readonly kind: RuleKind;
  /** What it tells you, one line. */
  readonly what: string;
  /** Parameters in words, in the grammar's order. */
  readonly params: string;
}

/** Read from the kinds' descriptors (kinds/registry.ts): a registered kind is in every help. */
export const KIND_HELP: readonly KindHelp[] = DESCRIPTORS.map((d) => ({
  kind: d.kind,
  what: d.what,
  params: d.params.length === 0 ? 'none' : d.params.map((p) => p.help).join('; '),
}));
