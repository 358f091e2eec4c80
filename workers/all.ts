/** Process entry point of `npm start`: runs the roles in ROLES (default: all of them). */
import { runProcess } from '../src/app/run-process.ts';

await runProcess();
