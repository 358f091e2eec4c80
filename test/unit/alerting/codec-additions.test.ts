/**
 * The Redis encodings of what issue 11 added keep every figure (exactly-once across restarts
 * rests on them) and leave old encodings readable: a rule state's `told`/`sinceSec`, a rule's
 * `remind`, a subscription's snoozed rules.
 */
import { describe, expect, it } from 'vitest';
import type { RuleState, Subscription } from '../../../src/alerting/types.ts';
import {
  decodeRule,
  decodeState,
  decodeSubscription,
  encodeRule,
  encodeState,
  encodeSubscription,
} from '../../../src/store/codec.ts';

describe('codec additions', () => {
  it('a state with what it told round-trips; a plain state stays five fields', () => {
    const plain: RuleState = {
      status: 'ok',
      lastHeight: 10,
      lastHash: 'ab',
      firingSinceHeight: null,
      lastNotifiedSec: null,
    };
    expect(encodeState(plain).split('|')).toHaveLength(5);
    expect(decodeState(encodeState(plain))).toEqual(plain);
    const told: RuleState = {
      ...plain,
      status: 'firing',
      sinceSec: 1_700_000_000,
      told: { value: 36.1, low: 30, high: 40, sec: 1_700_000_600, height: 9, depth: 16.4 },
    };
    expect(decodeState(encodeState(told))).toEqual(told);
    const noInterval: RuleState = { ...plain, sinceSec: null, told: { value: -9.6, sec: 5, height: 4 } };
    expect(decodeState(encodeState(noInterval))).toEqual(noInterval);
  });
  it('remind is optional and positional last; old encodings decode without it', () => {
    expect(
      decodeRule('s', '1', encodeRule({ kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2, remind: 259_200 }, 5)),
    ).toMatchObject({ remind: 259_200, poolfee: 2 });
    expect(encodeRule({ kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 }, 5)).toBe('be|5|17|0.06|2');
    expect(decodeRule('s', '1', 'be|5|17|0.06|2')).not.toHaveProperty('remind');
    expect(decodeRule('s', '1', encodeRule({ kind: 'hashprice-below', usd: 40, remind: 0 }, 5))).toMatchObject({
      usd: 40,
      remind: 0,
    });
  });
  it('snoozed rules round-trip on the subscription', () => {
    const sub: Subscription = {
      id: 'telegram-chat-42',
      platform: 'telegram',
      targetType: 'chat',
      targetId: '42',
      ownerId: '42',
      timeZone: 'UTC',
      quiet: null,
      mutedUntilSec: null,
      active: true,
      createdSec: 1,
      snoozed: { '2': 1_750_086_400, '11': 1_750_000_000 },
    };
    expect(decodeSubscription(sub.id, encodeSubscription(sub))).toEqual(sub);
    const { snoozed: _s, ...rest } = sub;
    expect(decodeSubscription(sub.id, encodeSubscription(rest))).toEqual(rest);
  });
});
