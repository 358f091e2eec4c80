/**
 * The Redis threshold index (see index-plan.ts): sorted sets per series for level rules (scored
 * by level), and for event rules one sorted set per series with every score 0, ordered by member,
 * so a fan-out can walk it by ZRANGEBYLEX from the last member it settled. Writes go into a caller's MULTI so a rule's state and its index position
 * change together.
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './connection.ts';
import type { RuleStatus } from '../alerting/types.ts';
import { REPEAT_SERIES, TOLD_SERIES } from '../alerting/index-model.ts';
import type { IndexPlacement, Observation } from './index-plan.ts';
import type { EngineKeys } from './keys.ts';

export class RedisRuleIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: EngineKeys,
  ) {}

  /** Puts `member` where a rule in `status` waits (removing it from the other level set). */
  place(tx: ChainableCommander, member: string, p: IndexPlacement, status: RuleStatus): void {
    if (p.mode === 'event') {
      tx.zadd(this.keys.eventIndex(p.series), 0, member);
      return;
    }
    if (status === 'firing') {
      tx.zrem(this.keys.fireIndex(p.series), member);
      tx.zadd(this.keys.resolveIndex(p.series), p.resolve, member);
    } else {
      tx.zrem(this.keys.resolveIndex(p.series), member);
      tx.zadd(this.keys.fireIndex(p.series), p.fire, member);
    }
  }

  unplace(tx: ChainableCommander, member: string, p: IndexPlacement): void {
    if (p.mode === 'event') {
      tx.zrem(this.keys.eventIndex(p.series), member);
      // Not yet moved by the upgrade (./event-index-upgrade.ts)? Then it must not come back.
      tx.srem(this.keys.legacyEventIndex(p.series), member);
      return;
    }
    tx.zrem(this.keys.fireIndex(p.series), member);
    tx.zrem(this.keys.resolveIndex(p.series), member);
    if (REPEAT_SERIES.has(p.series)) this.placeRepeat(tx, member, p.series, null, null);
    if (TOLD_SERIES.has(p.series)) this.placeTold(tx, member, p.series, false);
  }

  /** Adds `member` to (true) or removes it from (false) its series' told set (index-model inToldSet). */
  placeTold(tx: ChainableCommander, member: string, series: string, told: boolean): void {
    if (told) tx.zadd(this.keys.toldIndex(series), 0, member);
    else tx.zrem(this.keys.toldIndex(series), member);
  }

  /**
   * Where a firing under-water rule waits for its next reminder (`dueSec`) and escalation
   * (`deeperAt`, the compared value); null removes it from that set.
   */
  placeRepeat(
    tx: ChainableCommander,
    member: string,
    series: string,
    dueSec: number | null,
    deeperAt: number | null,
  ): void {
    const due = this.keys.repeatIndex(series, 'due');
    const deeper = this.keys.repeatIndex(series, 'deeper');
    if (dueSec === null) tx.zrem(due, member);
    else tx.zadd(due, dueSec, member);
    if (deeperAt === null) tx.zrem(deeper, member);
    else tx.zadd(deeper, deeperAt, member);
  }

  /**
   * Rule keys whose state may change under `obs`: per series one range on the fire set and one
   * on the resolve set, O(log N + K). Event series are streamed by `eventMembers` (can be large).
   */
  async levelCandidates(obs: Observation): Promise<Set<string>> {
    const tx = this.redis.pipeline();
    // A swept series: what an epoch's first block can close, the firing rules and the told set.
    for (const series of obs.sweep ?? []) {
      tx.zrange(this.keys.resolveIndex(series), 0, -1);
      tx.zrange(this.keys.toldIndex(series), 0, -1);
    }
    for (const [series, { value, dir }] of obs.levels) {
      if (REPEAT_SERIES.has(series) && dir === 'below') {
        if (obs.nowSec !== undefined) tx.zrangebyscore(this.keys.repeatIndex(series, 'due'), '-inf', obs.nowSec);
        tx.zrangebyscore(this.keys.repeatIndex(series, 'deeper'), value, '+inf');
      }
      if (dir === 'above') {
        tx.zrangebyscore(this.keys.fireIndex(series), '-inf', value);
        tx.zrangebyscore(this.keys.resolveIndex(series), value, '+inf');
      } else {
        tx.zrangebyscore(this.keys.fireIndex(series), value, '+inf');
        tx.zrangebyscore(this.keys.resolveIndex(series), '-inf', value);
      }
    }
    const out = new Set<string>();
    for (const [e, members] of (await tx.exec()) ?? []) {
      if (e) throw e;
      for (const m of members as string[]) out.add(m);
    }
    return out;
  }

  /** Streams an event series' members in batches, in member order (each member once). */
  async *eventMembers(series: string, batch = 5000): AsyncGenerator<string[]> {
    let min = '-';
    for (;;) {
      const members = await this.redis.zrangebylex(this.keys.eventIndex(series), min, '+', 'LIMIT', 0, batch);
      if (members.length > 0) yield members;
      if (members.length < batch) return;
      min = `(${members[members.length - 1] as string}`;
    }
  }
}
