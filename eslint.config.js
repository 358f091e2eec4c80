/**
 * ESLint (flat config): the layering of shared/DESIGN.md as import boundaries, plus a few cheap
 * correctness rules. Deliberately no "recommended" set: each rule here is one the tree passes, so
 * a new warning means new code broke it. Formatting is Prettier's (`npm run format`), not ours.
 *
 * The layers, lowest first (a folder may import the ones below it, never the ones above):
 *   domain          pure math and value types: imports no other folder, no I/O library
 *   observability   logger and metrics helpers: imports no other folder
 *   alerting        rule kinds, lifecycle, pipeline: knows no platform, store, source or job
 *   charts, store, sources, subscriptions, jobs, platforms   (platforms never touch the store)
 *   app             the one composition root: the only folder (with cli/ and workers/) that may
 *                   import app/ or wire platforms to the engine
 * Type-only imports, re-exports and dynamic import() count: each still couples the layers.
 */
import tseslint from 'typescript-eslint';

/** Every top-level folder of src/. */
const FOLDERS = [
  'domain',
  'observability',
  'alerting',
  'charts',
  'store',
  'sources',
  'subscriptions',
  'jobs',
  'platforms',
  'app',
  'cli',
];

/** Client libraries of the outside systems, each allowed only in its own folder(s). */
const CHAT_LIBRARIES = ['discord.js', '@discordjs/*', 'telegraf', 'telegraf/*'];
const IO_LIBRARIES = ['ioredis', 'bullmq', 'ws', 'node:http', 'node:net', 'node:fs', 'node:fs/promises'];

/** Folders each folder must not import (besides app/ and cli/, which no folder below them may). */
const FORBIDDEN = {
  domain: FOLDERS.filter((f) => f !== 'domain'),
  observability: FOLDERS.filter((f) => f !== 'observability'),
  alerting: ['platforms', 'store', 'sources', 'jobs', 'subscriptions', 'charts'],
  charts: ['platforms', 'store', 'sources', 'jobs', 'subscriptions'],
  store: ['platforms', 'sources', 'subscriptions', 'jobs'],
  sources: ['platforms', 'subscriptions'],
  subscriptions: ['platforms', 'store', 'jobs'],
  jobs: ['platforms', 'sources', 'subscriptions'],
  platforms: ['store', 'jobs', 'sources'],
};

/** Packages each folder must not import. */
const FORBIDDEN_PACKAGES = {
  domain: [...CHAT_LIBRARIES, ...IO_LIBRARIES, 'pino', 'prom-client'],
  alerting: [...CHAT_LIBRARIES, ...IO_LIBRARIES],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The no-restricted-imports options for files in src/<folder>/. */
function boundaryFor(folder) {
  const own = FORBIDDEN[folder] ?? [];
  const above = folder === 'app' || folder === 'cli' ? [] : ['app', 'cli'];
  const folders = [...new Set([...own, ...above])];
  const patterns = folders.map((f) => ({
    // '../app/x.ts', '../../app/x.ts': any relative path climbing out of this folder into src/<f>/.
    regex: `^(\\.\\./)+${escape(f)}(/|$)`,
    message:
      f === 'app' || f === 'cli'
        ? `src/${folder}/ is below the composition root and must not import src/${f}/ (logger and metrics: src/observability/).`
        : `src/${folder}/ must not import src/${f}/ (layering in shared/DESIGN.md and eslint.config.js).`,
  }));
  if (folder !== 'app' && folder !== 'cli' && folder !== 'platforms') {
    patterns.push({
      // config/ sits beside src/: only the entry points read the environment's schema.
      regex: '^(\\.\\./)+config(/|$)',
      message: `src/${folder}/ must not import config/: take plain options; app/ and cli/ read the configuration.`,
    });
  }
  const packages = [...(FORBIDDEN_PACKAGES[folder] ?? []), ...(folder === 'platforms' ? [] : CHAT_LIBRARIES)];
  if (packages.length > 0) {
    patterns.push({
      group: [...new Set(packages)],
      message: `src/${folder}/ must not use this library (chat clients live in src/platforms/; domain and alerting do no I/O).`,
    });
  }
  return ['error', { patterns }];
}

/** The same folder boundaries for `await import('../app/x.ts')`, which no-restricted-imports does not see. */
function dynamicBoundaryFor(folder) {
  const [, { patterns }] = boundaryFor(folder);
  const selectors = patterns
    .filter((p) => p.regex !== undefined)
    .map((p) => ({
      selector: `ImportExpression > Literal[value=/${p.regex.replaceAll('/', '\\/')}/]`,
      message: p.message,
    }));
  return selectors.length > 0 ? ['error', ...selectors] : 'off';
}

export default [
  {
    ignores: ['node_modules/**', 'coverage/**', 'dist/**', 'data/**', '.hashbell/**', 'docs/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: {
      parser: tseslint.parser,
      ecmaVersion: 2023,
      sourceType: 'module',
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-debugger': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unsafe-finally': 'error',
      'no-fallthrough': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  // Nothing outside config/ reads the environment (DESIGN.md house style 7).
  {
    files: ['src/**/*.ts', 'workers/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through config/ (loadConfig).' },
      ],
    },
  },
  ...FOLDERS.map((folder) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': boundaryFor(folder), 'no-restricted-syntax': dynamicBoundaryFor(folder) },
  })),
];
