/**
 * How a chat platform's start-up failure is judged (issue 15 §3): a rejected token is permanent
 * and named by its variable, everything else (5xx, network) is retried, and no reason ever
 * carries the token.
 */
import { describe, expect, it } from 'vitest';
import { classifyStartFailure, startWithRetry } from '../../../src/app/platform-start.ts';
import { Health } from '../../../src/app/health.ts';
import { silentLogger } from '../../../src/observability/logger.ts';

const TOKEN = '123456789:AAEabcdefghijklmnopqrstuvwxyz0123456';

// Each row: the error as the client library throws it, permanent?, and what the reason must say.
const rows: Array<[string, unknown, boolean, RegExp]> = [
  [
    'telegraf 401',
    Object.assign(new Error('401: Unauthorized'), {
      response: { ok: false, error_code: 401, description: 'Unauthorized' },
    }),
    true,
    /rejected the token \(401 Unauthorized\): check TELEGRAM_BOT_TOKEN/,
  ],
  [
    'telegraf 500',
    Object.assign(new Error('500: Internal Server Error'), { response: { ok: false, error_code: 500 } }),
    false,
    /^500: Internal Server Error$/,
  ],
  [
    'discord.js invalid token',
    Object.assign(new Error('An invalid token was provided.'), { code: 'TokenInvalid' }),
    true,
    /rejected the token/,
  ],
  ['discord REST 401', Object.assign(new Error('401: Unauthorized'), { status: 401 }), true, /rejected the token/],
  ['discord REST 502', Object.assign(new Error('Bad Gateway'), { status: 502 }), false, /Bad Gateway/],
  [
    'network, token in the URL',
    new Error(`request to https://api.telegram.org/bot${TOKEN}/getMe failed, reason: getaddrinfo EAI_AGAIN`),
    false,
    /EAI_AGAIN/,
  ],
];

describe('classifyStartFailure', () => {
  it.each(rows)('%s', (_label, e, permanent, reason) => {
    const f = classifyStartFailure(e, 'TELEGRAM_BOT_TOKEN');
    expect(f.permanent).toBe(permanent);
    expect(f.reason).toMatch(reason);
    expect(f.reason).not.toContain(TOKEN.split(':')[1]);
  });
});

describe('startWithRetry', () => {
  it('returns at once, retries until the start succeeds, and /readyz clears', async () => {
    const health = new Health();
    let attempts = 0;
    const handle = startWithRetry(
      {
        name: 'telegram',
        tokenVariable: 'TELEGRAM_BOT_TOKEN',
        start: async () => {
          attempts += 1;
          if (attempts < 3) throw Object.assign(new Error('502: Bad Gateway'), { response: { error_code: 502 } });
          return { stop: async () => undefined };
        },
      },
      { health, logger: silentLogger(), backoff: { baseMs: 5, capMs: 10 } },
    );
    expect(await health.failing()).toMatchObject({ telegram: expect.stringMatching(/connecting|start-up failed/) });
    for (let i = 0; i < 100 && (await health.failing()) !== null; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await health.failing()).toBeNull();
    expect(attempts).toBe(3);
    await handle.stop(100);
  });

  it('stop() ends a retry loop that never succeeds', async () => {
    const health = new Health();
    let attempts = 0;
    const handle = startWithRetry(
      {
        name: 'discord',
        tokenVariable: 'DISCORD_TOKEN',
        start: async () => {
          attempts += 1;
          throw new Error('connect ECONNREFUSED');
        },
      },
      { health, logger: silentLogger(), backoff: { baseMs: 5, capMs: 10 } },
    );
    while (attempts < 3) await new Promise((r) => setTimeout(r, 5));
    await handle.stop(100);
    const after = attempts;
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(after);
  });
});
