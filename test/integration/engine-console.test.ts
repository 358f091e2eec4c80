/**
 * With no chat token, `npm start`'s bot role subscribes one console target with the default
 * rules, and the console notifier prints what a chat would get.
 */
import { describe, expect, it } from 'vitest';
import { ConsoleNotifier, CONSOLE_TARGET } from '../../src/platforms/console/console-notifier.ts';
import { subscriptionId } from '../../src/subscriptions/service.ts';
import { alertIndexPlan, alertJudge } from '../../src/alerting/engine.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { startHarness, waitFor } from './engine-harness.ts';

describe('console delivery', () => {
  it('the bot role without tokens subscribes the console, and a block prints readable alerts', async () => {
    const printed: string[] = [];
    const h = await startHarness('console', 4, {
      judge: alertJudge,
      plan: alertIndexPlan,
      notifiers: { console: new ConsoleNotifier((t) => printed.push(t)) },
    });
    try {
      // the harness runs evaluator+notifier; start the console subscription as the bot role would
      const { created, rules } = await h.app.service.start(CONSOLE_TARGET, 1_750_000_000);
      expect(created).toBe(true);
      expect(rules).toHaveLength(3);
      expect(subscriptionId(CONSOLE_TARGET)).toBe('console-user-default');
      const s = makeSnapshot({ height: 10_080, dropPct: 40, changePct: 8, retarget: true });
      await h.block(s);
      await waitFor(() => printed.length === 1, 10_000, 'console output');
      const [out] = printed;
      expect(out).toMatch(/^── hashbell · block 10080 ──\n/);
      expect(out).toMatch(/3 alerts/);
      expect(out).toMatch(/retarget/i);
      expect(out).toMatch(/Hash rate down/);
    } finally {
      await h.close(); // removes the test's keys even when an expectation failed
    }
  });
});
