/** Starting a chat bot so that a failed attempt can simply be tried again. */

/** Anything with a connect and a disconnect: the Telegram and Discord bots. */
export interface StartableBot {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `bot`; when that fails, stops it before rethrowing, so a failed attempt leaves nothing
 * behind (listener, poller, gateway socket) for the next attempt to trip on.
 */
export async function startCleanly(bot: StartableBot): Promise<{ stop(): Promise<void> }> {
  try {
    await bot.start();
  } catch (e) {
    await bot.stop().catch(() => undefined);
    throw e;
  }
  return { stop: () => bot.stop() };
}
