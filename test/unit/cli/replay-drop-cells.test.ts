/**
 * A replay computes only the drop cells its rules read (issue 10: replay speed). Cells are
 * independent, so every event — fired, resolved, the figures in them — is the one the full grid
 * gives. Checked on a chain that drops 20 %, recovers and swings.
 */
import { describe, expect, it } from 'vitest';
import { MemoryEvaluator } from '../../../src/alerting/evaluator.ts';
import type { AlertEvent, Rule, RuleSpec } from '../../../src/alerting/types.ts';
import { dropCellsOf, eventLine, replayEvents } from '../../../src/cli/replay-engine.ts';
import { simulateChain } from '../../../src/domain/simulate.ts';
import { SnapshotBuilder } from '../../../src/domain/snapshot-builder.ts';

const H0 = 2016 * 450;
const blocks = simulateChain({
  seed: 17,
  startHeight: H0,
  startTimeSec: 1_760_000_000,
  startBits: 0x17027726,
  blocks: 14_000,
  hashrate: (h) => {
    const i = h - H0;
    if (i > 8_000 && i < 10_500) return 0.8;
    return 1 + 0.08 * Math.sin(i / 600);
  },
});
const specs: RuleSpec[] = [
  { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '7d' },
  { kind: 'hashrate-drop', pct: 5, window: '1d', lookback: '7d' },
  { kind: 'hashrate-drop', pct: 12.4, window: '7d', lookback: '14d' },
  { kind: 'hashrate-drop', pct: 15, window: '3d', lookback: '30d' },
  { kind: 'hashrate-below', ehs: 500 },
];
const rules = specs.map((s, i) => ({ ...s, id: `r${i}`, subscriptionId: 's', createdSec: 0 }) as Rule);

describe('replay computes only the drop cells its rules read', () => {
  it('names exactly the rules’ cells (whole percent)', () => {
    expect(dropCellsOf(rules)).toEqual([
      { lookback: '7d', pct: 10 },
      { lookback: '7d', pct: 5 },
      { lookback: '14d', pct: 12 },
      { lookback: '30d', pct: 15 },
    ]);
  });

  it('every event equals the full grid’s', () => {
    const got: AlertEvent[] = [];
    replayEvents({ blocks, prices: [], rules }, (e) => got.push(e));
    const full = new SnapshotBuilder();
    const evaluator = new MemoryEvaluator(rules);
    const want: AlertEvent[] = [];
    for (const b of blocks)
      want.push(
        ...evaluator.feed(full.push(b, { nowSec: b.timestamp, price: null, source: 'replay', correction: false })),
      );
    expect(want.filter((e) => e.kind === 'hashrate-drop' && e.state === 'firing').length).toBeGreaterThanOrEqual(3);
    expect(want.filter((e) => e.kind === 'hashrate-drop' && e.state === 'resolved').length).toBeGreaterThanOrEqual(2);
    expect(got.map(eventLine)).toEqual(want.map(eventLine));
    expect(got).toEqual(want);
  });
});
