import { readFileSync, writeFileSync } from 'node:fs';
import { DROP_CALIBRATION as C } from '../src/domain/drop-calibration-table.ts';
const [file] = process.argv.slice(2);
const add = JSON.parse(readFileSync(file!, 'utf8'));
const old = C as unknown as { years?: number; seeds?: number; target?: number; lookbacks: Record<string, Record<string, unknown>> };
const lookbacks: Record<string, unknown> = {};
for (const [lb, v] of Object.entries(old.lookbacks))
  lookbacks[lb] = 'years' in v ? v : { years: old.years, seeds: old.seeds, target: old.target, ...v };
for (const [lb, v] of Object.entries(add.lookbacks as Record<string, Record<string, unknown>>))
  lookbacks[lb] = 'years' in v ? v : { years: add.years, seeds: add.seeds, target: add.target, ...v };
const table = { blocksPerYear: C.blocksPerYear, delaySizes: C.delaySizes, lookbacks };
const body = `/**
 * Calibrated drop-detector table, written by \`npx tsx bench/calibrate-drop.ts --write\` (do not
 * edit by hand). Per lookback and drop cell 3…50 % (index pct − 3): the CUSUM threshold (nats)
 * for at most \`target\` false alarms per rule-year on \`years\` simulated steady chain-years; the
 * false-alarm rates re-measured on fresh seeds (steady; growing +1 %/epoch); and, for step drops
 * of \`delaySizes\` % (\`seeds\` seeds each), the mean blocks to alarm (2 months if never) and the
 * share seen within 30 days. test/unit/domain/drop-calibration.test.ts re-measures it.
 */
export const DROP_CALIBRATION = ${JSON.stringify(table)} as const;
`;
writeFileSync(new URL('../src/domain/drop-calibration-table.ts', import.meta.url), body);
