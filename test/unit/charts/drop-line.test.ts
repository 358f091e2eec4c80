/**
 * The hash-rate chart draws a `hashrate-drop` rule as what the detector measures against (issue
 * 10 item 2, issue 11 item 7): the detector's reference level of the rule's lookback, block by
 * block, and that level × (1 − pct). Chart history keeps the level per lookback (in memory and in
 * Redis's compact rows; rows written before it still read).
 */
import { describe, expect, it } from 'vitest';
import { dropThresholdLine, hashrateSvg } from '../../../src/charts/hashrate-chart.ts';
import { ChartPointRing, toChartPoint } from '../../../src/charts/history.ts';
import { decodePoint, encodePoint } from '../../../src/charts/redis-chart-history.ts';
import { fmt3 } from '../../../src/charts/series.ts';
import type { ChartPoint } from '../../../src/charts/types.ts';
import { simulateChain } from '../../../src/domain/simulate.ts';
import { SnapshotBuilder } from '../../../src/domain/snapshot-builder.ts';
import type { Snapshot } from '../../../src/domain/snapshot-types.ts';

const blocks = simulateChain({
  seed: 3,
  startHeight: 2016 * 450,
  startTimeSec: 1_760_000_000,
  startBits: 0x17027726,
  blocks: 7_000,
  hashrate: (h) => (h - 2016 * 450 > 6_000 ? 0.8 : 1 + 0.05 * Math.sin((h - 2016 * 450) / 700)),
});
const builder = new SnapshotBuilder();
const snaps: Snapshot[] = blocks.map((b) => builder.push(b, { nowSec: b.timestamp, price: null, source: 'replay' }));
const ring = new ChartPointRing();
for (const s of snaps) ring.push(s);
const tip = snaps.at(-1)!;
const rule = { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '7d' } as const;

describe('the drop rule line', () => {
  it("equals the detector's reference × (1 − pct) at every sampled block, and the level itself", async () => {
    const pts = (await ring.pointsUpTo(tip.height, tip.hash, 30))!;
    const line = dropThresholdLine(pts, rule.pct, rule.lookback)!;
    expect(line).not.toBeNull();
    let checked = 0;
    for (let i = 0; i < pts.length; i += 97) {
      const snap = snaps.find((s) => s.height === pts[i]!.height)!;
      const ref = snap.drop!['7d'];
      if (ref === null) {
        expect(line.alert[i]).toBeNaN();
        continue;
      }
      expect(line.level[i]).toBe(ref.referenceHps / 1e18);
      expect(line.alert[i]).toBe((ref.referenceHps / 1e18) * 0.9);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
    // It moves with the reference (it is not one horizontal line at a peak).
    const finite = line.alert.filter(Number.isFinite);
    expect(Math.max(...finite) - Math.min(...finite)).toBeGreaterThan(5);
  });

  it('the picture labels the rule at the current level × (1 − pct), and shows no peak', async () => {
    const pts = (await ring.pointsUpTo(tip.height, tip.hash, 30))!;
    const svg = hashrateSvg(pts, { timeZone: 'UTC', thresholds: [rule] })!;
    const level = tip.drop!['7d']!.referenceHps / 1e18;
    expect(svg).toContain(`alert: −10 % of level = ${fmt3(level * 0.9)} EH/s`);
    expect(svg).toContain(`7d level, ending 14 d back: ${fmt3(level)} EH/s`);
    expect(svg).not.toContain('peak');
  });

  it('history kept before the level existed falls back to the peak, with no false alert line', async () => {
    const pts = (await ring.pointsUpTo(tip.height, tip.hash, 30))!.map((p) => {
      const { drop: _drop, ...rest } = p;
      return rest as ChartPoint;
    });
    expect(dropThresholdLine(pts, 10, '7d')).toBeNull();
    const svg = hashrateSvg(pts, { timeZone: 'UTC', thresholds: [rule] })!;
    expect(svg).toContain('peak');
    expect(svg).not.toContain('alert: −10 %');
  });
});

describe('chart history keeps the level per lookback', () => {
  it('toChartPoint and the Redis row round-trip it; a row without it still reads', () => {
    const p = toChartPoint(tip);
    expect(p.drop?.['7d']?.referenceHps).toBe(tip.drop!['7d']!.referenceHps);
    expect(p.drop?.['90d']).toBeNull(); // not ready on this short chain
    expect(decodePoint(encodePoint(p))).toEqual(p);
    const { drop: _drop, ...old } = p;
    const row = encodePoint(old as ChartPoint);
    expect(JSON.parse(row)).toHaveLength(46);
    expect(decodePoint(row)).toEqual(old);
  });
});
