import { describe, expect, it } from 'vitest';
import { groupBy } from '../../../src/domain/collections.ts';

describe('groupBy', () => {
  it('keeps groups and their members in first-seen order, keys compared as Map keys', () => {
    const g = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...g]).toEqual([
      ['b', ['b1', 'b2']],
      ['a', ['a1', 'a2']],
      ['c', ['c1']],
    ]);
    const objKey = {};
    const h = groupBy([1, 2, 3], (n) => (n === 2 ? undefined : objKey));
    expect(h.get(objKey)).toEqual([1, 3]);
    expect(h.get(undefined)).toEqual([2]);
    expect(groupBy([], () => 0).size).toBe(0);
  });
});
