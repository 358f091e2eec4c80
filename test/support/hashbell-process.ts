/**
 * Runs hashbell as operators do: a real child process (`node --import tsx workers/<entry>.ts`, or
 * `npm run start` for the wrapper case) in its own process group, JSON logs on stderr parsed line
 * by line, the HTTP port (HTTP_PORT=0) read from its "serving" line. Each test gets its own
 * private redis-server (AOF, temporary directory), so the production key names cannot collide
 * with any other suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRedis, type RedisChoice } from '../../src/app/embedded-redis.ts';

/** A port where nothing listens, so resolveRedis never finds (or uses) a machine's own Redis. */
const NOTHING_LISTENS = 'redis://127.0.0.1:1';

export interface PrivateRedis extends RedisChoice {
  readonly dir: string;
}

/** A private redis-server (the same code `npm start` uses when no Redis is given). */
export async function privateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hashbell-proc-'));
  const choice = await resolveRedis(
    { redisUrl: '', redisUrlSet: false },
    { workDir: dir, probeUrl: NOTHING_LISTENS, say: () => undefined },
  );
  return {
    ...choice,
    dir,
    stop: async () => {
      await choice.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface HashbellProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly stdout: string[];
  /** Resolves with the first log line (already seen or future) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /**
   * http://127.0.0.1:<port> of /livez, /readyz, /metrics (after the serving line, within
   * `timeoutMs`, default 30 s; several processes starting at once on a loaded machine need more).
   */
  httpUrl(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGKILLs the whole group if still running (afterEach safety net). */
  kill(): void;
}

export interface SpawnOptions {
  /** 'npm' runs `npm run start` (npm → sh → exec node); otherwise workers/<entry>.ts under node. */
  readonly entry: 'all' | 'watcher' | 'evaluator' | 'notifier' | 'bot' | 'npm';
  readonly env: Record<string, string>;
}

const BASE_ENV = { LOG_FORMAT: 'json', LOG_LEVEL: 'info', HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' };

export function spawnHashbell(o: SpawnOptions): HashbellProcess {
  // Only what the process needs: PATH for node/npm/redis-server, nothing of the test runner's.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...BASE_ENV, ...o.env };
  const child =
    o.entry === 'npm'
      ? spawn('npm', ['run', '-s', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(process.execPath, ['--import', 'tsx', `workers/${o.entry}.ts`], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
  const logs: LogLine[] = [];
  const stdout: string[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of waiters) w();
  };
  let errBuf = '';
  child.stderr?.on('data', (d: Buffer) => {
    errBuf += d.toString();
    const lines = errBuf.split('\n');
    errBuf = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ msg: line, raw: true });
      }
    }
    wake();
  });
  let outBuf = '';
  child.stdout?.on('data', (d: Buffer) => {
    outBuf += d.toString();
    const lines = outBuf.split('\n');
    outBuf = lines.pop() ?? '';
    stdout.push(...lines);
    wake();
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      wake();
      resolve(code ?? signal ?? -1);
    }),
  );
  async function waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = logs.find(pred);
      if (hit !== undefined) return hit;
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `process exited (${child.exitCode ?? child.signalCode}) before the log line; last: ${JSON.stringify(logs.slice(-5))}`,
        );
      if (Date.now() > deadline)
        throw new Error(`no matching log line within ${timeoutMs} ms; last: ${JSON.stringify(logs.slice(-5))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        waiters.add(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
  return {
    child,
    logs,
    stdout,
    exited,
    waitForLog,
    httpUrl: async (timeoutMs?: number) =>
      String((await waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('serving /livez'), timeoutMs)).url),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    },
  };
}

/** GET `url` as JSON with its status; never throws (a refused connection is status 0). */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const res = await fetch(url);
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: res.status, body };
  } catch {
    return { status: 0, body: {} };
  }
}

/** Polls `cond` every 100 ms until true, or throws naming `what`. */
export async function until(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
