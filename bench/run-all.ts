/**
 * `npm run bench`: runs every bench/*.ts except this one, one after another (benches share two
 * cores badly), passing their JSON lines straight through. Exits 1 if any bench failed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== self)
  .sort();
let failed = 0;
for (const file of benches) {
  process.stderr.write(`# bench/${file}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`# bench/${file} failed (exit ${r.status ?? r.signal})\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
