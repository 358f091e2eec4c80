/**
 * `hashbell synth`: a blocks file whose epochs reproduce the real retargets of the epochs CSV,
 * for demos, fixtures and benches without a node or the internet.
 */
import { writeFile } from 'node:fs/promises';
import { readEpochsCsv } from '../sources/replay/epochs-csv.ts';
import { synthesizeChain, synthToJsonl } from '../sources/replay/synth.ts';
import { intOption, parseOptions, required, UsageError, type CliIo } from './usage.ts';

export async function runSynth(args: readonly string[], io: CliIo): Promise<number> {
  const o = parseOptions('synth', args, {
    epochs: { type: 'string' },
    'from-epoch': { type: 'string' },
    'to-epoch': { type: 'string' },
    seed: { type: 'string' },
    'start-time': { type: 'string' },
    out: { type: 'string' },
  });
  const epochsFile = required('synth', 'epochs', o.epochs);
  const fromEpoch = intOption('synth', 'from-epoch', required('synth', 'from-epoch', o['from-epoch']))!;
  const toEpoch = intOption('synth', 'to-epoch', required('synth', 'to-epoch', o['to-epoch']))!;
  const seed = intOption('synth', 'seed', o.seed) ?? 1;
  if (seed > 0xffffffff) throw new UsageError('synth: --seed must be at most 4294967295');
  const startTimeSec = intOption('synth', 'start-time', o['start-time']);
  if (fromEpoch > toEpoch) throw new UsageError(`synth: --from-epoch ${fromEpoch} is after --to-epoch ${toEpoch}`);
  const epochs = await readEpochsCsv(epochsFile);
  const blocks = synthesizeChain(
    startTimeSec === undefined
      ? { epochs, fromEpoch, toEpoch, seed }
      : { epochs, fromEpoch, toEpoch, seed, startTimeSec },
  );
  const text = synthToJsonl(blocks);
  if (o.out !== undefined) {
    try {
      await writeFile(o.out, text);
    } catch (e) {
      throw new UsageError(`synth: cannot write ${o.out} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    io.stderr(`wrote ${blocks.length} blocks (epochs ${fromEpoch}..${toEpoch}, seed ${seed}) to ${o.out}\n`);
  } else {
    io.stdout(text);
  }
  return 0;
}
