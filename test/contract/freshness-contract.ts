/**
 * FreshnessStore's contract (issue 14 item 3), parametrised over Redis and a Redis Cluster
 * (test/integration/freshness-store.test.ts, test/integration/redis-cluster.test.ts). "Newer" is
 * queue order, not height (a reorg's replacement can sit lower); the "replaces block N" note does
 * not depend on which of two concurrent deliveries is checked first; and what a rule holds is
 * freed as its messages settle, so a subscription with nothing queued holds no key.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { FreshnessStore, OutboundMessage } from '../../src/alerting/ports.ts';
import { NOTIFICATION_TTL_SEC } from '../../src/alerting/pipeline.ts';
import type { AlertEvent } from '../../src/alerting/types.ts';
import type { RedisClient } from '../../src/store/connection.ts';
import type { StoredBlock } from '../../src/store/chain-state.ts';
import { chainKeys, type EngineKeys } from '../../src/store/keys.ts';
import { hashFor } from '../fakes/memory-snapshots.ts';

export interface FreshnessPorts {
  readonly store: FreshnessStore;
  readonly redis: RedisClient;
  readonly keys: EngineKeys;
}

export type FreshnessImpl = [string, () => Promise<FreshnessPorts>];

type Msg = Pick<OutboundMessage, 'subscriptionId' | 'height' | 'hash' | 'events'>;

const SUB = 'telegram-chat-4242';

function msg(
  height: number,
  rules: readonly string[],
  opts: { variant?: number; sub?: string; hash?: string } = {},
): Msg {
  return {
    subscriptionId: opts.sub ?? SUB,
    height,
    hash: opts.hash ?? hashFor(height, opts.variant ?? 0),
    events: rules.map((rule) => ({ rule }) as unknown as AlertEvent),
  };
}

export function freshnessContract(impls: readonly FreshnessImpl[]): void {
  describe.each(impls)('FreshnessStore contract (%s)', (_name, make) => {
    let p: FreshnessPorts;
    beforeEach(async () => {
      p = await make();
    });
    const check = (m: Msg, rules = ['2']) => p.store.check(m.subscriptionId, m, rules);
    const held = (sub = SUB) => p.redis.exists(p.keys.queuedRules(sub));

    it('the newest queued message is current and says which block it replaces, whichever delivery is checked first', async () => {
      for (const newerFirst of [false, true]) {
        const sub = `telegram-chat-${newerFirst ? 1 : 2}`;
        const m1 = msg(100, ['2'], { sub });
        const m2 = msg(101, ['2'], { sub });
        await p.store.queued([m1]);
        await p.store.queued([m2]);
        const order = newerFirst ? [m2, m1] : [m1, m2];
        const seen = new Map<Msg, Awaited<ReturnType<FreshnessStore['check']>>>();
        for (const m of order) {
          const f = await check(m);
          seen.set(m, f);
          if (f.superseded.has('2')) await p.store.settled(sub, m, [], ['2']);
        }
        expect(seen.get(m1)!.superseded).toEqual(new Map([['2', 101]]));
        expect(seen.get(m2)!.superseded.size).toBe(0);
        expect(seen.get(m2)!.replaced).toEqual(new Map([['2', 100]]));
        await p.store.settled(sub, m2, ['2'], []);
        expect(await held(sub)).toBe(0);
      }
    });

    it('queue order, not height: after a reorg the lower replacement supersedes the reorged-away message', async () => {
      const away = msg(101, ['2']);
      const replacement = msg(100, ['2'], { variant: 1 });
      await p.store.queued([away]);
      await p.store.queued([replacement]);
      expect((await check(away)).superseded).toEqual(new Map([['2', 100]]));
      await p.store.settled(SUB, away, [], ['2']);
      const f = await check(replacement);
      expect(f.superseded.size).toBe(0);
      expect(f.replaced).toEqual(new Map([['2', 101]]));
    });

    it('a message being sent is not claimed as replaced by a newer one checked meanwhile', async () => {
      const m1 = msg(100, ['2']);
      const m2 = msg(101, ['2']);
      await p.store.queued([m1]);
      expect((await check(m1)).superseded.size).toBe(0);
      await p.store.queued([m2]);
      const f = await check(m2);
      expect(f.superseded.size).toBe(0);
      expect(f.replaced.size).toBe(0);
      await p.store.settled(SUB, m1, ['2'], []);
      await p.store.settled(SUB, m2, ['2'], []);
      expect(await held()).toBe(0);
    });

    it('an older message retried after the newer one went out is superseded, not sent late; the note is said once', async () => {
      const m1 = msg(100, ['2']);
      const m2 = msg(101, ['2']);
      await p.store.queued([m1]);
      await p.store.queued([m2]);
      expect((await check(m2)).replaced).toEqual(new Map([['2', 100]]));
      await p.store.settled(SUB, m2, ['2'], []);
      expect((await check(m1)).superseded.has('2')).toBe(true);
      await p.store.settled(SUB, m1, [], ['2']);
      expect(await held()).toBe(0);
      const m3 = msg(102, ['2']);
      await p.store.queued([m3]);
      expect(await check(m3)).toEqual({ superseded: new Map(), replaced: new Map(), blockReplaced: false });
    });

    it('one call queues a batch of subscriptions; a re-queued batch adds nothing; everything is freed as it settles', async () => {
      const subs = ['telegram-chat-7', 'discord-channel-8', 'console-default'] as const;
      const first = subs.map((sub) => msg(100, ['1', '2'], { sub }));
      await p.store.queued(first);
      await p.store.queued(first);
      await p.store.queued([msg(101, ['2'], { sub: subs[0] })]);
      for (const sub of subs) {
        const ttl = await p.redis.ttl(p.keys.queuedRules(sub));
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(NOTIFICATION_TTL_SEC);
      }
      // One entry per queued message: the re-queue (an evaluation retried after a crash) added none.
      const sizes = await Promise.all(subs.map((s) => p.redis.hget(p.keys.queuedRules(s), '2')));
      expect(sizes.map((v) => v!.split(',').length)).toEqual([2, 1, 1]);
      // Partly superseded: rule 1 goes out, rule 2 waits for block 101's message.
      const f = await check(first[0]!, ['1', '2']);
      expect([...f.superseded.keys()]).toEqual(['2']);
      await p.store.settled(subs[0]!, first[0]!, ['1'], ['2']);
      const newer = msg(101, ['2'], { sub: subs[0] });
      expect((await check(newer)).replaced).toEqual(new Map([['2', 100]]));
      await p.store.settled(subs[0]!, newer, ['2'], []);
      for (const m of first.slice(1)) {
        expect((await check(m, ['1', '2'])).superseded.size).toBe(0);
        await p.store.settled(m.subscriptionId, m, ['1', '2'], []);
      }
      expect(await Promise.all(subs.map((s) => held(s)))).toEqual([0, 0, 0]);
    });

    it("a slow-blocks tick's message is its own: it supersedes the same block's message", async () => {
      const block = msg(100, ['5']);
      const tick = msg(100, ['5'], { hash: `slow-${hashFor(100)}` });
      await p.store.queued([block]);
      await p.store.queued([tick]);
      expect((await check(block, ['5'])).superseded.has('5')).toBe(true);
      expect((await check(tick, ['5'])).superseded.size).toBe(0);
    });

    it("says when the chain's stored block at the message's height is another one (a reorg replaced it)", async () => {
      const blocks = chainKeys(p.keys.prefix).blocks;
      // What the watcher stores (chain-state.ts): the block's hash is `block.id`.
      const stored = (hash: string): string =>
        JSON.stringify({
          block: {
            id: hash,
            height: 100,
            timestamp: 0,
            bits: 0x1d00ffff,
            previousHash: hashFor(99),
            feesSats: 0,
            feesKnown: false,
          },
          price: null,
          nowSec: 0,
        } satisfies StoredBlock);
      await p.redis.zadd(blocks, 100, stored(hashFor(100, 1)));
      const away = msg(100, ['2']);
      await p.store.queued([away]);
      expect((await check(away)).blockReplaced).toBe(true);
      expect((await check(msg(100, ['2'], { variant: 1 }))).blockReplaced).toBe(false);
      expect((await check(msg(100, ['2'], { hash: `slow-${hashFor(100, 1)}` }))).blockReplaced).toBe(false);
      // Nothing stored at a height (pruned, or the replay has not reached it): nothing said.
      expect((await check(msg(101, ['2']))).blockReplaced).toBe(false);
    });

    it('a message nothing was recorded for is current; a height-keyed value from before the upgrade still orders', async () => {
      expect(await check(msg(100, ['2']))).toEqual({
        superseded: new Map(),
        replaced: new Map(),
        blockReplaced: false,
      });
      await p.redis.hset(p.keys.queuedRules(SUB), '2', '100');
      expect((await check(msg(99, ['2']))).superseded.has('2')).toBe(true);
      expect((await check(msg(100, ['2']))).superseded.size).toBe(0);
      const after = msg(101, ['2']);
      await p.store.queued([after]);
      expect((await check(msg(100, ['2']))).superseded.has('2')).toBe(true);
      // The pre-upgrade message may have been sent long ago: no "replaces" claim about it.
      expect(await check(after)).toEqual({ superseded: new Map(), replaced: new Map(), blockReplaced: false });
      await p.store.settled(SUB, after, ['2'], []);
      expect(await held()).toBe(0);
    });
  });
}
