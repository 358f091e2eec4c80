/**
 * What every process entry point in workers/ does, in this order, so an operator can always see
 * what is going on:
 * 1. read `.env` when present, then validate the environment (a bad value: one line, exit 2);
 * 2. choose the Redis (REDIS_URL, else the local one, else a private redis-server; none to be had:
 *    install hints, exit 1);
 * 3. serve /livez, /readyz and /metrics at once, before anything that may wait on Redis or the
 *    network, so /readyz can say what is missing;
 * 4. build the app for the roles it runs (createApp, the one composition root);
 * 5. on SIGINT/SIGTERM, once or repeated, drain within a deadline and exit.
 */
import { describeTarget, type RedisClient, type RedisTarget } from '../store/connection.ts';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, loadConfig, loadDotEnv, processEnv, type Config, type Role } from '../../config/index.ts';
import { createApp, type App } from './create-app.ts';
import { NoRedisError, resolveRedis, type RedisChoice } from './embedded-redis.ts';
import { Health, registerReadiness } from './health.ts';
import { redisCheck, startHttpServer, type HealthCheck, type HttpServerHandle } from './http.ts';
import { createLogger, redactSecrets, resolveLogFormat, type Logger } from '../observability/logger.ts';
import { connectRedis } from './redis-connections.ts';

/** Time allowed for a graceful stop; past it, running jobs are handed back to their queues. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * A PING-only connection for /readyz that fails fast instead of queueing while Redis is away, and
 * its check: the address (never the credentials) and the last connection error.
 */
function redisHealth(at: RedisTarget): { redis: RedisClient; check: HealthCheck } {
  const r = connectRedis(at, 'health');
  let lastError = '';
  r.on('error', (e: Error) => {
    lastError = e.message;
  });
  const host = describeTarget(at);
  const ping = redisCheck(r);
  return {
    redis: r,
    check: async () =>
      r.status === 'ready' ? ping() : `redis at ${host} not reachable (${redactSecrets(lastError || r.status)})`,
  };
}

/** The Redis to use; a private redis-server keeps its data in `.hashbell/` under the working directory. */
async function chooseRedis(config: Config, logger: Logger): Promise<RedisChoice | null> {
  try {
    return await resolveRedis(config, {
      workDir: process.cwd(),
      say: (line, fields) => logger.info(fields ?? {}, line),
    });
  } catch (e) {
    if (!(e instanceof NoRedisError)) throw e;
    process.stderr.write(`${e.lines.join('\n')}\n`);
    process.exitCode = 1;
    return null;
  }
}

export async function runProcess(roles?: readonly Role[]): Promise<App | null> {
  let loaded: Config;
  try {
    loadDotEnv();
    loaded = loadConfig(processEnv());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 2;
      return null;
    }
    throw e;
  }
  const logger = createLogger({
    level: loaded.logLevel,
    format: resolveLogFormat(loaded.logFormat, process.stderr.isTTY === true),
  });
  const redisChoice = await chooseRedis(loaded, logger);
  if (redisChoice === null) return null;
  const config: Config = { ...loaded, redisUrl: redisChoice.url, ...(roles ? { roles } : {}) };

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const health = new Health();
  const { redis: healthRedis, check: redisReady } = redisHealth(config);
  health.set('redis', redisReady);
  registerReadiness(registry, health);
  for (const role of config.roles) health.pending(role, 'starting');
  let http: HttpServerHandle;
  try {
    http = await startHttpServer({
      port: config.httpPort,
      host: config.httpHost,
      registry,
      checks: () => health.all(),
      logger,
    });
  } catch (e) {
    logger.error(
      { err: e as Error, port: config.httpPort, host: config.httpHost },
      `cannot serve /readyz and /metrics on ${config.httpHost}:${config.httpPort} (in use? set HTTP_PORT)`,
    );
    healthRedis.disconnect();
    await redisChoice.stop();
    process.exitCode = 1;
    return null;
  }
  logger.info({ url: http.url, port: http.port }, `serving /livez, /readyz and /metrics on ${http.url}`);

  let app: App | null = null;
  let appFailed = false;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.info({ signal }, 'already shutting down; exiting within the deadline');
      return;
    }
    stopping = true;
    logger.info({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutting down');
    // Belt and braces: whatever hangs, the process is gone shortly after the deadline.
    setTimeout(() => {
      logger.error('shutdown overran its deadline; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS + 5_000).unref();
    void (async () => {
      const started = Date.now();
      while (app === null && !appFailed && Date.now() - started < SHUTDOWN_DEADLINE_MS)
        await new Promise((r) => setTimeout(r, 50));
      if (app !== null) await app.shutdown(Math.max(1_000, SHUTDOWN_DEADLINE_MS - (Date.now() - started)));
      await http.close();
      healthRedis.disconnect();
      await redisChoice.stop();
      logger.info('stopped');
    })().finally(() => process.exit(0));
  };
  // Not `once`: a second signal (npm and the process group both forward one) must not kill the
  // process mid-drain with the default action.
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  try {
    app = await createApp(config, { logger, registry, health });
  } catch (e) {
    // A bug at start-up: leave nothing running behind us (least of all a private redis-server).
    appFailed = true;
    await http.close();
    healthRedis.disconnect();
    await redisChoice.stop();
    throw e;
  }
  app.logger.info({ roles: config.roles, redis: redisChoice.kind }, 'hashbell started');
  return app;
}
