/**
 * Bounded shutdown: worker.close() waits for in-flight jobs with no deadline of its own, so every
 * close is raced against a timer; whatever is still open after it is force-closed. Queues and
 * connections close last, after the workers that use them.
 */
import type { Job } from 'bullmq';
import type { Logger } from '../observability/logger.ts';

/** Jobs a worker is processing right now, by id, with the lock token it holds. */
export type InFlight = Map<string, { readonly job: Job; readonly token: string }>;

/**
 * Hands every job in `jobs` back to its queue's wait list, releasing our lock: used when a
 * shutdown deadline passes, so another worker takes them now instead of after the lock expires
 * and the stalled check runs. Returns how many were released. Never throws.
 */
export async function releaseInFlight(jobs: InFlight): Promise<number> {
  let n = 0;
  await Promise.all(
    [...jobs.values()].map(async ({ job, token }) => {
      try {
        await job.moveToWait(token);
        n += 1;
      } catch {
        // Finished meanwhile, or Redis is gone: the stalled check is the fallback.
      }
    }),
  );
  jobs.clear();
  return n;
}

export interface Closeable {
  readonly name: string;
  close(force: boolean): Promise<void>;
}

/** Resolves 'done' or 'timeout', whichever comes first; never rejects. */
export async function withDeadline(p: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([
      p.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Closes `stages` in order (e.g. [workers], [queues], [connections]); each stage gets what is
 * left of `deadlineMs`, at least 100 ms for a forced close. Returns the names that timed out.
 */
export async function closeInStages(
  stages: ReadonlyArray<readonly Closeable[]>,
  deadlineMs: number,
  log: Logger,
): Promise<string[]> {
  const endAt = Date.now() + deadlineMs;
  const late: string[] = [];
  for (const stage of stages) {
    const left = Math.max(100, endAt - Date.now());
    await Promise.all(
      stage.map(async (c) => {
        if ((await withDeadline(c.close(false), left)) === 'timeout') {
          late.push(c.name);
          log.warn({ component: c.name, deadlineMs }, 'did not close in time; forcing');
          await withDeadline(c.close(true), 1000);
        }
      }),
    );
  }
  return late;
}
