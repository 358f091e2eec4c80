/**
 * vitest global setup: every suite talks to a private redis-server started here (free port,
 * temporary directory, nothing on disk), never to the Redis a bot on this machine may be using.
 * `REDIS_URL` set in the environment means exactly that server instead (nothing is started).
 * The address reaches the test workers (and the child processes they spawn) through
 * `HASHBELL_TEST_REDIS_URL`; `test/support/redis.ts` reads it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisAnswers } from '../../src/app/embedded-redis.ts';

let proc: ChildProcess | undefined;
let dir = '';

export async function setup(): Promise<void> {
  if (process.env.REDIS_URL) {
    process.env.HASHBELL_TEST_REDIS_URL = process.env.REDIS_URL;
    return;
  }
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'hashbell-test-redis-'));
  proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--databases',
      '16',
    ],
    { stdio: 'ignore' },
  );
  const failed = new Promise<never>((_, reject) => {
    proc?.once('error', (e) =>
      reject(new Error(`cannot start redis-server (is it installed? apt-get install redis-server): ${e.message}`)),
    );
  });
  const up = (async () => {
    for (let i = 0; i < 200; i++) {
      if (await redisAnswers('127.0.0.1', port, 500)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server on port ${port} did not answer within 5 s`);
  })();
  await Promise.race([up, failed]);
  process.env.HASHBELL_TEST_REDIS_URL = `redis://127.0.0.1:${port}`;
}

export async function teardown(): Promise<void> {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc?.once('exit', r));
    proc.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (proc.exitCode === null) proc.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
