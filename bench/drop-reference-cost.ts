/**
 * What a lookback's reference costs the drop detector (issue 10, goal "delay ≤ 1.3× the known-rate
 * optimum"). For the matched cells (15/20/25/30 %), the SAME detector is run twice: fed y/μ with μ
 * the lookback's mean ending two weeks back (production), and fed the exact ratio (an oracle that
 * knows the pre-drop rate). Each is calibrated here to the same false-alarm rate on steady chains
 * (bisection on h, common random numbers), then the mean delay of a step drop of the cell's size
 * is measured on fresh seeds. The ratio between the two is what the reference's noise costs; the
 * oracle's ratio to the known-rate optimum (400/233/146/99) is what the detector's design costs.
 * Prints JSON lines {bench, metric, value, unit}.
 *
 *   npx tsx bench/drop-reference-cost.ts [--lookback 14d] [--years 30] [--seeds 200] [--target 0.7]
 */
import type { CellParams } from '../src/domain/drop-cells.ts';
import { DropDetector } from '../src/domain/drop-detector.ts';
import { BLOCKS_PER_YEAR, warmBlocks } from '../src/domain/drop-simulate.ts';
import { createRng } from '../src/domain/prng.ts';
import { LOOKBACKS, type Lookback } from '../src/domain/types.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const LB = (args.get('lookback') ?? '14d') as Lookback;
const YEARS = Number(args.get('years') ?? 30);
const SEEDS = Number(args.get('seeds') ?? 200);
const TARGET = Number(args.get('target') ?? 0.7);
const SIZES = [15, 20, 25, 30];
const OPTIMUM: Record<number, number> = { 15: 400, 20: 233, 25: 146, 30: 99 };
const L = LOOKBACKS[LB];
const print = (metric: string, value: number, unit: string): void =>
  console.log(
    JSON.stringify({ bench: 'drop-reference-cost', lookback: LB, metric, value: Number(value.toPrecision(4)), unit }),
  );

/** One block into the detector: through its reference (production) or as the exact ratio (oracle). */
function feed(det: DropDetector, oracle: boolean, i: number, y: number, rate: number): void {
  if (oracle) det.pushRatio(i, i * 600, Math.min(6, y * rate));
  else det.push(i, i * 600, y);
}

function falseAlarms(cells: CellParams[], oracle: boolean, seed: number): number[] {
  const det = new DropDetector(L, cells);
  const rng = createRng(seed);
  const warm = warmBlocks(L);
  const fires = cells.map(() => 0);
  const was = new Uint8Array(cells.length);
  for (let i = 1; i <= warm + YEARS * BLOCKS_PER_YEAR; i++) {
    feed(det, oracle, i, -Math.log(1 - rng.next()), 1);
    if (i <= warm) continue;
    for (let c = 0; c < cells.length; c++) {
      if (det.alarmed[c] === 1 && was[c] === 0) fires[c]! += 1;
      was[c] = det.alarmed[c]!;
    }
  }
  return fires.map((f) => f / YEARS);
}

function calibrate(oracle: boolean): number[] {
  const lo = SIZES.map(() => Math.log(2));
  const hi = SIZES.map(() => Math.log(40));
  for (let it = 0; it < 10; it++) {
    const mid = lo.map((l, i) => Math.exp((l + hi[i]!) / 2));
    const rates = falseAlarms(
      SIZES.map((pct, i) => ({ pct, h: mid[i]! })),
      oracle,
      777,
    );
    rates.forEach((r, i) => {
      if (r > TARGET) lo[i] = Math.log(mid[i]!);
      else hi[i] = Math.log(mid[i]!);
    });
  }
  return hi.map((l) => Math.exp(l));
}

function meanDelay(cells: CellParams[], oracle: boolean, size: number): number {
  const c = SIZES.indexOf(size);
  const slow = 1 / (1 - size / 100);
  const warm = warmBlocks(L);
  let sum = 0;
  for (let s = 0; s < SEEDS; s++) {
    const det = new DropDetector(L, cells);
    const rng = createRng(40_000 + s);
    let d = 60 * 144;
    for (let i = 1; i <= warm + 60 * 144; i++) {
      const dropped = i > warm;
      feed(det, oracle, i, -Math.log(1 - rng.next()) * (dropped ? slow : 1), 1);
      if (dropped && det.alarmed[c] === 1) {
        d = i - warm;
        break;
      }
    }
    sum += d;
  }
  return sum / SEEDS;
}

for (const oracle of [false, true]) {
  const hs = calibrate(oracle);
  const cells = SIZES.map((pct, i) => ({ pct, h: hs[i]! }));
  const fresh = falseAlarms(cells, oracle, 991);
  const name = oracle ? 'oracle_reference' : `${LB}_reference`;
  for (const [i, size] of SIZES.entries()) {
    const d = meanDelay(cells, oracle, size);
    print(`${name}_${size}pct_threshold`, hs[i]!, 'nats');
    print(`${name}_${size}pct_false_alarms_fresh`, fresh[i]!, 'per rule-year');
    print(`${name}_${size}pct_delay`, d, 'blocks');
    print(`${name}_${size}pct_delay_vs_optimum`, d / OPTIMUM[size]!, 'x');
  }
}
