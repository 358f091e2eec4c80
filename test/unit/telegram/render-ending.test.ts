/**
 * A hash-rate drop alert that ends because the lower level became the rule's recent level is not
 * a recovery: Telegram shows it as a notice, without the resolved tick or "(resolved)".
 */
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../../src/alerting/types.ts';
import { renderEvent } from '../../../src/platforms/telegram/render.ts';

const event = (details: Partial<AlertEvent['details']>): AlertEvent => ({
  rule: '2',
  kind: 'hashrate-drop',
  state: 'resolved',
  height: 900_101,
  time: 1_750_000_000,
  value: 15,
  threshold: 10,
  text: '',
  subscriptionId: 'telegram-chat-1',
  hash: 'ab'.repeat(32),
  details: { title: 'Hash-rate drop over', unit: '%', source: 'mempool', dataAgeSec: 4, severity: 'info', ...details },
});

describe('telegram: the end of a drop alert', () => {
  it('a recovery keeps its tick and "(resolved)"', () => {
    const text = String(renderEvent(event({}), 'UTC', 1_750_000_000));
    expect(text.startsWith('✅')).toBe(true);
    expect(text).toContain('(resolved)');
  });
  it('"the lower level is now the normal" is a notice, never called resolved', () => {
    const title = 'Hash rate still 15 % below its level before the drop: the lower level is now the normal';
    const text = String(renderEvent(event({ title, ending: 'new-normal' }), 'UTC', 1_750_000_000));
    expect(text.startsWith('ℹ️')).toBe(true);
    expect(text).toContain('the lower level is now the normal');
    expect(text).not.toMatch(/resolved|recovered|✅/);
  });
});
