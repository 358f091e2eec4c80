/**
 * The readiness checks of one process, filled in as its parts start: each role registers what
 * "working" means for it (watcher synced, workers running, bot connected), and a part that is
 * still starting or retrying says so. `/readyz` reads the current set on every request.
 */
import { Gauge, type Registry } from 'prom-client';
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

  /** Runs every check once (each bounded by `timeoutMs`); null when all pass, else the failing ones' reasons. */
  async failing(timeoutMs = 2_000): Promise<Record<string, string> | null> {
    const out: Record<string, string> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<string>((r) => {
          timer = setTimeout(() => r(`no answer within ${timeoutMs} ms`), timeoutMs);
        });
        const r = await Promise.race([
          Promise.resolve()
            .then(check)
            .catch((e: unknown) => (e as Error).message ?? 'check failed'),
          late,
        ]);
        clearTimeout(timer);
        if (r !== null) out[name] = r;
      }),
    );
    return Object.keys(out).length === 0 ? null : out;
  }
}

/**
 * hashbell_ready (1 when /readyz would answer 200) and hashbell_check_ok{check}, evaluated at
 * scrape time, so Prometheus can alert on "not ready for 10 minutes" and say which part.
 */
export function registerReadiness(registry: Registry, health: Health): void {
  new Gauge({
    name: 'hashbell_ready',
    help: '1 when every readiness check of this process passes',
    registers: [registry],
    async collect() {
      this.set((await health.failing()) === null ? 1 : 0);
    },
  });
  new Gauge({
    name: 'hashbell_check_ok',
    help: '1 when this readiness check passes, by check',
    labelNames: ['check'],
    registers: [registry],
    async collect() {
      const failing = (await health.failing()) ?? {};
      this.reset();
      for (const name of Object.keys(health.all())) this.set({ check: name }, name in failing ? 0 : 1);
    },
  });
}
