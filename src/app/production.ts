/**
 * Production defaults for createApp: one logger, the chat platforms whose tokens are set (their
 * notifiers for the deliver workers, their bots for the bot role), and the chain watcher with
 * /healthz and /metrics. With no chat token, createApp's console subscription takes over.
 */
import { Registry } from 'prom-client';
import type { Config } from '../../config/index.ts';
import type { Notifier } from '../alerting/ports.ts';
import type { Platform } from '../alerting/types.ts';
import { createDiscordBot, createDiscordNotifier } from '../platforms/discord/bot.ts';
import { telegramPlatform } from '../platforms/telegram/bot.ts';
import { appWatcherRole } from '../sources/watcher-role.ts';
import type { App, AppOverrides, RoleHandle } from './create-app.ts';
import { createLogger } from './logger.ts';

export async function productionOverrides(config: Config): Promise<AppOverrides> {
  const logger = createLogger({ level: config.logLevel });
  // One registry: the watcher's /metrics shows the engine's figures too.
  const registry = new Registry();
  const notifiers: Partial<Record<Platform, Notifier>> = {};
  const bots: Array<(app: App) => Promise<RoleHandle>> = [];
  if (config.telegramBotToken !== undefined) {
    const tg = telegramPlatform({
      token: config.telegramBotToken, apiRoot: config.telegramApiRoot, logger,
      ...(config.telegramWebhookUrl !== undefined ? { webhookUrl: config.telegramWebhookUrl } : {}),
    });
    notifiers.telegram = tg.notifier;
    bots.push((app) => tg.startBot(app.service));
  }
  const { discordToken, discordApplicationId } = config;
  if (discordToken !== undefined && discordApplicationId !== undefined) {
    const notifier = createDiscordNotifier({ token: discordToken, apiBase: config.discordApiBase, logger });
    notifiers.discord = notifier;
    bots.push(async (app) => {
      const bot = createDiscordBot({ token: discordToken, applicationId: discordApplicationId, apiBase: config.discordApiBase, service: app.service, logger, notifier });
      await bot.start();
      return { stop: () => bot.stop() };
    });
  }
  return {
    logger,
    notifiers,
    registry,
    startWatcher: appWatcherRole(config, { registry }),
    startBots: async (app) => Promise.all(bots.map((start) => start(app))),
  };
}
