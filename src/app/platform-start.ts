/**
 * Starting a chat platform without letting it take the process down: Telegram's getMe or
 * setMyCommands answering 5xx, Discord's gateway refusing, or no network at all is retried with
 * capped exponential backoff while the other roles keep running, and /readyz says why the bot is
 * not ready. A rejected token (401) is permanent: it is reported once, clearly and without the
 * token, and not retried (restarting with the same token cannot help).
 */
import type { RoleHandle } from './create-app.ts';
import type { Health } from './health.ts';
import { redactSecrets, type Logger } from '../observability/logger.ts';

export interface PlatformStarter {
  /** 'telegram' or 'discord': the /readyz check's name and the log field. */
  readonly name: string;
  /** The variable holding the token, named in the permanent-failure line. */
  readonly tokenVariable: string;
  /** One attempt: connects and returns the running bot, or throws (cleaning up after itself). */
  start(): Promise<RoleHandle>;
}

export interface StartFailure {
  readonly permanent: boolean;
  readonly reason: string;
}

/** Reads the HTTP status / platform code out of telegraf's and discord.js's errors (duck-typed). */
function statusOf(e: unknown): number | string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const o = e as { code?: unknown; status?: unknown; response?: { error_code?: unknown } };
  if (typeof o.response?.error_code === 'number') return o.response.error_code;
  if (typeof o.status === 'number') return o.status;
  return typeof o.code === 'number' || typeof o.code === 'string' ? o.code : undefined;
}

/** Permanent (bad token) or worth retrying (5xx, 429, network, timeouts), with a token-free reason. */
export function classifyStartFailure(e: unknown, tokenVariable: string): StartFailure {
  const status = statusOf(e);
  const message = redactSecrets(e instanceof Error ? e.message : String(e)).slice(0, 300);
  if (status === 401 || status === 'TokenInvalid') {
    return { permanent: true, reason: `the platform rejected the token (401 Unauthorized): check ${tokenVariable}` };
  }
  return { permanent: false, reason: message || 'start-up failed' };
}

export interface StartWithRetryOptions {
  readonly health: Health;
  readonly logger: Logger;
  /** Backoff between attempts (default 1 s doubling to 60 s, with jitter). */
  readonly backoff?: { baseMs: number; capMs: number };
}

/**
 * Starts `p` in the background and returns at once: the caller's other roles are never held up.
 * The handle's stop() ends the retry loop or stops the running bot.
 */
export function startWithRetry(p: PlatformStarter, o: StartWithRetryOptions): RoleHandle {
  const { baseMs, capMs } = o.backoff ?? { baseMs: 1_000, capMs: 60_000 };
  const log = o.logger.child({ platform: p.name });
  const abort = new AbortController();
  let running: RoleHandle | null = null;
  o.health.pending(p.name, 'connecting');
  const loop = (async () => {
    for (let attempt = 1; !abort.signal.aborted; attempt++) {
      try {
        const handle = await p.start();
        if (abort.signal.aborted) {
          await handle.stop(1000);
          return;
        }
        running = handle;
        o.health.set(p.name, () => null);
        if (attempt > 1) log.info({ attempt }, `${p.name} connected after ${attempt - 1} failed attempt(s)`);
        return;
      } catch (e) {
        if (abort.signal.aborted) return;
        const f = classifyStartFailure(e, p.tokenVariable);
        if (f.permanent) {
          o.health.pending(p.name, `${f.reason}; not retrying (the other roles keep running)`);
          log.error(
            { reason: f.reason },
            `${p.name} cannot start: ${f.reason}. Not retrying; the other roles keep running`,
          );
          return;
        }
        const delayMs = Math.round(Math.min(capMs, baseMs * 2 ** (attempt - 1)) * (0.8 + 0.4 * Math.random()));
        o.health.pending(
          p.name,
          `start-up failed (attempt ${attempt}): ${f.reason}; retrying in ${Math.ceil(delayMs / 1000)} s`,
        );
        log.warn({ attempt, retryInMs: delayMs, reason: f.reason }, `${p.name} start-up failed; retrying`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delayMs);
          abort.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
  })();
  return {
    async stop(deadlineMs: number) {
      abort.abort();
      await loop;
      const r = running as RoleHandle | null;
      if (r !== null) await r.stop(deadlineMs);
    },
  };
}
