/**
 * Which Redis `npm start` uses. REDIS_URL set means exactly that server. Unset, a Redis already
 * answering on 127.0.0.1:6379 is used; if none answers, a private `redis-server` is started for
 * this process (AOF on, noeviction, data under `.hashbell/redis/` in the working directory, a free
 * port on loopback) and stopped on exit, so a first `npm start` needs nothing but redis-server on
 * PATH. This is the start path's decision; loadConfig stays pure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_REDIS_URL } from '../../config/index.ts';

/** The Redis this process uses, and how to let it go. */
export interface RedisChoice {
  readonly url: string;
  /** 'given' = REDIS_URL; 'local' = one found on the default address; 'embedded' = ours. */
  readonly kind: 'given' | 'local' | 'embedded';
  /** Stops the embedded server (no-op otherwise); resolves once it has exited. */
  stop(): Promise<void>;
}

/** No Redis could be had: `lines` say why and how to get one (printed as they are, exit 1). */
export class NoRedisError extends Error {
  override readonly name = 'NoRedisError';
  constructor(readonly lines: readonly string[]) {
    super(lines.join(' '));
  }
}

export interface ResolveRedisOptions {
  /** Where `.hashbell/` goes (the working directory). */
  readonly workDir: string;
  /** The address probed when REDIS_URL is unset (tests point it where nothing listens). */
  readonly probeUrl?: string;
  /** The server binary (default `redis-server`, looked up on PATH). */
  readonly redisServer?: string;
  /** One line for the operator (the caller's logger). */
  readonly say: (line: string, fields?: Record<string, unknown>) => void;
  /** How long the new server may take to answer, ms (default 10 s). */
  readonly startTimeoutMs?: number;
}

/** The install hints printed when redis-server is missing. */
export const INSTALL_HINTS: readonly string[] = [
  'hashbell needs Redis 7: REDIS_URL is unset, nothing answers on 127.0.0.1:6379, and redis-server is not on PATH. Install it, or point REDIS_URL at one:',
  '  Debian/Ubuntu:  sudo apt-get install -y redis-server',
  '  macOS:          brew install redis',
  '  Docker:         docker run -d --name hashbell-redis -p 127.0.0.1:6379:6379 redis:7-alpine redis-server --appendonly yes --maxmemory-policy noeviction',
];

/** True when a Redis answers PING with PONG at host:port within `timeoutMs`. */
export async function redisAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host });
    const done = (ok: boolean): void => {
      s.destroy();
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => {
      s.write('PING\r\n');
    });
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    s.once('error', () => done(false));
  });
}

/** A TCP port on 127.0.0.1 nobody listens on right now (for a private redis-server). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const p = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return p;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface ServerRecord {
  readonly pid: number;
  readonly port: number;
}

function readRecord(file: string): ServerRecord | null {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerRecord>;
    return typeof r.pid === 'number' && typeof r.port === 'number' ? { pid: r.pid, port: r.port } : null;
  } catch {
    return null;
  }
}

/** Stops `pid` with SIGTERM (Redis writes its AOF and exits), SIGKILL after `graceMs`. */
async function stopPid(pid: number, exited: Promise<unknown>, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    exited,
    new Promise((r) => {
      timer = setTimeout(r, graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

async function waitUntilExit(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Decides and, if needed, starts the Redis (see the file comment). Throws NoRedisError when
 * redis-server is missing or will not start.
 */
export async function resolveRedis(
  config: { redisUrl: string; redisUrlSet: boolean },
  o: ResolveRedisOptions,
): Promise<RedisChoice> {
  const noop = async (): Promise<void> => undefined;
  if (config.redisUrlSet) return { url: config.redisUrl, kind: 'given', stop: noop };
  const probe = new URL(o.probeUrl ?? DEFAULT_REDIS_URL);
  if (await redisAnswers(probe.hostname, Number(probe.port || 6379)))
    return { url: probe.toString().replace(/\/$/, ''), kind: 'local', stop: noop };

  const dir = join(o.workDir, '.hashbell', 'redis');
  mkdirSync(dir, { recursive: true });
  const recordFile = join(dir, 'server.json');
  const left = readRecord(recordFile);
  // A server an earlier run could not stop (it was SIGKILLed): take it over rather than start a
  // second one on the same files.
  if (left !== null && alive(left.pid) && (await redisAnswers('127.0.0.1', left.port))) {
    o.say(
      `no Redis on ${probe.host}: reusing the private redis-server an earlier run left on 127.0.0.1:${left.port} (data in ${dir}); it stops when hashbell does`,
      { port: left.port },
    );
    return {
      url: `redis://127.0.0.1:${left.port}`,
      kind: 'embedded',
      stop: async () => {
        await stopPid(left.pid, waitUntilExit(left.pid), 5000);
        rmSync(recordFile, { force: true });
      },
    };
  }

  const port = await freePort();
  const child: ChildProcess = spawn(
    o.redisServer ?? 'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      'redis.log',
      '--daemonize',
      'no',
    ],
    {
      cwd: dir,
      stdio: 'ignore',
      // Its own process group: Ctrl-C in the terminal reaches hashbell, which drains its jobs and
      // only then stops this server (it must outlive the drain).
      detached: true,
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new NoRedisError(INSTALL_HINTS)
          : new NoRedisError([`could not run redis-server: ${e.message}`]),
      ),
    );
    child.once('exit', (code) =>
      reject(
        new NoRedisError([`the private redis-server exited at start (code ${code}); see ${join(dir, 'redis.log')}`]),
      ),
    );
  });
  const up = (async () => {
    const deadline = Date.now() + (o.startTimeoutMs ?? 10_000);
    while (Date.now() < deadline) {
      if (await redisAnswers('127.0.0.1', port, 500)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new NoRedisError([
      `the private redis-server did not answer on 127.0.0.1:${port} within ${o.startTimeoutMs ?? 10_000} ms; see ${join(dir, 'redis.log')}`,
    ]);
  })();
  try {
    await Promise.race([up, failed]);
  } catch (e) {
    if (child.pid !== undefined && child.exitCode === null) await stopPid(child.pid, exited, 2000);
    throw e;
  }
  failed.catch(() => undefined);
  child.unref();
  const pid = child.pid as number;
  writeFileSync(recordFile, JSON.stringify({ pid, port }));
  o.say(
    `no Redis on ${probe.host}: started a private redis-server on 127.0.0.1:${port} (data in ${dir}); it stops when hashbell does`,
    { port, dir },
  );
  let stopping: Promise<void> | null = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    kind: 'embedded',
    stop: () =>
      (stopping ??= (async () => {
        await stopPid(pid, exited, 5000);
        rmSync(recordFile, { force: true });
      })()),
  };
}
