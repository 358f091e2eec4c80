/**
 * Issue 13's goal, offline: the real process with every role and its chain source unreachable
 * (nothing listens at MEMPOOL_URL) stays up, serves /livez, and /readyz blames the chain source —
 * not Redis — while the log says so once and points to `npm run demo`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, privateRedis, spawnHashbell, until } from '../support/hashbell-process.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup.length = 0;
});

describe('no network', () => {
  it('stays up; /readyz says the chain source is unreachable, Redis is fine; the log points to the demo', async () => {
    const redis = await privateRedis();
    cleanup.push(() => redis.stop());
    const p = spawnHashbell({ entry: 'all', env: { REDIS_URL: redis.url, MEMPOOL_URL: 'http://127.0.0.1:1' } });
    cleanup.push(() => p.kill());
    const url = await p.httpUrl();
    type Body = { reasons?: Record<string, string>; checks?: Record<string, string> };
    await until(
      'the source blamed',
      async () => /unreachable/.test(((await getJson(`${url}/readyz`)).body as Body).reasons?.['watcher'] ?? ''),
      90_000,
    );
    const r = await getJson(`${url}/readyz`);
    expect(r.status).toBe(503);
    const body = r.body as Body;
    expect(Object.keys(body.reasons ?? {})).toEqual(['watcher']);
    expect(body.reasons?.['watcher']).toMatch(/^chain source http:\/\/127\.0\.0\.1:1 unreachable \(sync failing: /);
    expect(body.checks).toMatchObject({ redis: 'ok', evaluator: 'ok', 'notifier-console': 'ok' });
    expect((await getJson(`${url}/livez`)).status).toBe(200);
    const hint = await p.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('npm run demo'), 30_000);
    expect(hint.msg).toMatch(
      /^chain source http:\/\/127\.0\.0\.1:1 unreachable .*; hashbell keeps retrying\. No network\? `npm run demo` shows what hashbell does, offline$/,
    );
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  }, 150_000);
});
