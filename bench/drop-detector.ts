/**
 * The hash-rate drop detector against the physical limit (issue 10). Prints JSON lines
 * {bench, metric, value, unit}:
 * - false alarms per rule-year on steady and on +1 %/epoch chains (the 10 % rule, and the worst
 *   and mean cell of 3…50 %), per lookback;
 * - for step drops of 15/20/25/30 % held 30 days: the mean blocks until the 10 % rule and the rule
 *   matching the drop are sure, the ratio to the known-rate optimum (a CUSUM that knows both
 *   rates, 1 false alarm a year: 400/233/146/99 blocks), the share seen within 30 days; flaps —
 *   'recovered' ends while the drop is on, for every rule up to the drop's size (the goal is 0;
 *   see drop-simulate.ts) — and 'settled' ends of the matched rule (the lower level became its
 *   recent level; said as such, not as a recovery);
 * - when a week-long drop ends (the rate returns): mean blocks until the 10 % and the matched rule
 *   say it is back, and the share of them whose alarm ended as 'settled' first.
 * Fresh seeds (not the calibration's). Delays are from a detector that has run on steady data
 * before the drop (a realistic start, not the optimum's worst-case CUSUM at zero).
 *
 *   npx tsx bench/drop-detector.ts [--years 50] [--seeds 200] [--lookbacks 7d,14d,30d,90d]
 */
import { cellParams, DROP_PCTS } from '../src/domain/drop-cells.ts';
import { DropDetector } from '../src/domain/drop-detector.ts';
import { countFalseAlarms, runDrop, warmBlocks } from '../src/domain/drop-simulate.ts';
import { createRng } from '../src/domain/prng.ts';
import { LOOKBACKS, type Lookback } from '../src/domain/types.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const YEARS = Number(args.get('years') ?? 50);
const SEEDS = Number(args.get('seeds') ?? 200);
const LBS = (args.get('lookbacks') ?? '7d,14d,30d,90d').split(',') as Lookback[];
const OPTIMUM: Record<number, number> = { 15: 400, 20: 233, 25: 146, 30: 99 };
const MONTH = 30 * 144;
const at = (pct: number) => pct - DROP_PCTS[0]!;
const print = (metric: string, value: number, unit: string): void =>
  console.log(JSON.stringify({ bench: 'drop-detector', metric, value: Number(value.toPrecision(4)), unit }));

