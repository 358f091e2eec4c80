/**
 * Which picture goes with which message, decided once here so Telegram and Discord attach the
 * same chart to the same alert: the chart that shows what the (first charted) alert talks about.
 */
import { perKind } from '../alerting/kinds/registry.ts';
import type { RuleKind } from '../alerting/types.ts';
import type { ChartKind } from './types.ts';

/** Each kind's picture, from its descriptor (a late block or every new block: none). */
const BY_RULE: Readonly<Record<RuleKind, ChartKind | null>> = perKind((d) => d.chart);

/** The chart for a message carrying these alert kinds (in message order); null for none. */
export function chartForAlerts(kinds: readonly RuleKind[]): ChartKind | null {
  for (const k of kinds) {
    const c = BY_RULE[k];
    if (c) return c;
  }
  return null;
}

/** The chart for a chat command's reply: `status` → hash rate, `retarget`, `hashprice`. */
export function chartForCommand(command: string): ChartKind | null {
  if (command === 'status') return 'hashrate';
  if (command === 'retarget' || command === 'hashprice') return command;
  return null;
}
