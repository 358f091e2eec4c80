/**
 * The drop detector is sequential (its CUSUMs and alarmed cells depend on every block since it
 * started), so rebuilding a builder from stored blocks alone does not give the cells of a builder
 * that never stopped. With the checkpoint the builder offers once a day, it does, bit for bit:
 * after a restart at any height, and after a reorg to any fork within the kept depth. The chain
 * swings ±10 % (period 3,000 blocks), so cells sit in the hysteresis band much of the time.
 */
import { describe, expect, it } from 'vitest';
import { simulateChain } from '../../../src/domain/simulate.ts';
import {
  CHECKPOINT_EVERY_BLOCKS,
  CHECKPOINT_USEFUL_BLOCKS,
  SnapshotBuilder,
  type BuilderCheckpoint,
  type PushContext,
} from '../../../src/domain/snapshot-builder.ts';
import { DROP_STATE_VERSION, type DropDetectorState } from '../../../src/domain/drop-checkpoint.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import type { Block } from '../../../src/domain/types.ts';

const START_HEIGHT = 2016 * 437;
const swing = (
  seed: number,
  blocks: number,
  startHeight = START_HEIGHT,
  startTimeSec = 1.7e9,
  startBits = 0x1702796c,
) =>
  simulateChain({
    seed,
    startHeight,
    startTimeSec,
    startBits,
    blocks,
    hashrate: (h) => 1 + 0.1 * Math.sin((2 * Math.PI * (h - START_HEIGHT)) / 3_000),
  });
const chain: Block[] = swing(7, 24_000);
const ctx: PushContext = { nowSec: 1.8e9, price: null, source: 'replay' };
const REQUIRED = SnapshotBuilder.requiredHistoryBlocks;

/** The uninterrupted run: snapshots and the checkpoints it offered, by height. */
function run(blocks: readonly Block[]): { snaps: Map<number, Snapshot>; cps: Map<number, string> } {
  const b = new SnapshotBuilder();
  const snaps = new Map<number, Snapshot>();
  const cps = new Map<number, string>();
  for (const x of blocks) {
    snaps.set(x.height, b.push(x, ctx));
    const cp = b.checkpoint();
    if (cp) cps.set(x.height, JSON.stringify(cp)); // stored as JSON, as chain state does
  }
  return { snaps, cps };
}
const live = run(chain);

/** What the watcher does: a fresh builder, the newest checkpoint ≤ tip, the stored history replayed. */
function rebuild(blocks: readonly Block[], tip: number, cps: Map<number, string> | null): SnapshotBuilder {
  const b = new SnapshotBuilder();
  const at = tip - (tip % CHECKPOINT_EVERY_BLOCKS);
  const cp = cps?.get(at);
  if (cps) {
    expect(cp, `checkpoint at ${at}`).toBeDefined();
    b.resumeFrom(JSON.parse(cp!) as BuilderCheckpoint);
  }
  for (const x of blocks) if (x.height > tip - REQUIRED && x.height <= tip) b.push(x, ctx);
  if (cps) expect(b.resumedAtHeight).toBe(at);
  return b;
}

/** Drop states (every lookback, every number) that differ from the reference after `from`. */
function differing(b: SnapshotBuilder, rest: readonly Block[], ref: Map<number, Snapshot>): number {
  let n = 0;
  for (const x of rest) {
    const got = b.push(x, ctx).drop;
    const want = ref.get(x.height)!.drop;
    for (const lb of ['7d', '14d', '30d', '90d'] as const)
      if (!Object.is(JSON.stringify(got?.[lb]), JSON.stringify(want?.[lb]))) n++;
  }
  return n;
}

const last = chain.at(-1)!.height;
const restarts = [last - 5_900, last - 4_171, last - 1_500, last - 700, last - 3];

