import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { parseEpochsCsv } from '../../src/sources/replay/epochs-csv.ts';

const root = new URL('../../', import.meta.url).pathname;
const FIXTURE = join(root, 'test/fixtures/synth-471-472.blocks.jsonl');
const PRICES = join(root, 'data/btc-usd-2025-2026.prices.jsonl');
const epochs = parseEpochsCsv(readFileSync(join(root, 'data/bitcoin-mainnet-epochs.csv'), 'utf8'), 'epochs.csv');
const dir = mkdtempSync(join(tmpdir(), 'hb-cli-replay-'));
const RULES = join(dir, 'rules.json');
writeFileSync(
  RULES,
  JSON.stringify(
    [
      { id: 'rt', kind: 'retarget' },
      { id: 'est', kind: 'retarget-estimate', pct: '1%', direction: 'both' },
      { id: 'drop', kind: 'hashrate-drop', pct: 5, window: '1d', lookback: '7d' },
      { id: 'hp', kind: 'hashprice-below', usd: 60 },
    ],
    null,
    2,
  ),
);

/** The real entry point, as `npm run -s hashbell --` runs it. */
function spawnCli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env: {} });
  return { code, out, err };
}

const KEYS = ['rule', 'kind', 'state', 'height', 'time', 'value', 'threshold', 'text'];

