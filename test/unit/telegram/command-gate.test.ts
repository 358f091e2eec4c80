/**
 * The Telegram command gate alone: budget before storage, /help without storage, a handler that
 * outlives its deadline, and what counts as a forward.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/observability/logger.ts';
import { commandGate, isForwarded, UNAVAILABLE, type Admission } from '../../../src/platforms/telegram/command-gate.ts';
import type { Reply } from '../../../src/platforms/telegram/handlers.ts';
import { html } from '../../../src/platforms/telegram/html.ts';

const text = (a: Admission): string => (a === null ? 'silent' : a === 'run' ? 'run' : a.html.value);

describe('commandGate', () => {
  it('spends the budget first, refuses storage commands while storage is down, answers /help from memory', () => {
    let up = true;
    const gate = commandGate({ budget: { burst: 3, perMinute: 1 }, available: () => up }, silentLogger());
    expect(text(gate.admit(-5, false, 'status'))).toBe('run');
    up = false;
    expect(gate.admit(-5, false, 'status')).toBe(UNAVAILABLE);
    expect(text(gate.admit(-5, false, 'help'))).toBe('run');
    expect(text(gate.admit(-5, false, 'help'))).toMatch(/slow down.*try again in 60 s/i);
    expect(text(gate.admit(-5, false, 'status'))).toBe('silent');
    // another bot's command in a group costs nothing; an unknown one in private is answered
    expect(text(gate.admit(-6, false, 'weather'))).toBe('run');
    expect(gate.admitButton(-6)).toMatch(/temporarily unavailable/i);
  });

  it('a handler past its deadline: "temporarily unavailable" now, its own answer when it completes', async () => {
    const gate = commandGate({ deadlineMs: 30 }, silentLogger());
    let finish!: (r: Reply) => void;
    const work = new Promise<Reply | null>((resolve) => {
      finish = resolve;
    });
    const late: Reply[] = [];
    expect(await gate.bounded(work, (r) => late.push(r))).toBe(UNAVAILABLE);
    const real: Reply = { html: html`done` };
    finish(real);
    await new Promise((r) => setTimeout(r, 0));
    expect(late).toEqual([real]);
    expect(await gate.bounded(Promise.resolve(real), () => undefined)).toBe(real);
  });

  it('knows a forward by any of the fields Telegram marks it with', () => {
    expect(isForwarded({ text: '/stop' })).toBe(false);
    for (const f of ['forward_origin', 'forward_date', 'forward_from', 'forward_from_chat', 'forward_sender_name']) {
      expect(isForwarded({ text: '/stop', [f]: 1 }), f).toBe(true);
    }
  });
});
