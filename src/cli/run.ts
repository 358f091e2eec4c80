/**
 * The `hashbell` command dispatcher. Every command validates its input completely before writing
 * to stdout, so a failure leaves nothing half-printed: exit 2 with one line on stderr.
 */
import { existsSync } from 'node:fs';
import { ConfigError } from '../../config/index.ts';
import { ReplayFileError } from '../sources/replay/errors.ts';
import { SynthError } from '../sources/replay/synth.ts';
import { runSynth } from './synth-command.ts';
import { CLI, COMMAND_HELP, GLOBAL_HELP, UsageError, wantsHelp, type CliIo } from './usage.ts';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const here = (file: string): URL => new URL(file, import.meta.url);

/** Loads an optional module owned by another part of the project, if it has landed. */
async function optionalModule<T>(file: string): Promise<T | null> {
  return existsSync(here(file)) ? ((await import(here(file).href)) as T) : null;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  synth: runSynth,
  replay: async (args, io) => (await import('./replay-command.ts')).runReplayCommand(args, io),
  snapshot: async (args, io) => (await import('./replay-command.ts')).runSnapshotCommand(args, io),
  demo: async (args, io) => (await import('./demo-command.ts')).runDemo(args, io),
  watch: async (args, io) => {
    const mod = await optionalModule<{
      runWatch: (args: readonly string[], deps: { io: CliIo; env: CliIo['env'] }) => Promise<number>;
    }>('./watch.ts');
    if (mod === null) throw new UsageError('watch: not available in this build');
    return mod.runWatch(args, { io, env: io.env });
  },
  start: async (args) => {
    if (args.length > 0) throw new UsageError(`start: takes no options (see '${CLI} start --help')`);
    const mod = await optionalModule<{ runProcess: () => Promise<unknown> }>('../app/run-process.ts');
    if (mod === null) throw new UsageError('start: the bot (src/app/run-process.ts) is not available in this build');
    // Same as `npm start` (workers/all.ts). A bad configuration (exit 2) or no Redis to be had
    // (exit 1) is reported by runProcess; otherwise the bot runs until SIGINT/SIGTERM.
    return (await mod.runProcess()) === null ? (process.exitCode === 1 ? 1 : 2) : 0;
  },
  chart: async (args, io) => {
    const mod = await optionalModule<{ runChart: (args: readonly string[], io: CliIo) => Promise<number> }>(
      './chart.ts',
    );
    if (mod === null) {
      io.stderr('chart: not yet available\n');
      return 2;
    }
    return mod.runChart(args, io);
  },
};

/** A command's help; chart's lives with the chart command. */
async function helpFor(command: string): Promise<string> {
  if (command === 'chart') {
    const mod = await optionalModule<{ CHART_HELP?: string }>('./chart.ts');
    return mod?.CHART_HELP ?? 'chart: not yet available\n';
  }
  return COMMAND_HELP[command] ?? GLOBAL_HELP;
}

/** Runs one CLI invocation; returns the exit code (0 ok, 2 bad usage/input, 1 a bug). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      if (command === undefined) {
        io.stderr(GLOBAL_HELP);
        return 2;
      }
      io.stdout(GLOBAL_HELP);
      return 0;
    }
    const run = COMMANDS[command];
    if (run === undefined)
      throw new UsageError(
        `unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')}; see '${CLI} --help')`,
      );
    if (wantsHelp(args) && command !== 'watch') {
      io.stdout(await helpFor(command));
      return 0;
    }
    return await run(args, io);
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ReplayFileError ||
      e instanceof SynthError ||
      e instanceof ConfigError
    ) {
      io.stderr(`hashbell: ${e.message.replace(/\n/g, ' ')}\n`);
      return 2;
    }
    io.stderr(`hashbell: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