describe('drop detector across a restart (builder rebuilt from stored blocks)', () => {
  it('the swinging chain really has alarmed cells where a rebuild starts (the test has teeth)', () => {
    const alarmed = restarts.map((h) =>
      Object.values(live.snaps.get(h)!.drop!).reduce((n, d) => n + (d?.alarms.length ?? 0), 0),
    );
    expect(alarmed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    // Without the checkpoint a rebuild differs from the live builder on many blocks.
    const tip = restarts[2]!;
    const naive = rebuild(chain, tip, null);
    expect(
      differing(
        naive,
        chain.filter((x) => x.height > tip && x.height <= tip + 1_500),
        live.snaps,
      ),
    ).toBeGreaterThan(100);
  });

  it.each(restarts)('restart at %i: every later drop cell equals the uninterrupted run, bit for bit', (tip) => {
    const b = rebuild(chain, tip, live.cps);
    expect(
      differing(
        b,
        chain.filter((x) => x.height > tip),
        live.snaps,
      ),
    ).toBe(0);
    // and the builder's own later checkpoints are the live ones
    expect(JSON.stringify(b.checkpoint())).toBe(
      tip % CHECKPOINT_EVERY_BLOCKS === 0 ? live.cps.get(tip) : JSON.stringify(null),
    );
  });
});

describe('drop detector across a reorg (rolled back to the fork, new branch pushed)', () => {
  it.each([1, 6, 50, 100])(
    'fork %i blocks below the tip: the new branch equals a builder that only saw it',
    (depth) => {
      const tip = last - 1_000;
      const fork = tip - depth;
      const main = chain.filter((x) => x.height <= fork);
      const f = main.at(-1)!;
      // A different branch from the fork on: other seed, other times (ids differ).
      const branch = swing(99 + depth, 1_200, 0, f.timestamp, f.bits)
        .slice(1)
        .map((x, i) => ({
          ...x,
          height: fork + 1 + i,
          id: `branch-${depth}-${fork + 1 + i}`,
          timestamp: x.timestamp,
          bits: f.bits,
        }));
      const ref = run([...main, ...branch]).snaps;
      // The live builder ran on the old chain to `tip`; its checkpoints above the fork are rolled back.
      const cps = new Map([...live.cps].filter(([h]) => h <= fork));
      const b = rebuild(chain, fork, cps);
      expect(differing(b, branch, ref)).toBe(0);
    },
  );

  it('a checkpoint of another branch, a malformed one or one too deep is ignored (a warm-up, as before)', () => {
    const tip = restarts[2]!;
    const at = tip - (tip % CHECKPOINT_EVERY_BLOCKS);
    const cp = JSON.parse(live.cps.get(at)!) as BuilderCheckpoint;
    const bad: BuilderCheckpoint[] = [
      { ...cp, hash: 'other-branch' },
      { ...cp, drop: { ...cp.drop, '30d': { ...cp.drop['30d'], stats: [1e9, 1, 2, 3, 4, 5] } } },
      { ...cp, drop: { ...cp.drop, '7d': { ...cp.drop['7d'], filled: 5 } } },
    ];
    for (const c of bad) {
      const b = new SnapshotBuilder();
      b.resumeFrom(c);
      let s: Snapshot | null = null;
      for (const x of chain) if (x.height > tip - REQUIRED && x.height <= tip) s = b.push(x, ctx);
      expect(b.resumedAtHeight).toBe(-1);
      expect(s?.drop?.['7d']).not.toBeNull();
    }
    expect(CHECKPOINT_USEFUL_BLOCKS).toBeLessThanOrEqual(REQUIRED - 12_960 - 2_016 - 1);
  });

  it('a version-1 checkpoint (before the recovery test changed) is migrated, not misread; an unknown version is ignored', () => {
    const tip = restarts[2]!;
    const at = tip - (tip % CHECKPOINT_EVERY_BLOCKS);
    const cp = JSON.parse(live.cps.get(at)!) as BuilderCheckpoint;
    // What session 3 stored: no `v`, 9 numbers per alarmed cell, no ends.
    const v1 = (st: DropDetectorState): DropDetectorState => {
      const cells: number[] = [];
      for (let i = 0; i < st.cells.length; i += 11) cells.push(...st.cells.slice(i, i + 9));
      const { v: _v, ends: _e, ...rest } = st;
      return { ...rest, cells };
    };
    const old: BuilderCheckpoint = {
      ...cp,
      drop: Object.fromEntries(Object.entries(cp.drop).map(([lb, st]) => [lb, v1(st)])) as BuilderCheckpoint['drop'],
    };
    expect(Object.values(old.drop).some((st) => st.cells.length > 0)).toBe(true); // alarmed cells to migrate
    const b = new SnapshotBuilder();
    b.resumeFrom(old);
    for (const x of chain) if (x.height > tip - REQUIRED && x.height <= tip) b.push(x, ctx);
    expect(b.resumedAtHeight).toBe(at);
    // The next block: the same cells alarmed, dated and measured the same (no fire, no resolve).
    const next = chain.find((x) => x.height === tip + 1)!;
    const got = b.push(next, ctx).drop!;
    const want = live.snaps.get(tip + 1)!.drop!;
    for (const lb of ['7d', '14d', '30d', '90d'] as const)
      expect(got[lb]?.alarms.map((a) => [a.pct, a.sinceHeight, a.sureHeight])).toEqual(
        want[lb]?.alarms.map((a) => [a.pct, a.sinceHeight, a.sureHeight]),
      );
    const future: BuilderCheckpoint = {
      ...cp,
      drop: { ...cp.drop, '14d': { ...cp.drop['14d'], v: DROP_STATE_VERSION + 1 } },
    };
    const c = new SnapshotBuilder();
    c.resumeFrom(future);
    for (const x of chain) if (x.height > tip - REQUIRED && x.height <= tip) c.push(x, ctx);
    expect(c.resumedAtHeight).toBe(-1);
  });

  it('one checkpoint is about 10 kB of JSON, once a day', () => {
    const sizes = [...live.cps.values()].map((s) => s.length);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeLessThan(40_000);
    expect(mean / CHECKPOINT_EVERY_BLOCKS).toBeLessThan(300); // bytes per block written
  });
});
