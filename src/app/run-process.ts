/**
 * What every process entry point in workers/ does: read and validate the environment, build the
 * app for the roles it runs, and shut down within a deadline on SIGINT/SIGTERM. A bad
 * configuration stops start-up with one clear line (exit 2).
 */
import { ConfigError, loadConfig, processEnv, type Config, type Role } from '../../config/index.ts';
import { createApp, type App, type AppOverrides } from './create-app.ts';
import { productionOverrides } from './production.ts';

/** Seconds allowed for a graceful stop before in-flight work is abandoned (BullMQ retries it). */
export const SHUTDOWN_DEADLINE_MS = 10_000;

export async function runProcess(roles?: readonly Role[], extra: AppOverrides = {}): Promise<App | null> {
  let config: Config;
  try {
    config = loadConfig(processEnv());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
      return null;
    }
    throw e;
  }
  const effective: Config = roles ? { ...config, roles } : config;
  const app = await createApp(effective, { ...(await productionOverrides(effective)), ...extra });
  app.logger.info({ roles: effective.roles }, 'hashbell started');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    void app.shutdown(SHUTDOWN_DEADLINE_MS).finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return app;
}
