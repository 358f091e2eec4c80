import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run.ts';
import { COMMAND_HELP } from '../../../src/cli/usage.ts';

const root = new URL('../../../', import.meta.url).pathname;
const EPOCHS = join(root, 'data/bitcoin-mainnet-epochs.csv');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {} });
  return { code, out, err };
}

/** Bad usage: exit 2, exactly one line on stderr, nothing on stdout. */
function expectUsageFailure(r: { code: number; out: string; err: string }, reason: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(reason);
}

describe('hashbell CLI dispatch', () => {
  it('--help lists every command, and each command has true help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['replay', 'snapshot', 'watch', 'synth', 'start', 'demo', 'chart'])
      expect(r.out).toMatch(new RegExp(`^  ${c} `, 'm'));
    for (const c of ['replay', 'snapshot', 'synth', 'demo']) {
      const h = await cli(c, '-h');
      expect(h.code).toBe(0);
      expect(h.out).toBe(COMMAND_HELP[c]);
      // Every option the help names is one the command accepts (no stale help).
      for (const opt of h.out.match(/--[a-z-]+/g) ?? []) {
        if (opt === '--help') continue;
        const probe = await cli(c, opt);
        expect(probe.err, `${c} ${opt}`).not.toMatch(/Unknown option/);
      }
    }
  });

  it('no command prints the help on stderr and exits 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/Usage:/);
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['synth', '--bogus'], /synth: Unknown option '--bogus'/],
    [['synth', '--epochs', EPOCHS, '--from-epoch', '460'], /--to-epoch is required/],
    [
      ['synth', '--epochs', EPOCHS, '--from-epoch', 'x', '--to-epoch', '461'],
      /--from-epoch must be a non-negative integer/,
    ],
    [['synth', '--epochs', EPOCHS, '--from-epoch', '462', '--to-epoch', '461'], /after --to-epoch/],
    [['synth', '--epochs', EPOCHS, '--from-epoch', '470', '--to-epoch', '900'], /outside the file's 0\.\.473/],
    [['synth', '--epochs', '/nonexistent/e.csv', '--from-epoch', '1', '--to-epoch', '2'], /e\.csv: no such file/],
    [['start', '--now'], /start: takes no options/],
  ] as Array<[string[], RegExp]>)('%j → exit 2 with one line', async (argv, reason) => {
    expectUsageFailure(await cli(...argv), reason);
  });

  it('chart is dispatched to the chart command (which chart? → exit 2), with its own help', async () => {
    expectUsageFailure(await cli('chart'), /chart: which chart\?/);
    const h = await cli('chart', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/Usage: .*chart <hashrate\|retarget\|hashprice>/);
  });

  it("watch --help is the watch command's own, naming its options", async () => {
    const h = await cli('watch', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toBe(COMMAND_HELP['watch']);
    expect(h.out).toContain('--history');
  });
});

describe('synth command', () => {
  it('writes the same bytes to stdout and to --out, reproducibly', async () => {
    const a = await cli('synth', '--epochs', EPOCHS, '--from-epoch', '472', '--to-epoch', '472', '--seed', '3');
    expect(a.code).toBe(0);
    expect(a.out.trimEnd().split('\n')).toHaveLength(2016);
    const dir = mkdtempSync(join(tmpdir(), 'hb-synth-'));
    const out = join(dir, 'c.jsonl');
    const b = await cli(
      'synth',
      '--epochs',
      EPOCHS,
      '--from-epoch',
      '472',
      '--to-epoch',
      '472',
      '--seed',
      '3',
      '--out',
      out,
    );
    expect(b.code).toBe(0);
    expect(b.out).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(a.out);
  });

  it('a corrupt epochs CSV is reported with its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hb-synth-'));
    const bad = join(dir, 'e.csv');
    const lines = readFileSync(EPOCHS, 'utf8').split('\n');
    lines[5] = lines[5]!.replace(/^4,/, '7,');
    writeFileSync(bad, lines.join('\n'));
    expectUsageFailure(await cli('synth', '--epochs', bad, '--from-epoch', '1', '--to-epoch', '2'), /e\.csv:6: /);
  });
});
