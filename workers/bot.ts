/** Process entry point: runs only the bot role (ROLES is ignored). */
import { runProcess } from '../src/app/run-process.ts';

await runProcess(['bot']);
