/**
 * The production SnapshotBuilderFactory: the domain's SnapshotBuilder behind the watcher's port.
 * Loaded lazily so the watcher module graph does not fail while the domain file is absent.
 */
import { existsSync } from 'node:fs';
import type { SnapshotBuilderFactory, SnapshotBuilderLike } from './snapshot-port.ts';

interface BuilderModule {
  SnapshotBuilder: { new (): SnapshotBuilderLike; readonly requiredHistoryBlocks: number };
}

export async function loadSnapshotBuilder(): Promise<SnapshotBuilderFactory> {
  const url = new URL('../domain/snapshot-builder.ts', import.meta.url);
  if (!existsSync(url)) throw new Error('src/domain/snapshot-builder.ts is not part of this build');
  const mod = (await import(url.href)) as BuilderModule;
  const Builder = mod.SnapshotBuilder;
  return { create: () => new Builder(), requiredHistoryBlocks: Builder.requiredHistoryBlocks };
}
