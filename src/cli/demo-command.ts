/**
 * `npm run demo`: the first thing a newcomer sees. Replays the committed 2025–26 chain with the
 * rules a new subscriber gets by default and prints what that subscriber would have received, as
 * chat messages, then a short summary. No tokens, no network, no Redis.
 */
import { describeRule } from '../alerting/describe.ts';
import type { AlertEvent, Rule } from '../alerting/types.ts';
import { hpsToEhs } from '../domain/hashrate.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { readBlocksFile } from '../sources/replay/blocks-file.ts';
import { readPricesFile } from '../sources/replay/prices-file.ts';
import { DEFAULT_RULES } from '../subscriptions/use-cases.ts';
import { formatDemoMessage } from './demo-format.ts';
import { replayEvents } from './replay-engine.ts';
import { parseOptions, type CliIo } from './usage.ts';

const DATA = new URL('../../data/', import.meta.url);
/** Blocks replayed as history before the demo's first message (one epoch). */
export const WARMUP_BLOCKS = 2016;
export const DEMO_BLOCKS = new URL('mainnet-2025-2026.blocks.jsonl', DATA).pathname;
export const DEMO_PRICES = new URL('btc-usd-2025-2026.prices.jsonl', DATA).pathname;

/**
 * The one personal rule the demo's miner adds to the defaults: break-even for an S19-class fleet
 * (30 J/TH) on $0.06/kWh power — the squeeze of 2025–26 in one alert.
 */
export const DEMO_ADDED_RULE = {
  spec: { kind: 'breakeven', jth: 30, kwh: 0.06, poolfee: 0 },
  command: '/alert breakeven 30 0.06',
} as const;

/** The default subscriber's rules as replay rules (ids as a chat would number them), plus the added one. */
export function demoRules(): Rule[] {
  return [...DEFAULT_RULES, DEMO_ADDED_RULE.spec].map(
    (spec, i) => ({ ...spec, id: String(i + 1), subscriptionId: 'demo', createdSec: 0 }) as Rule,
  );
}

const day = (sec: number): string => new Date(sec * 1000).toISOString().slice(0, 10);
const pct = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(2)} %`;

/** Everything the demo prints, built before printing so nothing is half-written. */
export interface DemoResult {
  readonly text: string;
  /** Retarget notices (height, actual change %) in order, for checking against the epochs CSV. */
  readonly retargets: ReadonlyArray<{ height: number; changePct: number }>;
  readonly messages: number;
  /** hashrate-drop events (height, state) in order: the default rule's story of the squeeze. */
  readonly drops: ReadonlyArray<{ height: number; state: AlertEvent['state'] }>;
}

export async function buildDemo(blocksFile: string, pricesFile: string): Promise<DemoResult> {
  const [blocks, prices] = await Promise.all([readBlocksFile(blocksFile), readPricesFile(pricesFile)]);
  const rules = demoRules();
  // Group one block's events into one message, as the bot does (one message per block).
  const perBlock: Array<{ snapshot: Snapshot; events: AlertEvent[] }> = [];
  const counts = new Map<string, number>();
  const retargets: Array<{ height: number; changePct: number }> = [];
  const drops: Array<{ height: number; state: AlertEvent['state'] }> = [];
  let first: Snapshot | null = null;
  let last: Snapshot | null = null;
  // The summary's "before" figures: once the 7d window is full.
  const firstAt = Math.min(blocks[0]!.height + 1008, blocks[blocks.length - 1]!.height);
  // The bot starts with history loaded; here the file's first epoch plays that part, so no
  // estimate is made from a handful of blocks.
  const fromHeight = Math.min(blocks[0]!.height + WARMUP_BLOCKS, blocks[blocks.length - 1]!.height);
  replayEvents(
    { blocks, prices, rules, fromHeight },
    (event, snapshot) => {
      const tail = perBlock[perBlock.length - 1];
      if (tail?.snapshot.height === snapshot.height) tail.events.push(event);
      else perBlock.push({ snapshot, events: [event] });
      counts.set(`${event.kind} ${event.state}`, (counts.get(`${event.kind} ${event.state}`) ?? 0) + 1);
      if (event.kind === 'retarget') retargets.push({ height: event.height, changePct: event.value });
      if (event.kind === 'hashrate-drop') drops.push({ height: event.height, state: event.state });
    },
    (snapshot) => {
      if (snapshot.height === firstAt) first = snapshot;
      last = snapshot;
    },
  );

  const out: string[] = [];
  const b0 = blocks[0]!;
  const bN = blocks[blocks.length - 1]!;
  out.push(
    `hashbell demo: ${blocks.length.toLocaleString('en-US')} blocks, ${b0.height.toLocaleString('en-US')} → ${bN.height.toLocaleString('en-US')} (${day(b0.timestamp)} → ${day(bN.timestamp)})`,
  );
  out.push('A new subscriber gets these rules by default:');
  for (const r of rules.slice(0, DEFAULT_RULES.length)) out.push(`  ${r.id}. ${describeRule(r)}`);
  out.push(
    `and this miner added one of their own (\`${DEMO_ADDED_RULE.command}\`: S19-class rigs on $0.06/kWh power):`,
  );
  for (const r of rules.slice(DEFAULT_RULES.length)) out.push(`  ${r.id}. ${describeRule(r)}`);
  out.push(
    `Here is what they would have received from block ${fromHeight.toLocaleString('en-US')} on (the first epoch serves as history, as the bot loads it on start):`,
    '',
  );
  for (const { snapshot, events } of perBlock) out.push(formatDemoMessage(snapshot, events), '');
  out.push('Summary');
  out.push(`  messages: ${perBlock.length} (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')})`);
  out.push(`  retargets: ${retargets.map((r) => pct(r.changePct)).join(', ')}`);
  const a = first as Snapshot | null;
  const z = last as Snapshot | null;
  if (a !== null && z !== null) {
    const ehs = (s: Snapshot): string =>
      s.hashrate['7d'] ? `${hpsToEhs(s.hashrate['7d'].hps).toFixed(0)} EH/s` : 'n/a';
    const hp = (s: Snapshot): string =>
      s.hashprice.usdPerPhDay === null
        ? 'n/a'
        : `$${s.hashprice.usdPerPhDay.toFixed(2)}/PH/day ($${(s.hashprice.usdPerThDay ?? 0).toFixed(3)}/TH/day)`;
    out.push(`  hash rate (7d): ${ehs(a)} on ${day(a.timeSec)} → ${ehs(z)} on ${day(z.timeSec)}`);
    out.push(`  hash price: ${hp(a)} on ${day(a.timeSec)} → ${hp(z)} on ${day(z.timeSec)}`);
  }
  out.push(
    '  (bits and retargets are real; block times, fees and prices are synthetic or assumed: see data/README.md)',
  );
  return { text: `${out.join('\n')}\n`, retargets, messages: perBlock.length, drops };
}

export async function runDemo(args: readonly string[], io: CliIo): Promise<number> {
  const o = parseOptions('demo', args, { blocks: { type: 'string' }, prices: { type: 'string' } });
  const result = await buildDemo(o.blocks ?? DEMO_BLOCKS, o.prices ?? DEMO_PRICES);
  io.stdout(result.text);
  return 0;
}
