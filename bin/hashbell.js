#!/usr/bin/env node
// The `hashbell` command (`npx hashbell <command>` after installing the package): runs the
// TypeScript CLI in this same process through tsx's loader (no build step, no wrapper process,
// so signals reach `hashbell start` directly). `hashbell start` reads ./.env like `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
