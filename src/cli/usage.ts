/**
 * Argument parsing and help texts for the `hashbell` commands. Bad usage is a UsageError (exit 2,
 * one line on stderr), so each command can validate everything before printing anything.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad command-line usage; the CLI prints the message as one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Output sinks and environment of one CLI run (injected so tests need no child process). */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const CLI = 'npm run -s hashbell --';

export const GLOBAL_HELP = `hashbell: alerts for Bitcoin mining economics (hash rate drops, difficulty retargets, hash price)

Usage: ${CLI} <command> [options]

Commands:
  replay    backtest: run the alert engine over a blocks file, one JSON line per alert event
  snapshot  print the metrics snapshot (JSON) at one height of a blocks file
  watch     follow the live chain (CHAIN_SOURCE) and print each new snapshot [--json] [--history N]
  synth     write a blocks file whose epochs reproduce the real retargets of an epochs CSV
  start     run the bot (same as npm start); with no chat token, alerts print to the console
  demo      replay the 2025-26 fixture and show what a default subscriber would have received
  chart     render a hash-rate, retarget or hash-price chart (PNG) from a blocks file

Run '${CLI} <command> --help' for the options of one command.
Exit status: 0 on success, 2 on bad usage or bad input (with a one-line reason on stderr).
`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  replay: `Usage: ${CLI} replay --blocks FILE [--prices FILE] --rules FILE [--from H] [--to H]

Runs the real snapshot and alert-rule code over every block of FILE and prints one JSON line per
alert event: {"rule","kind","state","height","time","value","threshold","text"}. "value" is the
figure the text states; "threshold" is the rule's own (e.g. 5 for ±5 %). Under-water rules
(breakeven, hashprice-below, hashrate-below) repeat while firing ("remind": "1w" by default, "off");
retarget-estimate alerts wait for 288 blocks of history, so a file's first ones only warm it up.

  --blocks FILE   blocks file, JSON Lines in mempool.space's block shape, heights contiguous;
                  every block must pass a node's header rules (bits by the retarget rule,
                  timestamp above the median of the previous 11), else exit 2 with file:line
  --prices FILE   BTC/USD prices, JSON Lines {"time": unix_s, "USD": n} (for hash-price rules)
  --rules FILE    JSON array of rules {"id": "...", "kind": "...", ...params}
  --from H        first height that may emit events (earlier blocks still warm up the windows)
  --to H          last height that may emit events (default: the last block)

Example: ${CLI} replay --blocks data/mainnet-2025-2026.blocks.jsonl --prices data/btc-usd-2025-2026.prices.jsonl --rules rules.json
`,
  snapshot: `Usage: ${CLI} snapshot --blocks FILE [--prices FILE] [--at H]

Prints the metrics snapshot (hash rate with 90 % intervals, retarget estimate, hash price) at
height H as JSON, computed over all blocks of FILE up to H.

  --blocks FILE   blocks file (JSON Lines), checked like replay's before anything is printed
  --prices FILE   BTC/USD prices (JSON Lines); without it USD figures are null
  --at H          height to report (default: the last block)

Example: ${CLI} snapshot --blocks data/mainnet-2025-2026.blocks.jsonl --prices data/btc-usd-2025-2026.prices.jsonl --at 940000
`,
  synth: `Usage: ${CLI} synth --epochs FILE --from-epoch E --to-epoch E [--seed N] [--start-time T] [--out FILE]

Writes a synthetic blocks file (JSON Lines) for epochs E..E whose every epoch retargets exactly to
the next real bits of the epochs CSV; block times are a Poisson process conditioned on each
epoch's timespan. Deterministic: the same seed gives the same bytes.

  --epochs FILE     epochs CSV (data/bitcoin-mainnet-epochs.csv)
  --from-epoch E    first epoch (epoch = height / 2016)
  --to-epoch E      last epoch (the file's last epoch gets a nominal two-week span)
  --seed N          PRNG seed (default 1)
  --start-time T    unix seconds of the first block (default: estimated from the real chain)
  --out FILE        write to FILE instead of stdout

Example: ${CLI} synth --epochs data/bitcoin-mainnet-epochs.csv --from-epoch 455 --to-epoch 473 --seed 2025 --out chain.jsonl
`,
  watch: `Usage: ${CLI} watch [--json] [--history BLOCKS]

Follows the live chain source from the configuration (CHAIN_SOURCE: mempool.space at MEMPOOL_URL,
or Bitcoin Core at BITCOIN_RPC_URL) and prints each new snapshot (a short line each; --json: one
JSON snapshot per line). Logs go to stderr. Needs the source reachable; while it is not, it keeps
retrying with a log line. Sends no evaluate jobs, so it can run beside the bot. Stop with Ctrl-C.

  --json            one JSON snapshot per line
  --history BLOCKS  blocks to load at start for the windows (cold start; default: the 90-day
                    lookback plus the 7-day window, about 14,000 blocks)
`,
  start: `Usage: ${CLI} start

Runs the bot (same as npm start): every role in ROLES (default all). Configuration comes from
the environment and ./.env when present; see .env.example. With REDIS_URL unset it uses the
Redis on 127.0.0.1:6379, or starts a private redis-server (data in .hashbell/) and stops it on
exit; REDIS_URL listing several seed nodes (redis://a:7000,redis://b:7001), or REDIS_CLUSTER=true,
means a Redis Cluster (keys hash-tagged into one slot, a tag per queue; see README). With no chat token set, it follows mempool.space live (needs internet; unreachable, it
keeps retrying with a clear log line) and prints alerts to the console for one default
subscription. /livez, /readyz and /metrics on HTTP_PORT. Offline, '${CLI} demo' shows what the
alerts look like.
`,
  demo: `Usage: ${CLI} demo [--blocks FILE] [--prices FILE]

Replays the committed 2025-26 chain (data/) with a new subscriber's default rules and prints the
messages that subscriber would have received, then a short summary. No tokens, no network.

  --blocks FILE   another blocks file (default data/mainnet-2025-2026.blocks.jsonl)
  --prices FILE   another prices file (default data/btc-usd-2025-2026.prices.jsonl)
`,
};

/** node:util parseArgs with strict options; problems become one-line UsageErrors. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const first = (e as Error).message.split(/\.\s|\n/)[0]!.replace(/\.$/, '');
    throw new UsageError(`${command}: ${first} (see '${CLI} ${command} --help')`);
  }
}

/** A non-negative integer option (heights, epochs, seeds); undefined when absent. */
export function intOption(command: string, name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value))
    throw new UsageError(`${command}: --${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A required string option. */
export function required(command: string, name: string, value: string | undefined): string {
  if (value === undefined || value === '')
    throw new UsageError(`${command}: --${name} is required (see '${CLI} ${command} --help')`);
  return value;
}

/** True when args ask for help. */
export const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');
