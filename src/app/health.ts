/**
 * The readiness checks of one process, filled in as its parts start: each role registers what
 * "working" means for it (watcher synced, workers running, bot connected), and a part that is
 * still starting or retrying says so. `/readyz` reads the current set on every request.
 */
import type { HealthCheck } from './http.ts';

export class Health {
  private readonly checks = new Map<string, HealthCheck>();

  /** Adds or replaces the check named `name` (one per role or platform). */
  set(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** Marks `name` as not ready for a fixed reason (e.g. "starting"). */
  pending(name: string, reason: string): void {
    this.checks.set(name, () => reason);
  }

  delete(name: string): void {
    this.checks.delete(name);
  }

  /** The current checks, for startHttpServer. */
  all(): Readonly<Record<string, HealthCheck>> {
    return Object.fromEntries(this.checks);
  }

  /** Runs every check once; null when all pass, else the failing ones' reasons. */
  async failing(): Promise<Record<string, string> | null> {
    const out: Record<string, string> = {};
    for (const [name, check] of this.checks) {
      const r = await Promise.resolve().then(check).catch((e: unknown) => (e as Error).message ?? 'check failed');
      if (r !== null) out[name] = r;
    }
    return Object.keys(out).length === 0 ? null : out;
  }
}
