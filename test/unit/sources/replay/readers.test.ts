import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createPriceCursor,
  parseBlocksText,
  parsePricesText,
  readBlocksFile,
  ReplayFileError,
} from '../../../../src/sources/replay/index.ts';

const hex = (n: number): string => n.toString(16).padStart(64, '0');
const line = (h: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: hex(h), height: h, timestamp: 1_750_000_000 + h * 600, bits: 386_038_124, ...extra });

function expectFileError(fn: () => unknown, lineNo: number, reason: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ReplayFileError);
  const e = caught as ReplayFileError;
  expect(e.line).toBe(lineNo);
  expect(e.message).toMatch(new RegExp(`^f\\.jsonl:${lineNo}: `));
  expect(e.message).toMatch(reason);
  expect(e.message).not.toContain('\n');
}

describe('blocks file', () => {
  it('parses mempool-shaped lines, extras → fees, unknown fields ignored, trailing newline ok', () => {
    const text = [
      line(100, { extras: { reward: 315_000_000, totalFees: 2_500_000 }, difficulty: 1.1e14, tx_count: 3000 }),
      line(101, { previousblockhash: hex(100) }),
      '',
    ].join('\n');
    const blocks = parseBlocksText(text, 'f.jsonl');
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toEqual({
      id: hex(100),
      height: 100,
      timestamp: 1_750_060_000,
      bits: 386_038_124,
      feesSats: 2_500_000,
      feesKnown: true,
    });
    expect(blocks[1]).toMatchObject({ previousHash: hex(100), feesSats: 0, feesKnown: false });
  });

  it('accepts CRLF line endings', () => {
    expect(parseBlocksText(`${line(1)}\r\n${line(2)}\r\n`, 'f.jsonl').map((b) => b.height)).toEqual([1, 2]);
  });

  // Each row: file text, the line the error must name, and what the reason must say.
  const bad: Array<[string, string, number, RegExp]> = [
    ['malformed JSON', `${line(1)}\n{"id": "ab", "height": `, 2, /not valid JSON/],
    ['not an object', `${line(1)}\n[1,2]`, 2, /JSON object/],
    [
      'missing id',
      `${line(1)}\n${JSON.stringify({ height: 2, timestamp: 1, bits: 386_038_124 })}`,
      2,
      /missing field "id"/,
    ],
    [
      'missing bits',
      `${JSON.stringify({ id: hex(1), height: 1, timestamp: 1_750_000_000 })}`,
      1,
      /missing field "bits"/,
    ],
    [
      'missing timestamp',
      `${line(1)}\n${line(2)}\n${JSON.stringify({ id: hex(3), height: 3, bits: 386_038_124 })}`,
      3,
      /missing field "timestamp"/,
    ],
    [
      'height as string',
      JSON.stringify({ id: hex(1), height: '1', timestamp: 1_750_000_000, bits: 386_038_124 }),
      1,
      /"height"/,
    ],
    ['timestamp in ms', line(1, { timestamp: 1_750_000_000_000 }), 1, /milliseconds/],
    ['bits negative encoding', line(1, { bits: 0x04923456 }), 1, /negative/],
    ['bits overflow', line(1, { bits: 0xff123456 }), 1, /overflows/],
    ['bits hex string', line(1, { bits: '1702796c' }), 1, /"bits"/],
    ['extras without totalFees', line(1, { extras: { reward: 1 } }), 1, /extras\.totalFees/],
    ['negative fees', line(1, { extras: { totalFees: -5 } }), 1, /extras\.totalFees/],
    ['out-of-order height', `${line(5)}\n${line(6)}\n${line(4)}`, 3, /strictly ascending/],
    ['duplicate height', `${line(5)}\n${line(5)}`, 2, /strictly ascending/],
    ['gap in heights', `${line(5)}\n${line(6)}\n\n${line(8)}`, 4, /contiguous \(missing 7\)/],
    ['broken chain link', `${line(5)}\n${line(6, { previousblockhash: hex(99) })}`, 2, /previousblockhash/],
    ['byte-order mark', `\uFEFF${line(1)}`, 1, /byte-order mark/],
  ];
  it.each(bad)('%s → file:line and reason', (_label, text, lineNo, reason) => {
    expectFileError(() => parseBlocksText(text, 'f.jsonl'), lineNo, reason);
  });

  it('an empty file is an error', () => {
    expect(() => parseBlocksText('\n\n', 'f.jsonl')).toThrow(/f\.jsonl: contains no blocks/);
  });

  it('a corrupt (non-UTF-8) file names the line of the first bad byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hb-readers-'));
    const path = join(dir, 'corrupt.jsonl');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from(`${line(1)}\n${line(2)}\n`),
        Buffer.from([0xff, 0xfe, 0x00, 0x9c]),
        Buffer.from('\n'),
      ]),
    );
    await expect(readBlocksFile(path)).rejects.toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: not valid UTF-8`),
    );
    await expect(readBlocksFile(join(dir, 'missing.jsonl'))).rejects.toThrow(/missing\.jsonl: no such file/);
  });
});

describe('prices file', () => {
  it('parses mempool /api/v1/prices lines and skips USD -1 (unavailable)', () => {
    const pts = parsePricesText(
      '{"time":100,"USD":90000,"EUR":80000}\n{"time":200,"USD":-1}\n{"time":300,"USD":91000.5}\n',
      'f.jsonl',
    );
    expect(pts).toEqual([
      { timeSec: 100, usd: 90000 },
      { timeSec: 300, usd: 91000.5 },
    ]);
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ['missing USD', '{"time":100,"USD":1}\n{"time":200}', 2, /missing field "USD"/],
    ['zero price', '{"time":100,"USD":0}', 1, /positive number/],
    ['time in ms', '{"time":1750000000000,"USD":1}', 1, /milliseconds/],
    ['time going back', '{"time":100,"USD":1}\n{"time":100,"USD":2}', 2, /strictly ascending/],
    ['garbage', '{"time":100,"USD":1}\nhello', 2, /not valid JSON/],
  ];
  it.each(bad)('%s → file:line and reason', (_label, text, lineNo, reason) => {
    expectFileError(() => parsePricesText(text, 'f.jsonl'), lineNo, reason);
  });
});

describe('price cursor', () => {
  const pts = [100, 200, 300, 400].map((t) => ({ timeSec: t, usd: t * 10 }));
  it('gives the latest point at or before the time, also when time steps back', () => {
    const c = createPriceCursor(pts);
    expect(c.at(50)).toBeNull();
    expect(c.at(100)?.usd).toBe(1000);
    expect(c.at(399)?.usd).toBe(3000);
    expect(c.at(10_000)?.usd).toBe(4000);
    expect(c.at(250)?.usd).toBe(2000); // header times are not monotonic
    expect(c.at(99)).toBeNull();
    expect(c.at(300)?.usd).toBe(3000);
  });
});
