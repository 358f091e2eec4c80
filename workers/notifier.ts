/** Process entry point: runs only the notifier role (ROLES is ignored). */
import { runProcess } from '../src/app/run-process.ts';

await runProcess(['notifier']);
