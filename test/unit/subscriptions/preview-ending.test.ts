/**
 * `/preview hashrate-drop …` counts what the rule would have said: a drop alert that ends because
 * the lower level became the rule's recent level is not a resolution (nor a firing).
 */
import { describe, expect, it } from 'vitest';
import { previewOver } from '../../../src/subscriptions/preview.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';
import { hashrateFigures, makeSnapshot } from '../alerting/snapshot-factory.ts';

const at = (i: number, f: Partial<Snapshot>): Snapshot =>
  makeSnapshot({ ...f, height: 930_100 + i, timeSec: 1_764_000_000 + i * 7200 });

function ended(how: 'recovered' | 'settled'): Partial<Snapshot> {
  const f = hashrateFigures(850, 850);
  const end = { pct: 10, how, sinceHeight: 930_000, sinceTimeSec: 1_763_900_000, beforeHps: 1000e18 };
  return { ...f, drop: { ...f.drop!, '30d': { ...f.drop!['30d']!, referenceHps: 850e18, ends: [end] } } };
}

describe('preview of a drop rule', () => {
  const spec = { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' } as const;
  it('a settled end is neither a firing nor a resolution; a recovery is a resolution', () => {
    const settled = previewOver(spec, [at(0, hashrateFigures(800, 1000)), at(1, ended('settled'))], 'fixture');
    expect(settled.ok && settled.value.firings).toBe(1);
    expect(settled.ok && settled.value.resolutions).toBe(0);
    expect(settled.ok && settled.value.recent.at(-1)?.text).toContain('the lower level is now the normal');
    const back = previewOver(spec, [at(0, hashrateFigures(800, 1000)), at(1, ended('recovered'))], 'fixture');
    expect(back.ok && back.value.resolutions).toBe(1);
  });
});
