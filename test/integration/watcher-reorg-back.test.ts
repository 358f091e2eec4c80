/**
 * A reorg back to a branch already evaluated (A→B→A, and A→B→A→B): every block of the returning
 * branch that was evaluated before gets exactly one new evaluate job, a correction named by the
 * reorg generation (`eval-<hash>-r<n>`), its snapshot equal to the unbroken run's on that branch;
 * never two jobs for one (hash, generation), also across a restart between commit and enqueue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EvaluateJob } from '../../src/jobs/queues.ts';
import type { EvaluateQueue } from '../../src/sources/chain-sync.ts';
import type { FixtureBlock } from '../fakes/fake-chain.ts';
import { comparable, createHarness, waitFor, type Harness } from './watcher-harness.ts';

interface Add {
  readonly id: string;
  readonly data: EvaluateJob;
}

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A queue that records every add() with its job id; `hang` decides which adds never return. */
function recordingQueue(adds: Add[], hang: (a: Add) => boolean = () => false): EvaluateQueue {
  return {
    async add(name, data, opts) {
      const a = { id: opts.jobId, data };
      if (hang(a)) return new Promise(() => undefined);
      adds.push(a);
      h.adds.push(data);
      return h.queue.add(name, data, opts);
    },
  };
}

/** A caught-up watcher with two live blocks on branch A, recording job ids into `adds`. */
async function onBranchA(adds: Add[], hang?: (a: Add) => boolean): Promise<number> {
  h = await createHarness();
  await h.start({}, { queue: recordingQueue(adds, hang) });
  await h.caughtUp();
  h.fake.mine(2);
  await h.caughtUp();
  return h.fake.chain.tip.height;
}

/** The snapshot the watcher emitted for `b` the first time it was on the main chain. */
function firstSnapshotOf(b: FixtureBlock) {
  const s = h.snapshots.find((x) => x.hash === b.id);
  if (!s) throw new Error(`no first snapshot of ${b.height}`);
  return s;
}

/** Checks the jobs sent for a returning branch: `restored` blocks resent at `generation`. */
async function expectReturn(
  sent: readonly Add[],
  restored: readonly FixtureBlock[],
  fresh: readonly FixtureBlock[],
  generation: number,
  correctUntil: number,
): Promise<void> {
  const all = [...restored, ...fresh];
  expect(sent.map((a) => a.data.height)).toEqual(all.map((b) => b.height));
  expect(new Set(sent.map((a) => a.id)).size).toBe(sent.length);
  for (const [i, b] of restored.entries()) {
    expect(sent[i]).toEqual({
      id: `eval-${b.id}-r${generation}`,
      data: { height: b.height, hash: b.id, correction: true },
    });
    const snap = await h.state.getSnapshot(b.id);
    // the unbroken builder on this branch (and the watcher's own first pass), marked as correction
    expect(snap && comparable(snap)).toEqual(comparable(h.reference(b.height, true, h.fake.pricePoint)));
    expect(snap && comparable(snap)).toEqual({ ...comparable(firstSnapshotOf(b)), correction: true });
    expect(await h.state.isEnqueued(b.id, generation)).toBe(true);
    expect((await h.queue.getJob(`eval-${b.id}-r${generation}`))?.data).toEqual({
      height: b.height,
      hash: b.id,
      correction: true,
    });
  }
  for (const [i, b] of fresh.entries()) {
    expect(sent[restored.length + i]).toEqual({
      id: `eval-${b.id}`,
      data: { height: b.height, hash: b.id, correction: b.height <= correctUntil },
    });
  }
  expect(await h.state.pendingJobs()).toEqual([]);
  expect(await h.state.getCorrectUntil()).toBe(-1);
}

describe.each([1, 3])('A→B→A with a %i-block reorg', (depth) => {
  it('each returning A block: one correction job of the new generation, snapshots as unbroken A', async () => {
    const adds: Add[] = [];
    const oldTip = await onBranchA(adds);
    h.fake.reorg(depth, 1);
    await h.caughtUp();
    const bTip = h.fake.chain.tip.height;
    expect(bTip).toBe(oldTip + 1);
    const before = adds.length;
    const added = h.fake.reorgBack(2);
    await h.caughtUp();
    expect(await h.state.getGeneration()).toBe(2);
    await expectReturn(adds.slice(before), added.slice(0, depth), added.slice(depth), 2, bTip);
    // afterwards: ordinary blocks, one first job each
    const n = adds.length;
    const [next] = h.fake.mine(1);
    await h.caughtUp();
    expect(adds.slice(n)).toEqual([
      { id: `eval-${next!.id}`, data: { height: next!.height, hash: next!.id, correction: false } },
    ]);
  });
});

describe('reorg back, edge cases', () => {
  it('A→B→A→B: each branch that returns is re-evaluated once per generation, never twice', async () => {
    const adds: Add[] = [];
    const oldTip = await onBranchA(adds);
    h.fake.reorg(2, 1);
    await h.caughtUp();
    const backToA = h.fake.reorgBack(1);
    await h.caughtUp();
    const before = adds.length;
    // B (its 3 blocks) comes back above the fork again, plus one new block
    const backToB = h.fake.reorgBack(1);
    await h.caughtUp();
    expect(await h.state.getGeneration()).toBe(3);
    expect(backToA.at(-1)!.height).toBe(oldTip + 1);
    await expectReturn(adds.slice(before), backToB.slice(0, 3), backToB.slice(3), 3, oldTip + 1);
  });

  it('a restart between commit and enqueue of a resend sends that same (hash, generation) once', async () => {
    const adds: Add[] = [];
    let hung = 0;
    await onBranchA(adds, (a) => a.id.includes('-r') && hung++ === 0);
    h.fake.reorg(3, 1);
    await h.caughtUp();
    const bTip = h.fake.chain.tip.height;
    const before = adds.length;
    const added = h.fake.reorgBack(2);
    const restored = added.slice(0, 3);
    // the replay is committed, then the first resend's add never returns: the process "dies"
    await waitFor('the hung resend', () => hung > 0);
    // all five replayed jobs are committed as pending: the three resends carry their generation
    expect((await h.state.pendingJobs()).map((j) => [j.hash, j.resend])).toEqual(
      added.map((b, i) => [b.id, i < 3 ? 2 : undefined]),
    );
    await h.watcher?.stop(200);
    h.watcher = null;
    const after: Add[] = [];
    await h.start({}, { queue: recordingQueue(after) });
    await h.caughtUp();
    const sent = [...adds.slice(before), ...after];
    expect(await h.state.getGeneration()).toBe(2);
    await expectReturn(sent, restored, added.slice(3), 2, bTip);
    expect(h.adds.filter((a) => restored.some((b) => b.id === a.hash))).toHaveLength(3 + 3); // first pass + one resend each
  });
});
