/**
 * Issue 14 §7 by design: on a Redis Cluster every key the engine builds hashes to ONE slot, so no
 * MULTI, Lua script, pipeline or rename of the engine can cross slots; on a single server the key
 * names stay exactly as they were (an install upgraded in place keeps its data). Every builder of
 * EngineKeys and chainKeys is called, so a key added there later is checked too.
 */
import { describe, expect, it } from 'vitest';
import { chainKeys } from '../../../src/store/keys.ts';
import { isClusterTarget, redisUrls } from '../../../src/store/connection.ts';
import { engineKeys, keyPrefixFor, queuePrefixFor, slotPrefix, type EngineKeys } from '../../../src/store/keys.ts';
import { QUEUE_NAMES, deliverQueueName } from '../../../src/jobs/queues.ts';
import { keySlot } from '../../support/redis-cluster.ts';

const CLUSTER = { isCluster: true };
const SINGLE = { isCluster: false };

/** Every key EngineKeys can build, with sample arguments (each builder called once per shape). */
function everyEngineKey(keys: EngineKeys): string[] {
  const out: string[] = [];
  for (const [name, v] of Object.entries(keys)) {
    if (typeof v !== 'function' || name === 'all') continue;
    const f = v as (...a: string[]) => string;
    if (name === 'repeatIndex') out.push(f('price-below', 'due'), f('price-below', 'deeper'));
    else out.push(f('telegram-chat--1001234567890'), f('discord-channel-77'), f('hashrate:3d'));
  }
  return out;
}

describe('engine keys on a cluster', () => {
  it('every engine and chain key of one prefix hashes to the same slot', () => {
    for (const base of ['hb:', 'hb-test-engine-x:', 'prod-eu:']) {
      const prefix = keyPrefixFor(base, CLUSTER);
      const keys = engineKeys(prefix);
      const all = [...everyEngineKey(keys), ...Object.values(chainKeys(keys.prefix))];
      expect(all.length).toBeGreaterThan(20);
      const slots = new Set(all.map(keySlot));
      expect(slots.size, `${base}: ${[...slots].join(',')}`).toBe(1);
    }
    // …while untagged names would spread over many slots (what a cluster refuses in one MULTI).
    expect(new Set(everyEngineKey(engineKeys('hb:')).map(keySlot)).size).toBeGreaterThan(5);
  });

  it('a single server keeps the existing names; a cluster gets the tagged prefix', () => {
    expect(keyPrefixFor('hb:', SINGLE)).toBe('hb:');
    expect(engineKeys(keyPrefixFor('hb:', SINGLE)).subscription('x')).toBe('hb:s:x');
    expect(keyPrefixFor('hb:', CLUSTER)).toBe('{hb}:');
    expect(engineKeys(keyPrefixFor('hb:', CLUSTER)).subscription('x')).toBe('{hb}:s:x');
    expect(chainKeys(keyPrefixFor('hb:', CLUSTER)).cursor).toBe('{hb}:chain:cursor');
    // Idempotent (createApp and the watcher role may both apply it) and strict about odd prefixes.
    expect(keyPrefixFor(keyPrefixFor('hb:', CLUSTER), CLUSTER)).toBe('{hb}:');
    expect(slotPrefix('{tenant-a}:hb:')).toBe('{tenant-a}:hb:');
    expect(() => slotPrefix(':')).toThrow(/hash-tag/);
    expect(() => slotPrefix('a{}b:')).toThrow(/hash-tag/);
  });

  it('BullMQ: each queue gets its own tag on a cluster, the given prefix on a single server', () => {
    const names = [QUEUE_NAMES.evaluate, deliverQueueName('telegram'), deliverQueueName('discord')];
    expect(names.map((n) => queuePrefixFor(n, undefined, SINGLE))).toEqual([undefined, undefined, undefined]);
    expect(queuePrefixFor(QUEUE_NAMES.evaluate, 'q', SINGLE)).toBe('q');
    const tagged = names.map((n) => queuePrefixFor(n, undefined, CLUSTER) as string);
    expect(tagged[0]).toBe('{bull-hashbell-evaluate}');
    // BullMQ builds `${prefix}:${name}:${suffix}`: every key of one queue shares its slot…
    for (const [i, n] of names.entries()) {
      expect(
        new Set(['wait', 'active', 'meta', 'limiter', 'id'].map((s) => keySlot(`${tagged[i]}:${n}:${s}`))).size,
      ).toBe(1);
    }
    // …and different queues may sit on different masters.
    expect(new Set(tagged.map(keySlot)).size).toBe(3);
  });

  it('REDIS_URL with several seed nodes is a cluster; REDIS_CLUSTER forces it for one', () => {
    expect(redisUrls('redis://a:7000, redis://b:7001')).toEqual(['redis://a:7000', 'redis://b:7001']);
    expect(isClusterTarget('redis://a:7000,redis://b:7001')).toBe(true);
    expect(isClusterTarget('redis://127.0.0.1:6380/3')).toBe(false);
    expect(isClusterTarget({ redisUrl: 'redis://cfg:7000', redisCluster: true })).toBe(true);
  });
});
