/**
 * Writes data/btc-usd-2025-2026.prices.jsonl: hourly BTC/USD points interpolated (log-linear)
 * between approximate month-end closes, with small seeded noise so hash-price moves look like
 * markets. The anchors are APPROXIMATE and partly ASSUMED (see data/README.md); no price API was
 * reachable when the fixture was made. Run: npx tsx data/make-prices.ts > data/btc-usd-2025-2026.prices.jsonl
 */
import { createRng } from '../src/sources/replay/prng.ts';

/** [ISO date (UTC midnight), approximate USD]. 2025 from memory of monthly closes; 2026 assumed. */
const ANCHORS: ReadonlyArray<readonly [string, number]> = [
  ['2025-01-01', 93_400],
  ['2025-02-01', 102_400],
  ['2025-03-01', 84_400],
  ['2025-04-01', 82_500],
  ['2025-05-01', 94_200],
  ['2025-06-01', 104_600],
  ['2025-07-01', 107_100],
  ['2025-08-01', 115_700],
  ['2025-09-01', 108_200],
  ['2025-10-01', 114_000],
  ['2025-10-06', 124_700],
  ['2025-11-01', 109_500],
  ['2025-12-01', 90_400],
  ['2026-01-01', 87_500],
  ['2026-02-01', 84_000],
  ['2026-03-01', 80_000],
  ['2026-04-01', 78_000],
  ['2026-05-01', 81_000],
  ['2026-06-01', 79_000],
  ['2026-07-01', 78_500],
  ['2026-07-31', 78_000],
];

const HOUR = 3600;
const points = ANCHORS.map(([d, usd]) => [Date.parse(`${d}T00:00:00Z`) / 1000, usd] as const);
const rng = createRng(20252026);
let noise = 0;
let out = '';
for (let i = 0; i + 1 < points.length; i++) {
  const [t0, p0] = points[i]!;
  const [t1, p1] = points[i + 1]!;
  for (let t = t0; t < t1 || (i + 2 === points.length && t === t1); t += HOUR) {
    const f = (t - t0) / (t1 - t0);
    const base = Math.exp(Math.log(p0) + f * (Math.log(p1) - Math.log(p0)));
    noise = 0.97 * noise + 0.004 * rng.normal();
    out += `${JSON.stringify({ time: t, USD: Math.round(base * Math.exp(noise)) })}\n`;
  }
}
process.stdout.write(out);
