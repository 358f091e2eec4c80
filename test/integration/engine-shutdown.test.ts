/**
 * Bounded shutdown: worker.close() waits for in-flight jobs forever; createApp's shutdown must
 * still return (forcing the close) when a delivery hangs, and the job goes back to wait for the
 * next worker (not left active behind a lock nobody renews).
 */
import { describe, expect, it } from 'vitest';
import { closeInStages, withDeadline } from '../../src/app/shutdown.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import type { Target } from '../../src/subscriptions/service.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { startHarness, waitFor } from './engine-harness.ts';

describe('bounded shutdown', () => {
  it('withDeadline reports a timeout instead of waiting, and "done" for settled promises', async () => {
    expect(await withDeadline(new Promise(() => undefined), 20)).toBe('timeout');
    expect(await withDeadline(Promise.resolve(1), 1000)).toBe('done');
    expect(await withDeadline(Promise.reject(new Error('x')), 1000)).toBe('done');
  });

  it('closeInStages forces what does not close and names it', async () => {
    const forced: string[] = [];
    const late = await closeInStages(
      [
        [
          {
            name: 'stuck',
            close: async (force) => {
              if (force) forced.push('stuck');
              else await new Promise(() => undefined);
            },
          },
        ],
        [{ name: 'fine', close: async () => undefined }],
      ],
      50,
      silentLogger(),
    );
    expect(late).toEqual(['stuck']);
    expect(forced).toEqual(['stuck']);
  });

  it('app.shutdown returns while a delivery hangs forever', async () => {
    const h = await startHarness('shutdown', 4, { workerTiming: { lockDurationMs: 1000, stalledIntervalMs: 1000 } });
    let hanging = 0;
    h.notifier.send = () => {
      hanging++;
      return new Promise(() => undefined);
    };
    const alice: Target = { platform: 'telegram', targetType: 'chat', targetId: '9001', userId: '9001' };
    await h.app.service.start(alice, 1_750_000_000);
    await h.block(makeSnapshot({ height: 900, dropPct: 30 }));
    await waitFor(() => hanging === 1, 10_000, 'the delivery to start');
    await h.app.shutdown(300);
    const counts = await h.app.deliverQueues.telegram!.getJobCounts('active', 'wait');
    // Not lost, and not left active: handed back to wait at the deadline, so the next worker takes
    // it at once instead of waiting for its lock to expire and the stalled check to run.
    expect(counts.active).toBe(0);
    expect(counts.wait).toBe(1);
    await h.close();
  }, 20_000);
});
