/**
 * `hashbell chart`: writes a decodable 1000×560 PNG for a blocks file; every bad input exits 2
 * with one line on stderr and writes nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChart, type PointsBuilder } from '../../../src/cli/chart.ts';
import { runCli } from '../../../src/cli/run.ts';
import type { CliIo } from '../../../src/cli/usage.ts';
import { decodePng } from './png-decode.ts';
import { syntheticPoints } from './synthetic.ts';

const points = syntheticPoints({ blocks: 1200, seed: 5 });
/** Stands in for the snapshot builder: the synthetic points of the blocks it is given. */
const buildPoints: PointsBuilder = async (blocks) => {
  const heights = new Set(blocks.map((b) => b.height));
  return points.filter((p) => heights.has(p.height));
};
let dir: string;
let blocksFile: string;
let pricesFile: string;

function io(): CliIo & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    env: {},
    stdout: (t: string) => void (o.out += t),
    stderr: (t: string) => void (o.err += t),
  };
  return o;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hb-chart-cli-'));
  blocksFile = join(dir, 'blocks.jsonl');
  pricesFile = join(dir, 'prices.jsonl');
  writeFileSync(
    blocksFile,
    points
      .map((p) => JSON.stringify({ id: p.hash, height: p.height, timestamp: p.timeSec, bits: 386038124 }))
      .join('\n') + '\n',
  );
  writeFileSync(pricesFile, JSON.stringify({ time: points[0]?.timeSec, USD: 95000 }) + '\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chart command', () => {
  it.each(['hashrate', 'retarget', 'hashprice'])('%s → a 1000×560 PNG', async (kind) => {
    const out = join(dir, `${kind}.png`);
    const s = io();
    const code = await runChart(
      [kind, '--blocks', blocksFile, '--prices', pricesFile, '--out', out, '--tz', 'Asia/Kolkata', '--theme', 'light'],
      s,
      { buildPoints },
    );
    expect(code, s.err).toBe(0);
    const img = decodePng(readFileSync(out));
    expect([img.width, img.height]).toEqual([1000, 560]);
    expect(s.err).toMatch(new RegExp(`wrote ${kind} chart at height ${points.at(-1)?.height}`));
  });

  it('--at picks an earlier block', async () => {
    const out = join(dir, 'at.png');
    const at = (points[900]?.height ?? 0).toString();
    const s = io();
    expect(await runChart(['hashrate', '--blocks', blocksFile, '--out', out, '--at', at], s, { buildPoints })).toBe(0);
    expect(s.err).toContain(`at height ${at}`);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['no kind', ['--blocks', 'x', '--out', 'y'], /which chart/],
    ['unknown kind', ['pie', '--blocks', 'x', '--out', 'y'], /unknown chart "pie"/],
    ['no --blocks', ['hashrate', '--out', 'y'], /--blocks is required/],
    ['no --out', ['hashrate', '--blocks', 'x'], /--out is required/],
    ['bad zone', ['hashrate', '--blocks', 'x', '--out', 'y', '--tz', 'Mars/Base'], /IANA time zone/],
    ['bad theme', ['hashrate', '--blocks', 'x', '--out', 'y', '--theme', 'neon'], /--theme must be/],
    ['hash price without prices', ['hashprice', '--blocks', 'x', '--out', 'y'], /needs --prices/],
    ['unknown option', ['hashrate', '--blocks', 'x', '--out', 'y', '--colour', 'red'], /chart: /],
    ['missing file', ['hashrate', '--blocks', '/nonexistent/blocks.jsonl', '--out', 'y'], /nonexistent/],
  ];
  it.each(bad)('%s → exit 2, one line, nothing written', async (_name, args, reason) => {
    const s = io();
    const out = join(dir, 'never.png');
    const code = await runCli(['chart', ...args.map((a) => (a === 'y' ? out : a))], s);
    expect(code).toBe(2);
    expect(s.err).toMatch(reason);
    expect(s.err.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('a height not in the file, and data too short to draw, are usage errors (exit 2 in the CLI)', async () => {
    const out = join(dir, 'n.png');
    await expect(
      runChart(['hashrate', '--blocks', blocksFile, '--out', out, '--at', '1'], io(), { buildPoints }),
    ).rejects.toThrow(/height 1 is not in/);
    const onePoint: PointsBuilder = async (blocks, prices) => (await buildPoints(blocks, prices)).slice(-1);
    await expect(
      runChart(['hashrate', '--blocks', blocksFile, '--out', out], io(), { buildPoints: onePoint }),
    ).rejects.toThrow(/cannot draw the hashrate chart at height \d+: not enough data/);
    expect(existsSync(out)).toBe(false);
  });
});
