/** LOG_FORMAT (issue 13 §3): readable lines for a person at a terminal, JSON for machines. */
import { describe, expect, it } from 'vitest';
import { resolveLogFormat } from '../../../src/observability/logger.ts';

// Each row: LOG_FORMAT, stderr is a TTY, the format used.
const rows: Array<['auto' | 'pretty' | 'json', boolean, 'pretty' | 'json']> = [
  ['auto', true, 'pretty'], // npm start in a terminal
  ['auto', false, 'json'], // a container, a pipe, a log collector
  ['pretty', false, 'pretty'], // asked for, e.g. `docker logs` read by a person
  ['json', true, 'json'], // asked for at a terminal (jq)
];

describe('resolveLogFormat', () => {
  it.each(rows)('%s with TTY=%s → %s', (setting, tty, expected) => {
    expect(resolveLogFormat(setting, tty)).toBe(expected);
  });
});
