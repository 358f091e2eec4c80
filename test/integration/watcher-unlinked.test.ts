/**
 * Websocket frames that name no parent (issue 15): the watcher confirms them over REST before
 * taking them. Confirmed → taken once; REST behind → held until it has the block; REST holding
 * another block at that height → the frame is rejected (`unconfirmed`) and REST's chain followed.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { counterTotal } from '../../src/observability/metrics.ts';
import { addStats, createHarness, waitFor, type Harness } from './watcher-harness.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** The fixture block as a frame without `previousblockhash`. */
function unlinkedFrame(b: object): string {
  const { previousblockhash: _dropped, ...rest } = b as Record<string, unknown>;
  return JSON.stringify({ block: rest });
}

describe('websocket frames without previousblockhash', () => {
  it('REST has the same block: taken, with exactly one evaluate job, nothing rejected', async () => {
    h = await createHarness();
    await h.start();
    await h.caughtUp();
    const [b] = h.fake.mine(1, { silent: true });
    h.fake.sendRaw(unlinkedFrame(b!));
    await h.caughtUp();
    expect(await h.state.hashAt(b!.height)).toBe(b!.id);
    expect(h.adds.filter((a) => a.hash === b!.id)).toHaveLength(1);
    expect(addStats(h.adds).duplicateHashes).toEqual([]);
    expect(await counterTotal(h.metrics.blocksRejected)).toBe(0);
  });

  it("REST has another block at that height: the frame is rejected (unconfirmed) and REST's block is taken", async () => {
    h = await createHarness();
    await h.start();
    await h.caughtUp();
    const [real] = h.fake.mine(1, { silent: true });
    const forged = { ...real!, id: randomBytes(32).toString('hex') };
    h.fake.sendRaw(unlinkedFrame(forged));
    await waitFor(
      'unconfirmed rejection',
      async () => (await counterTotal(h.metrics.blocksRejected, { reason: 'unconfirmed' })) === 1,
    );
    await h.caughtUp();
    expect(await h.state.hashAt(real!.height)).toBe(real!.id);
    expect(h.adds.map((a) => a.hash)).not.toContain(forged.id);
    expect(await h.state.getSnapshot(forged.id)).toBeNull();
  });

  it('REST behind: held (not taken, not rejected) until REST has it, then taken', async () => {
    h = await createHarness();
    await h.start({}, { holdLimits: { unconfirmedHoldMs: 60_000, recheckMs: 100 } });
    await h.caughtUp();
    const [b] = h.fake.mine(1, { silent: true });
    h.fake.chain.blocks.pop(); // REST does not have it yet
    h.fake.sendRaw(unlinkedFrame(b!));
    await new Promise((r) => setTimeout(r, 300));
    expect(await h.state.hashAt(b!.height)).toBeNull();
    expect(await counterTotal(h.metrics.blocksRejected)).toBe(0);
    h.fake.chain.blocks.push(b!); // REST catches up; no new frame
    await waitFor('held frame taken', async () => (await h.state.hashAt(b!.height)) === b!.id);
    expect(h.adds.filter((a) => a.hash === b!.id)).toHaveLength(1);
    expect(await counterTotal(h.metrics.blocksRejected)).toBe(0);
  });
});
