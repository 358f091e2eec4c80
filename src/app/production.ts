/**
 * Production defaults for createApp: the alerting judge, the chain watcher and the chat bots,
 * each wired only when its module is part of the build, so a process runs with what exists.
 */
import type { Config } from '../../config/index.ts';
import type { AppOverrides } from './create-app.ts';

export async function productionOverrides(_config: Config): Promise<AppOverrides> {
  return {};
}
