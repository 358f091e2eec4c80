/**
 * Which Redis `npm start` uses (issue 13 §1): REDIS_URL as given; else one already answering on
 * the default address; else a private redis-server (AOF, noeviction, data under
 * `.hashbell/redis/`, loopback, free port) that keeps its data across restarts, is taken over if
 * an earlier run could not stop it, and is stopped on exit; no redis-server → install hints.
 * The default address is replaced by the test Redis or by a port where nothing listens: no test
 * ever touches the user's own Redis at the default address.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  INSTALL_HINTS,
  NoRedisError,
  redisAnswers,
  resolveRedis,
  type RedisChoice,
} from '../../../src/app/embedded-redis.ts';
import { testRedisUrl } from '../../support/redis.ts';
import { DEFAULT_REDIS_URL } from '../../../config/index.ts';

const NOTHING_LISTENS = 'redis://127.0.0.1:1';
const unset = { redisUrl: DEFAULT_REDIS_URL, redisUrlSet: false };
let dirs: string[] = [];
let choices: RedisChoice[] = [];
const lines: string[] = [];
const say = (l: string): void => {
  lines.push(l);
};

function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hashbell-embedded-'));
  dirs.push(d);
  return d;
}

async function embedded(dir: string): Promise<RedisChoice> {
  const c = await resolveRedis(unset, { workDir: dir, probeUrl: NOTHING_LISTENS, say });
  choices.push(c);
  return c;
}

afterEach(async () => {
  for (const c of choices) await c.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  choices = [];
  dirs = [];
  lines.length = 0;
});

const portOf = (url: string): number => Number(new URL(url).port);

describe('resolveRedis', () => {
  it('REDIS_URL set means exactly that server, not probed, nothing started', async () => {
    const c = await resolveRedis(
      { redisUrl: 'redis://10.9.8.7:6390/2', redisUrlSet: true },
      { workDir: workDir(), probeUrl: NOTHING_LISTENS, say },
    );
    expect(c).toMatchObject({ url: 'redis://10.9.8.7:6390/2', kind: 'given' });
    expect(lines).toEqual([]);
  });

  it('unset, with a Redis answering on the default address: that one', async () => {
    const dir = workDir();
    const c = await resolveRedis(unset, { workDir: dir, probeUrl: testRedisUrl(), say });
    expect(c.kind).toBe('local');
    expect(portOf(c.url)).toBe(portOf(testRedisUrl()));
    expect(existsSync(join(dir, '.hashbell'))).toBe(false);
  });

  it('unset, nothing answering: a private durable server on loopback, said in one line, stopped on exit, data kept', async () => {
    const dir = workDir();
    const c = await embedded(dir);
    expect(c.kind).toBe('embedded');
    expect(c.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /no Redis on 127\.0\.0\.1:1: started a private redis-server on 127\.0\.0\.1:\d+ \(data in .*\.hashbell\/redis\)/,
    );
    const r = new Redis(c.url);
    expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    expect(await r.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
    expect(((await r.config('GET', 'dir')) as string[])[1]).toBe(join(dir, '.hashbell', 'redis'));
    await r.set('kept', 'across restarts');
    r.disconnect();
    await c.stop();
    expect(await redisAnswers('127.0.0.1', portOf(c.url))).toBe(false);
    expect(existsSync(join(dir, '.hashbell', 'redis', 'server.json'))).toBe(false);

    const again = await embedded(dir);
    const r2 = new Redis(again.url);
    expect(await r2.get('kept')).toBe('across restarts');
    r2.disconnect();
  });

  it('a server an earlier run left behind (it was killed) is taken over, not doubled', async () => {
    const dir = workDir();
    const first = await embedded(dir);
    const second = await embedded(dir); // as if the first process had died without stopping it
    expect(second.url).toBe(first.url);
    expect(lines[1]).toMatch(/reusing the private redis-server an earlier run left/);
    await second.stop();
    expect(await redisAnswers('127.0.0.1', portOf(first.url))).toBe(false);
  });

  it('no redis-server on PATH: the install hints (apt, brew, docker), nothing started', async () => {
    const dir = workDir();
    const p = resolveRedis(unset, {
      workDir: dir,
      probeUrl: NOTHING_LISTENS,
      say,
      redisServer: 'redis-server-not-installed-here',
    });
    await expect(p).rejects.toBeInstanceOf(NoRedisError);
    const e = (await p.catch((x: unknown) => x)) as NoRedisError;
    expect(e.lines).toEqual(INSTALL_HINTS);
    expect(e.lines.join('\n')).toMatch(/apt-get install -y redis-server[\s\S]*brew install redis[\s\S]*docker run/);
    expect(lines).toEqual([]);
  });
});
