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
    const expected = epochs
      .filter((e) => e.epoch >= 456 && e.epoch <= 473)
      .map((e) => ({ height: e.startHeight, changePct: e.changePct }));
    expect(demo.retargets).toEqual(expected);
    expect(demo.messages).toBeGreaterThanOrEqual(expected.length);
    expect(demo.text).toMatch(/^hashbell demo: 38,304 blocks/);
    expect(demo.text).toContain('Summary');
    // The miner's own break-even rule tells the squeeze: it fires once, when hash price first falls
    // below 30 J/TH × 24 h × $0.06 = $43.20 per PH/day, and the text names that cost.
    const breakeven = demo.text.split('\n').filter((l) => l.includes('Below break-even'));
    expect(breakeven).toHaveLength(1);
    expect(breakeven[0]).toContain('vs your $43.20/PH/day');
  });

  it('the /start drop rule fires during the three slow epochs of the squeeze, and nowhere else more than twice', async () => {
    const demo = await buildDemo(DEMO_BLOCKS, DEMO_PRICES);
    // Epochs that ended in the −11.16 % (935,424), −7.76 % (941,472) and −10.09 % (953,568) retargets.
    const slow = [
      [933_408, 935_423],
      [939_456, 941_471],
      [951_552, 953_567],
    ] as const;
    const fired = demo.drops.filter((d) => d.state === 'firing').map((d) => d.height);
    for (const [from, to] of slow)
      expect(
        fired.some((h) => h >= from && h <= to),
        `a firing in ${from}–${to}`,
      ).toBe(true);
    expect(fired.filter((h) => !slow.some(([from, to]) => h >= from && h <= to)).length).toBeLessThanOrEqual(2);
    // No flapping: firing and resolved alternate, starting with a firing.
    demo.drops.forEach((d, i) => expect(d.state).toBe(i % 2 === 0 ? 'firing' : 'resolved'));
    const lines = demo.text.split('\n').filter((l) => l.includes('Hash rate down'));
    expect(lines).toHaveLength(fired.length);
    expect(demo.text).toContain('Began: block ');
    expect(demo.text).toContain('False alarms: ≈ ');
  });

  it('runs from the command line with no tokens and no network, printing the summary', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'demo'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', CI: 'true' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const retargetLine = r.stdout.split('\n').find((l) => l.startsWith('  retargets: '));
    expect(retargetLine).toBeDefined();
    const shown = retargetLine!
      .replace('  retargets: ', '')
      .split(', ')
      .map((s) => Number(s.replace(/ %$/, '')));
    expect(shown).toEqual(
      epochs.filter((e) => e.epoch >= 456 && e.epoch <= 473).map((e) => Number(e.changePct!.toFixed(2))),
    );
  });
});