describe('hashbell replay (spawned)', () => {
  it('prints one exact event line per alert; the retarget equals the real change', () => {
    const r = spawnCli('replay', '--blocks', FIXTURE, '--prices', PRICES, '--rules', RULES);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const events = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(Object.keys(e)).toEqual(KEYS);
      expect(['firing', 'resolved', 'notice']).toContain(e['state']);
      expect(typeof e['text']).toBe('string');
      expect(e['height']).toBeGreaterThanOrEqual(949_536);
    }
    const rt = events.filter((e) => e['kind'] === 'retarget');
    expect(rt.map((e) => e['height'])).toEqual([951_552]);
    expect(rt[0]!['value']).toBe(epochs[472]!.changePct);
    const heights = events.map((e) => e['height'] as number);
    expect([...heights].sort((a, b) => a - b)).toEqual(heights);
  });

  it('a bad line: exit 2, file:line on stderr, nothing on stdout', () => {
    const bad = join(dir, 'bad.blocks.jsonl');
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 5);
    lines[2] = lines[2]!.replace('"bits":', '"bitz":');
    writeFileSync(bad, lines.join('\n'));
    const r = spawnCli('replay', '--blocks', bad, '--rules', RULES);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${bad}:3: missing field "bits"`);
  });
});

describe('hashbell replay / snapshot (in process)', () => {
  it('--from/--to only limit which heights emit; earlier blocks still warm up the windows', async () => {
    const all = await cli('replay', '--blocks', FIXTURE, '--prices', PRICES, '--rules', RULES);
    const part = await cli(
      'replay',
      '--blocks',
      FIXTURE,
      '--prices',
      PRICES,
      '--rules',
      RULES,
      '--from',
      '951000',
      '--to',
      '952000',
    );
    expect(part.code).toBe(0);
    const ev = part.out
      .trimEnd()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { height: number; kind: string; value: number });
    expect(ev.every((e) => e.height >= 951_000 && e.height <= 952_000)).toBe(true);
    // The retarget notice in range is the same as in the full run (warm-up does not depend on --from).
    const rtAll = all.out.split('\n').filter((l) => l.includes('"kind":"retarget"'));
    expect(part.out.split('\n').filter((l) => l.includes('"kind":"retarget"'))).toEqual(rtAll);
  });

  it('bad usage and bad rules exit 2 with one line and print nothing', async () => {
    const badRules = join(dir, 'bad-rules.json');
    writeFileSync(
      badRules,
      '[\n  {"id": "a", "kind": "retarget"},\n  {"id": "b", "kind": "hashrate-drop", "pct": 10, "speed": "fast"}\n]',
    );
    for (const [args, reason] of [
      [['--blocks', FIXTURE, '--rules', badRules], /bad-rules\.json:3: rule "b": unknown parameter "speed"/],
      [['--blocks', FIXTURE], /--rules is required/],
      [
        ['--blocks', FIXTURE, '--rules', RULES, '--from', '10'],
        /--from 10 is outside the file's heights 949536\.\.953567/,
      ],
      [
        ['--blocks', FIXTURE, '--rules', RULES, '--from', '951000', '--to', '950000'],
        /--from 951000 is after --to 950000/,
      ],
      [['--blocks', join(dir, 'nope.jsonl'), '--rules', RULES], /nope\.jsonl: no such file/],
    ] as Array<[string[], RegExp]>) {
      const r = await cli('replay', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(reason);
    }
  });

  it('snapshot --at H is the snapshot of height H, computed incrementally over the file', async () => {
    const r = await cli('snapshot', '--blocks', FIXTURE, '--prices', PRICES, '--at', '951600');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as {
      height: number;
      bits: number;
      source: string;
      hashprice: { usdPerPhDay: number | null };
    };
    expect(s.height).toBe(951_600);
    expect(s.bits).toBe(epochs[472]!.bits);
    expect(s.source).toBe('replay');
    expect(s.hashprice.usdPerPhDay).toBeGreaterThan(0);
    const last = await cli('snapshot', '--blocks', FIXTURE);
    expect((JSON.parse(last.out) as { height: number }).height).toBe(953_567);
    expect(JSON.parse(last.out).hashprice.usdPerPhDay).toBeNull(); // no prices → no USD figures
    const outside = await cli('snapshot', '--blocks', FIXTURE, '--at', '1');
    expect(outside.code).toBe(2);
    expect(outside.out).toBe('');
  });
});

describe('hashbell replay / snapshot over a file with an invalid block', () => {
  const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean);
  /** The fixture with line `n` (1-based) changed by `edit`, written to a temp file. */
  const withLine = (name: string, n: number, edit: (b: Record<string, unknown>) => void): string => {
    const copy = [...lines];
    const b = JSON.parse(copy[n - 1]!) as Record<string, unknown>;
    edit(b);
    copy[n - 1] = JSON.stringify(b);
    const path = join(dir, name);
    writeFileSync(path, `${copy.join('\n')}\n`);
    return path;
  };
  const field = (n: number, k: string): number => (JSON.parse(lines[n - 1]!) as Record<string, number>)[k]!;
  const cases: Array<[string, string, RegExp]> = [
    // Issue 15 (a): 30 days before its parent: below the median of the previous 11.
    [
      'old.jsonl',
      String(
        withLine('old.jsonl', 40, (b) => {
          b['timestamp'] = field(39, 'timestamp') - 30 * 86_400;
        }),
      ),
      /old\.jsonl:40: invalid block \(time-too-old\): block 949575 /,
    ],
    // Issue 15 (b): target ×256 mid-epoch.
    [
      'bits.jsonl',
      String(
        withLine('bits.jsonl', 40, (b) => {
          b['bits'] = (field(40, 'bits') & 0x00ffffff) | (((field(40, 'bits') >>> 24) + 1) << 24);
        }),
      ),
      /bits\.jsonl:40: invalid block \(bad-bits\): block 949575 .*mid-epoch/,
    ],
    // The retarget block 951,552 keeping the old epoch's bits: the boundary is judged from the file's epoch start.
    [
      'retarget.jsonl',
      String(
        withLine('retarget.jsonl', 2017, (b) => {
          b['bits'] = field(2016, 'bits');
        }),
      ),
      /retarget\.jsonl:2017: invalid block \(bad-bits\): block 951552 .*retarget rule gives 0x1702068f/,
    ],
  ];

  it.each(cases)(
    '%s: replay and snapshot exit 2 with file:line: reason, print nothing',
    async (_name, path, reason) => {
      for (const args of [
        ['replay', '--blocks', path, '--rules', RULES],
        ['snapshot', '--blocks', path],
      ]) {
        const r = await cli(...args);
        expect(r.code, args[0]).toBe(2);
        expect(r.out).toBe('');
        expect(r.err.trimEnd().split('\n')).toHaveLength(1);
        expect(r.err).toMatch(reason);
      }
    },
  );

  it('the real entry point too (spawned): exit 2, one line, empty stdout', () => {
    const r = spawnCli('snapshot', '--blocks', cases[0]![1]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(cases[0]![2]);
  });
});

describe('replay JSON tells one truth (issue 11)', () => {
  const ALL = join(dir, 'all-kinds.json');
  writeFileSync(
    ALL,
    JSON.stringify([
      { id: 'drop', kind: 'hashrate-drop', pct: 5, window: '1d', lookback: '7d' },
      { id: 'hrb', kind: 'hashrate-below', ehs: 5000 },
      { id: 'est', kind: 'retarget-estimate', pct: 1, direction: 'both' },
      { id: 'rt', kind: 'retarget' },
      { id: 'soon', kind: 'retarget-soon', blocks: 144 },
      { id: 'move', kind: 'hashprice-move', pct: 3, window: '24h', direction: 'both' },
      { id: 'hpb', kind: 'hashprice-below', usd: 60 },
      { id: 'hpa', kind: 'hashprice-above', usd: 30 },
      { id: 'be', kind: 'breakeven', jth: 30, kwh: 0.08 },
      { id: 'slow', kind: 'slow-blocks', minutes: 60 },
    ]),
  );

  it("every event's value is a figure its text states, at the printed precision; threshold is the user's", async () => {
    const r = await cli('replay', '--blocks', FIXTURE, '--prices', PRICES, '--rules', ALL);
    expect(r.code).toBe(0);
    const events = r.out
      .trimEnd()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            rule: string;
            kind: string;
            value: number;
            threshold: number;
            text: string;
            height: number;
          },
      );
    const kinds = new Set(events.map((e) => e.kind));
    console.log(`replay over the fixture: ${events.length} events, kinds ${[...kinds].sort().join(' ')}`);
    expect(kinds.size).toBeGreaterThanOrEqual(7);
    const own: Record<string, number> = {
      hrb: 5000,
      est: 1,
      soon: 144,
      move: 3,
      hpb: 60,
      hpa: 30,
      be: 57.6,
      slow: 60,
      drop: 5,
    };
    let mismatched = 0;
    for (const e of events) {
      const title = e.text.split('\n')[0]!;
      const printed = [...title.matchAll(/([−+-]?)\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?/g)].map((m) => ({
        n: (m[1] === '−' || m[1] === '-' ? -1 : 1) * Number(`${m[2]!.replaceAll(',', '')}.${m[3] ?? '0'}`),
        d: (m[3] ?? '').length,
      }));
      const ok = printed.some((p) => Math.abs(Math.abs(p.n) - Math.abs(e.value)) <= 0.5 * 10 ** -p.d + 1e-9);
      if (!ok) mismatched++;
      expect(ok, `${e.rule} ${e.height}: ${e.value} not in "${title}"`).toBe(true);
      if (own[e.rule] !== undefined) expect(e.threshold, e.rule).toBe(own[e.rule]);
    }
    expect(mismatched).toBe(0);
  });

  it("from a file's first line, no estimate alert before the estimator has its history", async () => {
    const r = await cli('replay', '--blocks', FIXTURE, '--prices', PRICES, '--rules', ALL);
    const est = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; height: number })
      .filter((e) => e.kind === 'retarget-estimate');
    // The fixture starts at an epoch's first block (949,536) with nothing before it.
    for (const e of est) expect(e.height).toBeGreaterThanOrEqual(949_536 + 288);
  });
});
