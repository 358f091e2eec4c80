/**
 * The platform-neutral use cases on both stores (memory fake and Redis DB 3): defaults on start,
 * parsing and limits on addRule (a bad argument stores nothing), remove, mute, quiet, stop,
 * migrate, deactivate; and preview over the bundled fixture.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { SubscriptionStore } from '../../src/alerting/ports.ts';
import { err } from '../../src/alerting/result.ts';
import { discordProblem } from '../../src/platforms/discord/problem-words.ts';
import { telegramProblem } from '../../src/platforms/telegram/problem-words.ts';
import { engineKeys } from '../../src/store/keys.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';
import type { Target } from '../../src/subscriptions/service.ts';
import { fixtureHistory, previewOver, previewWith } from '../../src/subscriptions/preview.ts';
import { DEFAULT_RULES, SubscriptionUseCases } from '../../src/subscriptions/use-cases.ts';
import { MemorySubscriptionStore } from '../fakes/memory-stores.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { cleanPrefix } from './engine-harness.ts';
import { testRedis } from '../support/redis.ts';

const redis = testRedis(3);
const prefix = `hb-test-engine-usecases-${process.pid}`;
afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

const group: Target = { platform: 'telegram', targetType: 'chat', targetId: '-100777', userId: '42' };
const NOW = 1_760_000_000;
const noPreview = async () => err('no-history', {});

const stores: Array<[string, () => Promise<SubscriptionStore>]> = [
  ['memory', async () => new MemorySubscriptionStore()],
  [
    'redis',
    async () => {
      await cleanPrefix(redis, prefix);
      return new RedisSubscriptionStore(redis, { keys: engineKeys(`${prefix}:`) });
    },
  ],
];

describe.each(stores)('SubscriptionUseCases (%s store)', (_n, make) => {
  let uc: SubscriptionUseCases;
  beforeEach(async () => {
    uc = new SubscriptionUseCases({ store: await make(), latestSnapshot: async () => null, preview: noPreview });
  });

  it('start creates the subscription with the default rules once, and is idempotent', async () => {
    const first = await uc.start(group, NOW);
    expect(first.created).toBe(true);
    expect(first.subscription).toMatchObject({
      id: 'telegram-chat--100777',
      ownerId: '42',
      timeZone: 'UTC',
      active: true,
    });
    expect(first.rules.map(({ id: _i, subscriptionId: _s, createdSec: _c, ...spec }) => spec)).toEqual(DEFAULT_RULES);
    const again = await uc.start(group, NOW + 5);
    expect(again.created).toBe(false);
    expect(again.rules).toHaveLength(3);
  });

  it('addRule parses chat words; a bad argument stores nothing and says why with an example', async () => {
    await uc.start(group, NOW);
    const good = await uc.addRule(group, 'breakeven', ['17', '0.06'], NOW);
    expect(good.ok && good.value).toMatchObject({ kind: 'breakeven', jth: 17, kwh: 0.06, id: '4' });
    for (const [kind, tokens] of [
      ['hashrate-drop', ['ten%']],
      ['hashrate-drop', ['95%']],
      ['nonsense', []],
      ['hashrate-drop', ['10%', '5y']],
    ] as const) {
      const bad = await uc.addRule(group, kind, tokens, NOW);
      expect(bad.ok).toBe(false);
      // The core says which id and facts; each platform words it with its own example.
      if (!bad.ok) expect(telegramProblem(bad).example).toMatch(/^\/alert /);
      if (!bad.ok) expect(discordProblem(bad).example).toMatch(/^\/alert add /);
    }
    expect(await uc.listRules(group)).toHaveLength(4);
  });

  it('refuses a rule without /start and beyond 25 rules', async () => {
    const none = await uc.addRule(group, 'new-block', [], NOW);
    expect(!none.ok && none.error).toBe('not-subscribed');
    await uc.start(group, NOW);
    for (let i = 0; i < 22; i++) expect((await uc.addRule(group, 'slow-blocks', [`${30 + i}m`], NOW)).ok).toBe(true);
    const full = await uc.addRule(group, 'new-block', [], NOW);
    expect(!full.ok && full.error).toBe('too-many-rules');
  });

  it('remove takes an id (also "#3"), and says when there is none', async () => {
    await uc.start(group, NOW);
    const removed = await uc.removeRule(group, '#2');
    expect(removed.ok && removed.value.kind).toBe('hashrate-drop');
    expect((await uc.removeRule(group, '2')).ok).toBe(false);
    const bad = await uc.removeRule(group, 'two');
    expect(!bad.ok && bad.error).toBe('bad-rule-id');
    expect((await uc.listRules(group)).map((r) => r.id)).toEqual(['1', '3']);
  });

  it('mute, unmute and quiet hours change the subscription; bad input changes nothing', async () => {
    await uc.start(group, NOW);
    const m = await uc.mute(group, '6h', NOW);
    expect(m.ok && m.value.untilSec).toBe(NOW + 6 * 3600);
    expect((await uc.get(group))?.mutedUntilSec).toBe(NOW + 6 * 3600);
    expect((await uc.mute(group, 'forever', NOW)).ok).toBe(false);
    expect((await uc.get(group))?.mutedUntilSec).toBe(NOW + 6 * 3600);
    expect((await uc.unmute(group)).ok).toBe(true);
    expect((await uc.get(group))?.mutedUntilSec).toBeNull();
    const q = await uc.quiet(group, ['23:00-07:00', 'europe/berlin']);
    expect(q.ok && q.value).toEqual({ startMin: 1380, endMin: 420 });
    expect(await uc.get(group)).toMatchObject({ quiet: { startMin: 1380, endMin: 420 }, timeZone: 'Europe/Berlin' });
    expect((await uc.quiet(group, ['23:00-07:00', 'Mars/Olympus'])).ok).toBe(false);
    expect((await uc.quiet(group, ['off'])).ok).toBe(true);
    expect(await uc.get(group)).toMatchObject({ quiet: null, timeZone: 'Europe/Berlin' });
  });

  it('stop forgets everything; deactivate keeps the rules and start restores delivery', async () => {
    await uc.start(group, NOW);
    await uc.deactivate(group);
    expect((await uc.get(group))?.active).toBe(false);
    const back = await uc.start(group, NOW);
    expect(back.created).toBe(false);
    expect((await uc.get(group))?.active).toBe(true);
    expect(await uc.stop(group)).toBe(true);
    expect(await uc.get(group)).toBeNull();
    expect(await uc.listRules(group)).toEqual([]);
    expect(await uc.stop(group)).toBe(false);
  });

  it('migrate moves the subscription and its rules to the supergroup id', async () => {
    await uc.start(group, NOW);
    await uc.addRule(group, 'hashprice-below', ['45'], NOW);
    await uc.migrate(group, '-100888');
    expect(await uc.get(group)).toBeNull();
    const moved: Target = { ...group, targetId: '-100888' };
    expect((await uc.get(moved))?.id).toBe('telegram-chat--100888');
    expect((await uc.listRules(moved)).map((r) => r.kind)).toEqual([
      'retarget',
      'hashrate-drop',
      'retarget-estimate',
      'hashprice-below',
    ]);
  });
});

describe('preview', () => {
  it('counts firings and resolutions of one rule over a history', () => {
    const history = [0, 0, 40, 41, 0, 0, 42, 0].map((d, i) =>
      makeSnapshot({ height: 8000 + i, timeSec: NOW + i * 7 * 86_400, dropPct: d }),
    );
    const r = previewOver({ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }, history, 'chain-state');
    expect(
      r.ok && { f: r.value.firings, r: r.value.resolutions, from: r.value.fromHeight, to: r.value.toHeight },
    ).toEqual({ f: 2, r: 2, from: 8000, to: 8007 });
    // Each recent event by its headline: no extra lines (a drop's "Began: …" time is the alert's).
    const recent = r.ok ? r.value.recent : [];
    expect(recent.length).toBeGreaterThan(0);
    for (const e of recent) expect(e.text).not.toMatch(/\n|Began/);
    // The drop rule's preview also says how soon drops are seen (from the calibrated table).
    expect(r.ok && r.value.advice).toMatch(
      /^A drop is seen on average: .*20 % in about .*False alarms: about [\d.]+ a year/,
    );
  });

  it('falls back to the bundled fixture when chain state is empty, and rejects bad arguments', async () => {
    const uc = new SubscriptionUseCases({
      store: new MemorySubscriptionStore(),
      latestSnapshot: async () => null,
      preview: previewWith([async () => null, fixtureHistory()]),
    });
    const r = await uc.preview('new-block', [], NOW);
    expect(r.ok && r.value.source).toBe('fixture');
    if (r.ok) {
      expect(r.value.toHeight - r.value.fromHeight + 1).toBe(4032);
      expect(r.value.firings).toBe(4032);
      expect(r.value.recent).toHaveLength(5);
    }
    const bad = await uc.preview('hashrate-drop', ['lots'], NOW);
    expect(bad.ok).toBe(false);
  }, 60_000);
});
