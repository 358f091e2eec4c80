/** The snapshot builder the watcher tests run (the domain's once it lands; a stub until then). */
import type { SnapshotBuilderFactory } from '../../src/sources/snapshot-port.ts';
import { stubBuilderFactory } from '../fakes/stub-snapshot-builder.ts';

export function testBuilderFactory(history: number): SnapshotBuilderFactory {
  return stubBuilderFactory(history);
}
