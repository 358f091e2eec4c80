/**
 * Entry point of `npm run -s hashbell -- <command>`. Sets the exit code rather than calling
 * process.exit, so large outputs are flushed completely.
 */
import { processEnv } from '../../config/index.ts';
import { runCli } from './run.ts';

process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e; // `| head` closing the pipe is not an error
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  env: processEnv(),
});
