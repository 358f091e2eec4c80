/**
 * The store ports' contract suite, one per port, parametrised over implementations: the in-memory
 * fake and Redis (test/contract/stores.test.ts), and a Redis Cluster
 * (test/integration/redis-cluster.test.ts). Each implementation is a factory that returns fresh,
 * empty ports.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { NotificationLog, RuleStateStore, SubscriptionStore } from '../../src/alerting/ports.ts';
import type { RuleSpec, RuleState, Subscription } from '../../src/alerting/types.ts';
import { scanTargets, type RedisClient } from '../../src/store/connection.ts';
import type { EngineKeys } from '../../src/store/keys.ts';
import { RedisNotificationLog } from '../../src/store/redis-notification-log.ts';
import { RedisRuleStateStore } from '../../src/store/redis-rule-states.ts';
import { RedisSubscriptionStore } from '../../src/store/redis-subscriptions.ts';

export interface Ports {
  subs: SubscriptionStore;
  states: RuleStateStore;
  log: NotificationLog;
}

/** A name and a factory of fresh, empty ports. */
export type PortsImpl = [string, () => Promise<Ports>];

/** Deletes every key under `keys`' prefix (on a cluster: on every master). */
export async function cleanKeys(redis: RedisClient, keys: EngineKeys): Promise<void> {
  for (const node of scanTargets(redis)) {
    const found = await node.keys(keys.all());
    if (found.length === 0) continue;
    const tx = node.pipeline();
    for (const k of found) tx.del(k);
    await tx.exec();
  }
}

/** The Redis implementation of the ports on `redis` under `keys`, emptied first. */
export function redisPorts(redis: RedisClient, keys: EngineKeys): () => Promise<Ports> {
  return async () => {
    await cleanKeys(redis, keys);
    return {
      subs: new RedisSubscriptionStore(redis, { keys }),
      states: new RedisRuleStateStore(redis, keys),
      log: new RedisNotificationLog(redis, keys),
    };
  };
}

