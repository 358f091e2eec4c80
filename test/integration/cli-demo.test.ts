import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDemo, DEMO_BLOCKS, DEMO_PRICES } from '../../src/cli/demo-command.ts';
import { parseEpochsCsv } from '../../src/sources/replay/epochs-csv.ts';

const root = new URL('../../', import.meta.url).pathname;
const epochs = parseEpochsCsv(readFileSync(join(root, 'data/bitcoin-mainnet-epochs.csv'), 'utf8'), 'epochs.csv');

describe('npm run demo', () => {
  it('tells the 2025-26 story: every retarget message carries exactly the real change', async () => {
    const demo = await buildDemo(DEMO_BLOCKS, DEMO_PRICES);
    // The fixture spans epochs 455–473, so 18 retargets (into 456 … 473) happen inside it.
    const expected = epochs.filter((e) => e.epoch >= 456 && e.epoch <= 473).map((e) => ({ height: e.startHeight, changePct: e.changePct }));
    expect(demo.retargets).toEqual(expected);
    expect(demo.messages).toBeGreaterThanOrEqual(expected.length);
    expect(demo.text).toMatch(/^hashbell demo: 38,304 blocks/);
    expect(demo.text).toContain('Summary');
    // The miner's own break-even rule tells the squeeze: it fires once, when hash price first falls
    // below 30 J/TH × 24 h × $0.06 = $43.20 per PH/day, and the text names that cost.
    const breakeven = demo.text.split('\n').filter((l) => l.includes('Below break-even'));
    expect(breakeven).toHaveLength(1);
    expect(breakeven[0]).toContain('$43.2/PH/day');
  });

  it('runs from the command line with no tokens and no network, printing the summary', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'demo'], { cwd: root, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', CI: 'true' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const retargetLine = r.stdout.split('\n').find((l) => l.startsWith('  retargets: '));
    expect(retargetLine).toBeDefined();
    const shown = retargetLine!.replace('  retargets: ', '').split(', ').map((s) => Number(s.replace(/ %$/, '')));
    expect(shown).toEqual(epochs.filter((e) => e.epoch >= 456 && e.epoch <= 473).map((e) => Number(e.changePct!.toFixed(2))));
  });
});
