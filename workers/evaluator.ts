/** Process entry point: runs only the evaluator role (ROLES is ignored). */
import { runProcess } from '../src/app/run-process.ts';

await runProcess(['evaluator']);
