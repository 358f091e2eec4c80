import { describe, expect, it } from 'vitest';
import { ok } from '../../../src/alerting/result.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { COMMANDS, menuCommands, QUICK_RULES } from '../../../src/platforms/telegram/commands.ts';
import { handleButton, handleCommand, helpReply, type HandlerDeps } from '../../../src/platforms/telegram/handlers.ts';
import { SubscriptionUseCases } from '../../../src/subscriptions/use-cases.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { MemorySubscriptionStore } from '../../fakes/memory-stores.ts';
import { checkMessageText } from '../../fakes/telegram-markup.ts';

function world(snapshot: Snapshot | null = null) {
  const store = new MemorySubscriptionStore();
  const service = new SubscriptionUseCases({
    store, latestSnapshot: async () => snapshot,
    preview: async (spec) => ok({
      fromHeight: 880_000, toHeight: 890_000, fromSec: 1_735_000_000, toSec: 1_741_000_000, firings: spec.kind === 'hashrate-drop' ? 2 : 0, resolutions: 1,
      recent: [{ height: 881_234, time: 1_736_000_000, text: 'Hash rate down 11 % <3d>' }], source: 'fixture',
    }),
  });
  const admins = new Set([7]);
  const deps: HandlerDeps = { service, isAdmin: async (_chat, user) => admins.has(user), nowSec: () => 1_750_000_000 };
  return { store, service, deps };
}
const plain = (h: { value: string }): string => {
  const r = checkMessageText(h.value, 'HTML');
  if (!r.ok) throw new Error(r.description);
  return r.plain;
};

describe('command table', () => {
  it('is a valid setMyCommands payload and fits callback data in 64 bytes', () => {
    expect(menuCommands().length).toBeLessThanOrEqual(100);
    for (const c of menuCommands()) {
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description.length).toBeGreaterThanOrEqual(1);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
    for (const q of QUICK_RULES) expect(Buffer.byteLength(`add:${q.args}`)).toBeLessThanOrEqual(64);
    // /help mentions every command and every example.
    const help = plain(helpReply().html);
    for (const c of COMMANDS) {
      expect(help).toContain(`/${c.command}`);
      if (c.usage !== '') for (const e of c.examples) expect(help).toContain(e);
    }
  });
});

describe('handlers', () => {
  const dm = { id: 42, type: 'private' as const };
  const group = { id: -5, type: 'supergroup' as const };

  it('/preview answers from the backtest with window and counts', async () => {
    const { deps } = world();
    const r = await handleCommand(deps, dm, 42, 'preview', ['hashrate-drop', '10%', '3d']);
    const text = plain(r!.html);
    expect(text).toContain('Preview: hash rate down 10 % or more vs 2–6 weeks ago (30d lookback); messages show the 3d figure');
    expect(text).toContain('Blocks 880000–890000');
    expect(text).toContain('Would have fired 2 times and resolved 1 time.');
    expect(text).toContain('Hash rate down 11 % <3d>');
  });

  it('figures before the first block say so instead of failing', async () => {
    const { deps } = world(null);
    for (const c of ['status', 'retarget', 'hashprice']) expect(plain((await handleCommand(deps, dm, 42, c, []))!.html)).toContain('No chain data yet');
  });

  it('shows the retarget outcome on the first block of an epoch', async () => {
    const { deps } = world(makeSnapshot({ height: 2016 * 446, retarget: true, changePct: -3.2 }));
    expect(plain((await handleCommand(deps, dm, 42, 'retarget', []))!.html)).toContain('Just retargeted at block 899136: −3.2 %');
  });

  it('groups: non-admins are refused for every changing command and button; admins are not', async () => {
    const { deps, store } = world();
    for (const c of COMMANDS.filter((x) => x.changes)) {
      expect(plain((await handleCommand(deps, group, 8, c.command, ['1']))!.html), c.command).toContain('Only group administrators');
    }
    expect((await handleButton(deps, group, 8, 'add:slow-blocks 60')).toast).toContain('Only group administrators');
    expect(await store.get('telegram-chat--5')).toBeNull();
    expect((await handleButton(deps, group, 7, 'add:slow-blocks 60')).toast).toBe('Added alert 4');
    expect((await store.listRules('telegram-chat--5')).map((r) => r.kind)).toContain('slow-blocks');
  });

  it('ignores unknown commands in groups, explains them in private', async () => {
    const { deps } = world();
    expect(await handleCommand(deps, group, 8, 'weather', [])).toBeNull();
    expect(plain((await handleCommand(deps, dm, 42, 'weather', []))!.html)).toContain("I don't know /weather");
  });
});
