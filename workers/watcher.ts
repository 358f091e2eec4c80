/** Process entry point: runs only the watcher role (ROLES is ignored). */
import { runProcess } from '../src/app/run-process.ts';

await runProcess(['watcher']);