/** Registers the contract suites for every implementation in `impls`. */
export function storeContract(impls: readonly PortsImpl[]): void {
  const sub = (over: Partial<Subscription> = {}): Subscription => ({
    id: 'telegram-chat--100123',
    platform: 'telegram',
    targetType: 'chat',
    targetId: '-100123',
    ownerId: '42',
    timeZone: 'Europe/Berlin',
    quiet: { startMin: 1380, endMin: 420 },
    mutedUntilSec: null,
    active: true,
    createdSec: 1_700_000_000,
    ...over,
  });
  const drop: RuleSpec = { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' };
  const state: RuleState = {
    status: 'firing',
    lastHeight: 900_000,
    lastHash: 'ab'.repeat(32),
    firingSinceHeight: 899_990,
    lastNotifiedSec: 1_700_000_123,
  };

  describe.each(impls)('SubscriptionStore contract (%s)', (_name, make) => {
    let p: Ports;
    beforeEach(async () => {
      p = await make();
    });

    it('round-trips a subscription, including quiet hours and mute, and replaces on put', async () => {
      expect(await p.subs.get('telegram-chat--100123')).toBeNull();
      await p.subs.put(sub());
      expect(await p.subs.get('telegram-chat--100123')).toEqual(sub());
      await p.subs.put(sub({ quiet: null, mutedUntilSec: 1_700_009_999 }));
      expect(await p.subs.get('telegram-chat--100123')).toEqual(sub({ quiet: null, mutedUntilSec: 1_700_009_999 }));
    });

    it('setActive flips the flag and does not create a subscription', async () => {
      await p.subs.put(sub());
      await p.subs.setActive(sub().id, false);
      expect((await p.subs.get(sub().id))?.active).toBe(false);
      await p.subs.setActive('discord-user-1', false);
      expect(await p.subs.get('discord-user-1')).toBeNull();
    });

    it('allocates short increasing rule ids, never reused, listed in numeric order', async () => {
      await p.subs.put(sub());
      const ids: string[] = [];
      for (let i = 0; i < 11; i++) {
        const r = await p.subs.addRule(sub().id, { kind: 'slow-blocks', minutes: 30 + i }, 1000 + i);
        if (r === 'too-many-rules') throw new Error('unexpected');
        ids.push(r.id);
      }
      expect(ids.slice(0, 3)).toEqual(['1', '2', '3']);
      expect(await p.subs.removeRule(sub().id, '11')).toBe(true);
      const again = await p.subs.addRule(sub().id, drop, 2000);
      expect(again !== 'too-many-rules' && again.id).toBe('12');
      const listed = await p.subs.listRules(sub().id);
      expect(listed.map((r) => r.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '12']);
      expect(listed.at(-1)).toEqual({ ...drop, id: '12', subscriptionId: sub().id, createdSec: 2000 });
    });

    it('round-trips every kind with its parameters, and a subscription whose owner is its target', async () => {
      const own = sub({
        id: 'discord-channel-77',
        platform: 'discord',
        targetType: 'channel',
        targetId: '77',
        ownerId: '77',
        timeZone: 'UTC',
        quiet: null,
      });
      await p.subs.put(own);
      expect(await p.subs.get(own.id)).toEqual(own);
      const specs: RuleSpec[] = [
        drop,
        { kind: 'hashrate-below', ehs: 650.5 },
        { kind: 'retarget-estimate', pct: 5, direction: 'down' },
        { kind: 'retarget' },
        { kind: 'retarget-soon', blocks: 144 },
        { kind: 'hashprice-move', pct: 7.5, window: '24h', direction: 'both' },
        { kind: 'hashprice-below', usd: 45 },
        { kind: 'hashprice-above', usd: 60 },
        { kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 },
        { kind: 'slow-blocks', minutes: 60 },
        { kind: 'new-block' },
      ];
      for (const s of specs) await p.subs.addRule(own.id, s, 1_700_000_000);
      const listed = await p.subs.listRules(own.id);
      expect(listed.map(({ id: _i, subscriptionId: _s, createdSec: _c, ...spec }) => spec)).toEqual(specs);
      expect(listed.every((r) => r.createdSec === 1_700_000_000 && r.subscriptionId === own.id)).toBe(true);
    });

    it('refuses the 26th rule and keeps the 25', async () => {
      await p.subs.put(sub());
      for (let i = 0; i < 25; i++)
        expect(await p.subs.addRule(sub().id, { kind: 'new-block' }, i)).not.toBe('too-many-rules');
      expect(await p.subs.addRule(sub().id, { kind: 'new-block' }, 99)).toBe('too-many-rules');
      expect(await p.subs.listRules(sub().id)).toHaveLength(25);
    });

    it('removeRule says whether something was removed and drops the rule state', async () => {
      await p.subs.put(sub());
      const r = await p.subs.addRule(sub().id, drop, 1);
      if (r === 'too-many-rules') throw new Error('unexpected');
      await p.states.put(`${sub().id}/${r.id}`, state);
      expect(await p.subs.removeRule(sub().id, '999')).toBe(false);
      expect(await p.subs.removeRule(sub().id, r.id)).toBe(true);
      expect(await p.subs.removeRule(sub().id, r.id)).toBe(false);
      expect(await p.states.get(`${sub().id}/${r.id}`)).toBeNull();
    });

    it('remove forgets the subscription, its rules and their states', async () => {
      await p.subs.put(sub());
      const r = await p.subs.addRule(sub().id, drop, 1);
      if (r === 'too-many-rules') throw new Error('unexpected');
      await p.states.put(`${sub().id}/${r.id}`, state);
      await p.subs.remove(sub().id);
      expect(await p.subs.get(sub().id)).toBeNull();
      expect(await p.subs.listRules(sub().id)).toEqual([]);
      expect(await p.states.get(`${sub().id}/${r.id}`)).toBeNull();
      const fresh = await p.subs.addRule(sub().id, drop, 2);
      expect(fresh !== 'too-many-rules' && fresh.id).toBe('1');
    });
  });

  describe.each(impls)('RuleStateStore contract (%s)', (_name, make) => {
    let p: Ports;
    beforeEach(async () => {
      p = await make();
    });

    it('round-trips states with and without nulls, per rule key', async () => {
      const k1 = 'discord-channel-9/1';
      const k2 = 'discord-channel-9/2';
      expect(await p.states.get(k1)).toBeNull();
      await p.states.put(k1, state);
      const ok: RuleState = {
        status: 'ok',
        lastHeight: 5,
        lastHash: 'cd'.repeat(32),
        firingSinceHeight: null,
        lastNotifiedSec: null,
      };
      await p.states.put(k2, ok);
      expect(await p.states.get(k1)).toEqual(state);
      expect(await p.states.get(k2)).toEqual(ok);
    });

    it('rejects a key that names no rule', async () => {
      await expect(p.states.put('no-separator', state)).rejects.toThrow(/rule key/);
    });
  });

  describe.each(impls)('NotificationLog contract (%s)', (_name, make) => {
    let p: Ports;
    beforeEach(async () => {
      p = await make();
    });

    it('claims a key once until released', async () => {
      expect(await p.log.has('k')).toBe(false);
      expect(await p.log.claim('k', 60)).toBe(true);
      expect(await p.log.claim('k', 60)).toBe(false);
      expect(await p.log.has('k')).toBe(true);
      await p.log.release('k');
      expect(await p.log.has('k')).toBe(false);
      expect(await p.log.claim('k', 60)).toBe(true);
    });

    it('concurrent claims: exactly one wins', async () => {
      const wins = await Promise.all(Array.from({ length: 20 }, () => p.log.claim('race', 60)));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });
  });

  describe.each(impls)('SubscriptionStore.rename contract (%s)', (_name, make) => {
    let p: Ports;
    beforeEach(async () => {
      p = await make();
    });

    it('moves the subscription, its rules (same ids) and states; refuses a missing source or an existing target', async () => {
      await p.subs.put(sub());
      const r = await p.subs.addRule(sub().id, drop, 1);
      if (r === 'too-many-rules') throw new Error('unexpected');
      await p.states.put(`${sub().id}/${r.id}`, state);
      expect(await p.subs.rename?.(sub().id, 'telegram-chat--100999', { targetId: '-100999' })).toBe(true);
      expect(await p.subs.get(sub().id)).toBeNull();
      expect(await p.subs.get('telegram-chat--100999')).toEqual(
        sub({ id: 'telegram-chat--100999', targetId: '-100999' }),
      );
      expect((await p.subs.listRules('telegram-chat--100999')).map((x) => [x.id, x.subscriptionId])).toEqual([
        ['1', 'telegram-chat--100999'],
      ]);
      expect(await p.states.get(`telegram-chat--100999/${r.id}`)).toEqual(state);
      expect(await p.subs.rename?.(sub().id, 'telegram-chat--1', { targetId: '-1' })).toBe(false);
      await p.subs.put(sub());
      expect(await p.subs.rename?.(sub().id, 'telegram-chat--100999', { targetId: '-100999' })).toBe(false);
      const next = await p.subs.addRule('telegram-chat--100999', drop, 2);
      expect(next !== 'too-many-rules' && next.id).toBe('2');
    });
  });
}
