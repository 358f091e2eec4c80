import { describe, expect, it } from 'vitest';
import { ok } from '../../../src/alerting/result.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { COMMANDS, menuCommands, QUICK_RULES } from '../../../src/platforms/telegram/commands.ts';
import {
  alertButtons,
  handleButton,
  handleCommand,
  helpReply,
  SNOOZE_SEC,
  type HandlerDeps,
} from '../../../src/platforms/telegram/handlers.ts';
import { route } from '../../../src/alerting/pipeline.ts';
import type { AlertEvent } from '../../../src/alerting/types.ts';
import { SubscriptionUseCases } from '../../../src/subscriptions/use-cases.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { MemorySubscriptionStore } from '../../fakes/memory-stores.ts';
import { checkMessageText } from '../../fakes/telegram-markup.ts';

function world(snapshot: Snapshot | null = null) {
  const store = new MemorySubscriptionStore();
  const service = new SubscriptionUseCases({
    store,
    latestSnapshot: async () => snapshot,
    preview: async (spec) =>
      ok({
        fromHeight: 880_000,
        toHeight: 890_000,
        fromSec: 1_735_000_000,
        toSec: 1_741_000_000,
        firings: spec.kind === 'hashrate-drop' ? 2 : 0,
        resolutions: 1,
        recent: [{ height: 881_234, time: 1_736_000_000, text: 'Hash rate down 11 % <3d>' }],
        source: 'fixture',
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
    expect(text).toContain(
      'Preview: hash rate down 10 % or more vs 2–6 weeks ago (30d lookback); messages show the 3d figure',
    );
    expect(text).toContain('Blocks 880000–890000');
    expect(text).toContain('Would have fired 2 times and resolved 1 time.');
    expect(text).toContain('Hash rate down 11 % <3d>');
  });

  it('figures before the first block say so instead of failing', async () => {
    const { deps } = world(null);
    for (const c of ['status', 'retarget', 'hashprice'])
      expect(plain((await handleCommand(deps, dm, 42, c, []))!.html)).toContain('No chain data yet');
  });

  it('shows the retarget outcome on the first block of an epoch', async () => {
    const { deps } = world(makeSnapshot({ height: 2016 * 446, retarget: true, changePct: -3.2 }));
    expect(plain((await handleCommand(deps, dm, 42, 'retarget', []))!.html)).toContain(
      'Just retargeted at block 899136: −3.2 %',
    );
  });

  it('groups: non-admins are refused for every changing command and button; admins are not', async () => {
    const { deps, store } = world();
    for (const c of COMMANDS.filter((x) => x.changes)) {
      expect(plain((await handleCommand(deps, group, 8, c.command, ['1']))!.html), c.command).toContain(
        'Only group administrators',
      );
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

describe('issue 11/15: units, implausible numbers, extra arguments, /help', () => {
  const dm = { id: 42, type: 'private' as const };
  const group = { id: -100, type: 'group' as const };

  it('/help lists every kind with its parameters in words and an example, within 4096 characters', () => {
    const h = helpReply().html.value;
    expect(h.length).toBeLessThanOrEqual(4096);
    const text = plain(helpReply().html);
    for (const kind of [
      'hashrate-drop',
      'hashrate-below',
      'retarget-estimate',
      'retarget',
      'retarget-soon',
      'hashprice-move',
      'hashprice-below',
      'hashprice-above',
      'breakeven',
      'slow-blocks',
      'new-block',
    ]) {
      expect(text).toContain(`• ${kind}: `);
      expect(text).toContain(`/alert ${kind}`);
    }
    expect(text).toContain('17 J/TH, power at $0.06/kWh, a 2 % pool fee');
  });

  it('an implausible bare number stores nothing and offers the conversion as a permission-checked button', async () => {
    const { deps, service } = world();
    await handleCommand(deps, dm, 42, 'start', []);
    const before = (await service.listRules({ platform: 'telegram', targetType: 'chat', targetId: '42', userId: '42' }))
      .length;
    const r = await handleCommand(deps, dm, 42, 'alert', ['hashprice-below', '0.045']);
    expect(plain(r!.html)).toContain('did you mean 45 $/PH/day');
    const button = r!.buttons?.[0]?.[0];
    expect(button?.data).toBe('add:hashprice-below $45/PH');
    expect(Buffer.byteLength(button!.data)).toBeLessThanOrEqual(64);
    expect(
      (await service.listRules({ platform: 'telegram', targetType: 'chat', targetId: '42', userId: '42' })).length,
    ).toBe(before);
    const pressed = await handleButton(deps, dm, 42, button!.data);
    expect(pressed.toast).toMatch(/^Added alert \d+$/);
    const rules = await service.listRules({ platform: 'telegram', targetType: 'chat', targetId: '42', userId: '42' });
    expect(rules.at(-1)).toMatchObject({ kind: 'hashprice-below', usd: 45 });
    // In a group, a member who is no administrator cannot press it.
    expect((await handleButton(deps, group, 8, button!.data)).toast).toContain('Only group administrators');
  });

  it('units are accepted; negatives and extra arguments are refused with a reason', async () => {
    const { deps } = world();
    await handleCommand(deps, dm, 42, 'start', []);
    for (const args of [
      ['breakeven', '17J/TH', '$0.06/kWh'],
      ['hashrate-below', '0.9ZH/s'],
      ['hashprice-below', '0.045/TH'],
    ]) {
      expect(plain((await handleCommand(deps, dm, 42, 'alert', args))!.html)).toContain('Added alert');
    }
    const neg = plain((await handleCommand(deps, dm, 42, 'alert', ['breakeven', '17', '0.06', '-2%']))!.html);
    expect(neg).toContain('"-2%" is negative');
    expect(neg).toContain('Nothing was changed');
    const extra = plain((await handleCommand(deps, dm, 42, 'remove', ['1', '2']))!.html);
    expect(extra).toContain('"2" is extra: /remove takes one alert id');
  });
});

describe('issue 11: snooze, settings and /timezone', () => {
  const dm = { id: 42, type: 'private' as const };
  const group = { id: -100, type: 'group' as const };
  const t = { platform: 'telegram' as const, targetType: 'chat' as const, targetId: '42', userId: '42' };

  it('snoozes one rule for 24 h (route drops its events until then), wakes it, refuses group members', async () => {
    const { deps, service } = world();
    await handleCommand(deps, dm, 42, 'start', []);
    expect(
      alertButtons(['2', '2', '3'])
        .flat()
        .map((b) => b.data),
    ).toEqual(['sz:2', 'set:2', 'sz:3', 'set:3']);
    const out = await handleButton(deps, dm, 42, 'sz:2');
    expect(out.toast).toMatch(/^Alert 2 snoozed until /);
    const sub = (await service.get(t))!;
    expect(sub.snoozed).toEqual({ '2': 1_750_000_000 + SNOOZE_SEC });
    const ev = (rule: string) => ({ rule, subscriptionId: sub.id }) as unknown as AlertEvent;
    expect(route(sub, [ev('2'), ev('3')], 1_750_000_100).now.map((e) => e.rule)).toEqual(['3']);
    expect(route(sub, [ev('2')], 1_750_000_000 + SNOOZE_SEC + 1).now.map((e) => e.rule)).toEqual(['2']);
    const settings = await handleButton(deps, dm, 42, 'set:2');
    expect(plain(settings.follow!.html)).toContain('Snoozed until');
    expect(settings.follow!.buttons?.flat().map((b) => b.data)).toEqual(['uz:2', 'rm:2']);
    expect((await handleButton(deps, dm, 42, 'uz:2')).toast).toBe(
      'Alert 2 is awake again; anything it held arrives now',
    );
    expect((await service.get(t))!.snoozed).toBeUndefined();
    expect((await handleButton(deps, group, 8, 'sz:1')).toast).toContain('Only group administrators');
    expect((await handleButton(deps, dm, 42, 'sz:99')).toast).toContain('There is no alert 99');
  });

  it('/timezone <zone> on its own; a bad zone or extra words are refused', async () => {
    const { deps, service } = world();
    await handleCommand(deps, dm, 42, 'start', []);
    expect(plain((await handleCommand(deps, dm, 42, 'timezone', ['europe/berlin']))!.html)).toContain(
      'Time zone set to Europe/Berlin',
    );
    expect((await service.get(t))!.timeZone).toBe('Europe/Berlin');
    expect(plain((await handleCommand(deps, dm, 42, 'timezone', ['Nowhere/Land']))!.html)).toContain(
      'is not a time zone I know',
    );
    expect(plain((await handleCommand(deps, dm, 42, 'timezone', ['UTC', 'now']))!.html)).toContain('"now" is extra');
  });
});
