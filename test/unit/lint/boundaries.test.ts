/**
 * The layering rules of eslint.config.js fire: ESLint's own API lints small snippets as if they
 * were files in each folder, so a config edit that silently disables a boundary fails here.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The boundary errors ESLint reports for `code` placed at `filePath` (relative to the repository). */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('no-restricted-') === true).map((m) => m.message);
}

describe('import boundaries (eslint.config.js)', () => {
  it.each([
    // [file, import, why it is refused]
    ['src/sources/x.ts', '../app/create-app.ts', 'below the composition root'], // the case
    ['src/sources/mempool-space/x.ts', '../../app/http.ts', 'below the composition root'], // deeper file
    ['src/platforms/telegram/x.ts', '../../app/run-process.ts', 'below the composition root'],
    ['src/jobs/x.ts', '../cli/main.ts', 'below the composition root'],
    ['src/domain/x.ts', '../alerting/types.ts', 'must not import src/alerting/'], // domain is pure
    ['src/domain/x.ts', '../observability/logger.ts', 'must not import src/observability/'],
    ['src/alerting/x.ts', '../platforms/format.ts', 'must not import src/platforms/'],
    ['src/alerting/kinds/x.ts', '../../store/keys.ts', 'must not import src/store/'],
    ['src/alerting/x.ts', '../sources/ports.ts', 'must not import src/sources/'],
    ['src/alerting/x.ts', '../jobs/queues.ts', 'must not import src/jobs/'],
    ['src/platforms/discord/x.ts', '../../store/redis-subscriptions.ts', 'must not import src/store/'],
    ['src/observability/x.ts', '../domain/units.ts', 'must not import src/domain/'],
    ['src/sources/x.ts', '../../config/index.ts', 'must not import config/'],
  ])('%s importing %s is an error', async (file, from, why) => {
    const errors = await boundaryErrors(file, `import { x } from '${from}';\nexport const y = x;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(why);
  });

  it('type-only imports and re-exports count too', async () => {
    expect(await boundaryErrors('src/sources/x.ts', `import type { App } from '../app/create-app.ts';\n`)).toHaveLength(
      1,
    );
    expect(await boundaryErrors('src/store/x.ts', `export { x } from '../app/http.ts';\n`)).toHaveLength(1);
  });

  it('a dynamic import() is held to the same boundaries', async () => {
    const code = `export const m = await import('../../app/run-process.ts');\n`;
    const errors = await boundaryErrors('src/platforms/telegram/x.ts', code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('below the composition root');
    expect(await boundaryErrors('src/cli/x.ts', `export const m = await import('../app/run-process.ts');\n`)).toEqual(
      [],
    );
  });

  it('chat client libraries stay in src/platforms/, I/O libraries out of domain and alerting', async () => {
    expect(await boundaryErrors('src/jobs/x.ts', `import { Telegraf } from 'telegraf';\n`)).toHaveLength(1);
    expect(await boundaryErrors('src/alerting/x.ts', `import { Redis } from 'ioredis';\n`)).toHaveLength(1);
    expect(await boundaryErrors('src/domain/x.ts', `import { pino } from 'pino';\n`)).toHaveLength(1);
    expect(await boundaryErrors('src/platforms/telegram/x.ts', `import { Telegraf } from 'telegraf';\n`)).toEqual([]);
  });

  it('process.env is read in config/ only', async () => {
    expect(await boundaryErrors('src/sources/x.ts', `export const u = process.env['X'];\n`)).toHaveLength(1);
    expect(await boundaryErrors('config/x.ts', `export const u = process.env['X'];\n`)).toEqual([]);
  });

  it.each([
    // [file, import]: the directions the layering allows
    ['src/app/x.ts', '../sources/watcher.ts'],
    ['src/app/x.ts', '../platforms/telegram/bot.ts'],
    ['src/cli/x.ts', '../app/run-process.ts'],
    ['workers/x.ts', '../src/app/run-process.ts'],
    ['src/sources/x.ts', '../observability/logger.ts'],
    ['src/platforms/telegram/x.ts', '../../observability/logger.ts'],
    ['src/platforms/x.ts', '../subscriptions/service.ts'],
    ['src/alerting/x.ts', '../domain/types.ts'],
    ['src/sources/mempool-space/x.ts', '../ports.ts'], // a sibling inside the same folder
    ['src/domain/x.ts', './bits.ts'],
  ])('%s importing %s is allowed', async (file, from) => {
    expect(await boundaryErrors(file, `import { x } from '${from}';\nexport const y = x;\n`)).toEqual([]);
  });

  it('the tree as committed passes the boundaries (src/sources/watcher.ts, a file that once imported src/app/)', async () => {
    const [result] = await eslint.lintFiles(['src/sources/watcher.ts']);
    expect(result?.messages.filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  });
});
