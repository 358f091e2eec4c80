/**
 * The command data obeys Discord's registration rules, and the notifier classifies every
 * failure into exactly one of the engine's kinds.
 */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/platforms/discord/commands.ts';
import { HANDLERS } from '../../../src/platforms/discord/handlers.ts';
import { classifyDiscordError } from '../../../src/platforms/discord/notifier.ts';

type Opt = {
  name: string;
  description: string;
  type: number;
  required?: boolean;
  options?: Opt[];
  choices?: unknown[];
};

function checkOptions(path: string, options: Opt[]): void {
  expect(options.length, path).toBeLessThanOrEqual(25);
  let seenOptional = false;
  for (const o of options) {
    expect(o.name, path).toMatch(/^[-_\p{Ll}\p{N}]{1,32}$/u);
    expect(o.description.length, `${path} ${o.name}`).toBeGreaterThan(0);
    expect(o.description.length, `${path} ${o.name}`).toBeLessThanOrEqual(100);
    expect(o.choices?.length ?? 0).toBeLessThanOrEqual(25);
    if (o.type === 1 || o.type === 2) checkOptions(`${path} ${o.name}`, o.options ?? []);
    else {
      // Discord rejects a required option after an optional one.
      if (o.required === true) expect(seenOptional, `${path} ${o.name}`).toBe(false);
      else seenOptional = true;
    }
  }
}

describe('slash command data', () => {
  it('follows Discord’s limits and has a handler for every (sub)command', () => {
    expect(COMMANDS.length).toBeLessThanOrEqual(100);
    const keys: string[] = [];
    for (const c of COMMANDS) {
      checkOptions(c.name, (c.options ?? []) as Opt[]);
      const opts = (c.options ?? []) as Opt[];
      const subs = opts.filter((o) => o.type === 1);
      const groups = opts.filter((o) => o.type === 2);
      // `/preview <kind>` routes by command; `/alert add <kind>` by its group (issue 11).
      if ((subs.length === 0 && groups.length === 0) || c.name === 'preview') keys.push(c.name);
      else for (const s of subs) keys.push(`${c.name} ${s.name}`);
      for (const g of groups) keys.push(`${c.name} ${g.name}`);
    }
    expect(keys.sort()).toEqual(Object.keys(HANDLERS).sort());
  });

  it('stays within Discord’s registration limits: 25 subcommands, 25 options, 100-character descriptions, 4000 characters a command', () => {
    const size = (o: { name: string; description: string; options?: Opt[]; choices?: unknown[] }): number =>
      o.name.length +
      o.description.length +
      (o.choices ?? []).reduce<number>(
        (n, ch) => n + String((ch as { name: string }).name).length + String((ch as { value: unknown }).value).length,
        0,
      ) +
      (o.options ?? []).reduce((n, x) => n + size(x), 0);
    for (const c of COMMANDS) {
      expect(c.description.length).toBeLessThanOrEqual(100);
      const n = size(c as unknown as Opt);
      console.log(`/${c.name}: ${n} characters`);
      expect(n, c.name).toBeLessThanOrEqual(4000);
    }
    const add = ((COMMANDS.find((c) => c.name === 'alert')?.options ?? []) as Opt[]).find((o) => o.name === 'add');
    expect(add?.type).toBe(2);
    expect(add?.options?.length).toBe(11);
    // Each kind shows only its own options (plus target): breakeven has no pct, hashrate-below no usd.
    const be = add?.options?.find((o) => o.name === 'breakeven');
    expect(be?.options?.map((o) => o.name)).toEqual(['jth', 'kwh', 'poolfee', 'remind', 'target']);
    expect(add?.options?.find((o) => o.name === 'hashrate-below')?.options?.map((o) => o.name)).toEqual([
      'ehs',
      'remind',
      'target',
    ]);
  });
});

const apiError = (status: number, code: number, message = 'x') =>
  new DiscordAPIError({ code, message }, code, status, 'POST', 'http://127.0.0.1/api/v10/channels/1/messages', {
    body: undefined,
    files: undefined,
  });

describe('classifyDiscordError', () => {
  it.each([
    [404, 10003],
    [403, 50001],
    [403, 50013],
    [403, 50007],
  ])('HTTP %i code %i is permanent', (status, code) => {
    const e = classifyDiscordError(apiError(status, code), 'deliver to s');
    expect(e.kind).toBe('permanent');
    expect(e.context).toMatchObject({ platform: 'discord', status, code });
  });
  it('5xx, network errors and unexpected 4xx are retryable (BullMQ is the retry layer)', () => {
    expect(
      classifyDiscordError(new HTTPError(502, 'Bad Gateway', 'POST', 'u', { body: undefined, files: undefined }), 'a')
        .kind,
    ).toBe('retryable');
    expect(classifyDiscordError(new TypeError('fetch failed'), 'a').kind).toBe('retryable');
    expect(classifyDiscordError(apiError(400, 50035), 'a').kind).toBe('retryable');
  });
  it('a rejected rate limit is rate-limited with its wait', () => {
    const rl = new RateLimitError({
      timeToReset: 1500,
      limit: 5,
      method: 'POST',
      hash: 'h',
      url: 'u',
      route: '/channels/:id/messages',
      majorParameter: '1',
      global: false,
      retryAfter: 1500,
      sublimitTimeout: 0,
      scope: 'user',
    });
    expect(classifyDiscordError(rl, 'a')).toMatchObject({
      kind: 'rate-limited',
      context: { retryAfterMs: 1500, scope: 'chat' },
    });
  });
  it('never carries the token', () => {
    const token = 'MTAxNTAwMDAwMDAwMDAwMDAw.Gh7Tst.abcdefghijklmnopqrstuvwxyz0123';
    const e = classifyDiscordError(new Error(`connect failed for Bot ${token}`), 'a');
    expect(e.message).not.toContain(token);
  });
});