for (const lb of LBS) {
  const cells = cellParams(lb);
  for (const [name, growth] of [
    ['steady', 0],
    ['growing_1pct_epoch', 0.01],
  ] as const) {
    const fires = new Float64Array(cells.length);
    for (let k = 0; k < Math.ceil(YEARS / 10); k++) {
      const r = countFalseAlarms({
        lookbackBlocks: LOOKBACKS[lb],
        cells,
        years: 10,
        seed: 20_000 + k + (growth > 0 ? 500 : 0),
        growthPerEpoch: growth,
      });
      r.fires.forEach((f, c) => {
        fires[c]! += f;
      });
    }
    const years = Math.ceil(YEARS / 10) * 10;
    const rates = [...fires].map((f) => f / years);
    print(`${lb}_false_alarms_per_rule_year_${name}_10pct`, rates[at(10)]!, '/rule-year');
    print(`${lb}_false_alarms_per_rule_year_${name}_worst_cell`, Math.max(...rates), '/rule-year');
    print(
      `${lb}_false_alarms_per_rule_year_${name}_mean_cell`,
      rates.reduce((a, b) => a + b, 0) / rates.length,
      '/rule-year',
    );
    print(`${lb}_chain_years_${name}`, years, 'years');
  }
  for (const size of [15, 20, 25, 30]) {
    const sums = { r10: 0, matched: 0 };
    const seen = { r10: 0, matched: 0 };
    let flapsClear = 0;
    let flapsNear = 0;
    let flapsMatched = 0;
    let flaps10 = 0;
    let settlesMatched = 0;
    for (let s = 0; s < SEEDS; s++) {
      const o = runDrop({
        lookbackBlocks: LOOKBACKS[lb],
        cells,
        dropPct: size,
        seed: 40_000 + 1000 * size + s,
        blocks: MONTH,
      });
      for (const [key, pct] of [
        ['r10', 10],
        ['matched', size],
      ] as const) {
        const d = o.delay[at(pct)]!;
        sums[key] += d < 0 ? MONTH : d;
        if (d >= 0) seen[key]++;
      }
      for (let p = 3; p < size; p++) {
        if (p <= 0.8 * size) flapsClear += o.flaps[at(p)]!;
        else flapsNear += o.flaps[at(p)]!;
      }
      flapsMatched += o.flaps[at(size)]!;
      flaps10 += o.flaps[at(10)]!;
      settlesMatched += o.settles[at(size)]!;
    }
    for (const key of ['r10', 'matched'] as const) {
      const rule = key === 'r10' ? '10pct_rule' : 'matched_rule';
      const mean = sums[key] / SEEDS;
      print(`${lb}_${size}pct_drop_${rule}_mean_delay`, mean, 'blocks');
      print(`${lb}_${size}pct_drop_${rule}_vs_optimum`, mean / OPTIMUM[size]!, 'x');
      print(`${lb}_${size}pct_drop_${rule}_within_30d`, (100 * seen[key]) / SEEDS, '%');
    }
    // 'recovered' ends while the drop is on, summed over the rules (0.8–1× is where block luck
    // can most easily mimic a return).
    print(`${lb}_${size}pct_drop_flaps_rules_up_to_0.8x_drop`, flapsClear, 'resolutions');
    print(`${lb}_${size}pct_drop_flaps_rules_0.8x_to_drop`, flapsNear, 'resolutions');
    print(`${lb}_${size}pct_drop_flaps_matched_rule`, flapsMatched, 'resolutions');
    print(`${lb}_${size}pct_drop_flaps_10pct_rule`, flaps10, 'resolutions');
    print(`${lb}_${size}pct_drop_settled_matched_rule`, settlesMatched, 'ends');
    print(`${lb}_${size}pct_drop_chains`, SEEDS, 'chains');
    recovery(lb, cells, size);
  }
}

/** A week-long drop, then the old rate: how soon the 10 % and matched rules say it is back. */
function recovery(lb: Lookback, all: ReturnType<typeof cellParams>, size: number): void {
  const cells = all.filter((c) => c.pct === 10 || c.pct === size);
  const L = LOOKBACKS[lb];
  const warm = warmBlocks(L);
  const WEEK = 1008;
  const sum = [0, 0];
  const n = [0, 0];
  const settled = [0, 0];
  const alarmed = [0, 0];
  for (let s = 0; s < SEEDS; s++) {
    const det = new DropDetector(L, cells);
    const rng = createRng(90_000 + 1000 * size + s);
    const at = [-1, -1];
    const on = [0, 0];
    for (let i = 1; i <= warm + WEEK + 2 * MONTH; i++) {
      const dropped = i > warm && i <= warm + WEEK;
      det.push(i, i * 600, -Math.log(1 - rng.next()) * (dropped ? 1 / (1 - size / 100) : 1));
      if (i === warm + WEEK) cells.forEach((_, c) => (on[c] = det.alarmed[c]!));
      if (i > warm + WEEK)
        for (const e of det.endedNow())
          if (at[e.cell]! === -1) at[e.cell] = e.how === 'recovered' ? i - warm - WEEK : -2;
    }
    cells.forEach((_, c) => {
      if (on[c] === 0) return;
      alarmed[c]! += 1;
      if (at[c]! >= 0) {
        sum[c]! += at[c]!;
        n[c]! += 1;
      } else if (at[c] === -2) settled[c]! += 1;
    });
  }
  cells.forEach((c, k) => {
    const rule = c.pct === size ? 'matched_rule' : '10pct_rule';
    if (c.pct === 10 && size === 10) return;
    print(`${lb}_${size}pct_week_drop_ends_${rule}_blocks_to_recovered`, sum[k]! / Math.max(1, n[k]!), 'blocks');
    print(`${lb}_${size}pct_week_drop_ends_${rule}_settled_first`, (100 * settled[k]!) / Math.max(1, alarmed[k]!), '%');
  });
}
