/**
 * `watch [--json]`: follows the live chain source from the configuration and prints each new
 * snapshot (tip or correction) — one JSON line each with --json, a short line otherwise — on
 * stdout; logs go to stderr. Its chain state lives under its own key prefix and it sends no
 * evaluate jobs, so it can run beside a bot on the same Redis without stealing its blocks.
 */
import { connectRedis } from '../app/redis-connections.ts';
import { loadConfig } from '../../config/index.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { hpsToEhs } from '../domain/hashrate.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import { domainBuilderFactory } from '../sources/domain-builder.ts';
import type { SnapshotBuilderFactory } from '../sources/snapshot-port.ts';
import { startWatcherRole } from '../app/watcher-role.ts';
import { COMMAND_HELP, UsageError, type CliIo } from './usage.ts';

export interface WatchDeps {
  readonly io: CliIo;
  readonly env: CliIo['env'];
  /** Ends the watch (default: SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  readonly builder?: SnapshotBuilderFactory;
  readonly logger?: Logger;
  /** Chain-state prefix (default `hb-watch-cli:`). */
  readonly keyPrefix?: string;
}

interface WatchArgs {
  json: boolean;
  history: number | undefined;
}

function parseArgs(args: readonly string[]): WatchArgs | 'help' {
  const out: WatchArgs = { json: false, history: undefined };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--json') out.json = true;
    else if (a === '--history') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1)
        throw new UsageError('watch: --history needs a positive whole number of blocks (e.g. --history 2016)');
      out.history = n;
    } else throw new UsageError(`watch: unknown option "${a}" (usage: watch [--json] [--history BLOCKS])`);
  }
  return out;
}

/** The JSON line: the contract's {height, hash, time, correction} first, then every figure. */
export function snapshotLine(s: Snapshot): string {
  const { height, hash, correction, ...figures } = s;
  return JSON.stringify({ height, hash, time: s.timeSec, correction, ...figures });
}

function humanLine(s: Snapshot): string {
  const ehs = (hps: number | undefined): string => (hps === undefined ? 'n/a' : `${hpsToEhs(hps).toFixed(1)} EH/s`);
  const hp = s.hashprice?.usdPerPhDay;
  return [
    `${s.correction ? 'CORRECTION ' : ''}block ${s.height} ${s.hash.slice(0, 16)}… ${new Date(s.timeSec * 1000).toISOString()}`,
    `hash rate 3d ${ehs(s.hashrate?.['3d']?.hps)}`,
    `next retarget ${s.retarget ? `${s.retarget.changePct.toFixed(2)}% in ${s.retarget.remainingBlocks} blocks` : 'n/a'}`,
    `hash price ${typeof hp === 'number' ? `$${hp.toFixed(2)}/PH/day${s.hashprice.priceStale ? ' (stale price)' : ''}` : 'n/a'}`,
  ].join(' | ');
}

export async function runWatch(args: readonly string[], deps: WatchDeps): Promise<number> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    deps.io.stdout(COMMAND_HELP['watch'] ?? 'Usage: watch [--json]\n');
    return 0;
  }
  const config = loadConfig(deps.env);
  const builder = deps.builder ?? domainBuilderFactory();
  const logger = deps.logger ?? createLogger({ level: config.logLevel });
  const redis = connectRedis(config, 'engine');
  redis.on('error', () => undefined); // the watcher logs retries; avoid ioredis' unhandled noise
  const role = await startWatcherRole({
    mempoolUrl: config.mempoolUrl,
    mempoolMaxRps: config.mempoolMaxRps,
    bitcoinRpcUrl: config.bitcoinRpcUrl,
    primary: config.chainSource,
    redis,
    keyPrefix: deps.keyPrefix ?? 'hb-watch-cli:',
    evaluateQueue: null,
    builder,
    logger,
    ...(parsed.history !== undefined ? { coldStartBlocks: parsed.history } : {}),
    onSnapshot: (s) => deps.io.stdout(`${parsed.json ? snapshotLine(s) : humanLine(s)}\n`),
  });
  await new Promise<void>((resolve) => {
    if (deps.signal) {
      if (deps.signal.aborted) resolve();
      deps.signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await role.stop(5_000);
  await redis.quit().catch(() => redis.disconnect());
  return 0;
}
