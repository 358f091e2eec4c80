/**
 * TelegramNotifier with charts: which requests one alert makes, in which order, and what a
 * failure at each step does — the delivery stays one request whenever the caption fits, and a
 * retry can never send anything twice.
 */
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/alerting/ports.ts';
import type { AlertEvent, RuleSpec, Subscription } from '../../../src/alerting/types.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { ChartRequest } from '../../../src/charts/index.ts';
import type { ChartRenderer } from '../../../src/platforms/chart-picture.ts';
import { TelegramNotifier, type TelegramSender } from '../../../src/platforms/telegram/notifier.ts';
import { TELEGRAM_LIMITS, TelegramPacer } from '../../../src/platforms/telegram/pacer.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { makePng } from '../../fakes/multipart.ts';
import { checkCaption } from '../../fakes/telegram-photo.ts';

const sub: Subscription = {
  id: 'telegram-chat-42',
  platform: 'telegram',
  targetType: 'chat',
  targetId: '42',
  ownerId: '42',
  timeZone: 'Europe/Berlin',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
};
const s = makeSnapshot({ height: 900_000 });
const event = (rule: string, kind: AlertEvent['kind'] = 'hashrate-drop'): AlertEvent => ({
  rule,
  kind,
  state: 'firing',
  height: s.height,
  time: s.timeSec,
  value: 12.4,
  threshold: 10,
  text: 'x',
  subscriptionId: sub.id,
  hash: s.hash,
  details: {
    title: `Hash rate down 12.4 % (rule ${rule})`,
    unit: '%',
    window: '3d',
    low: 8.1,
    high: 16.2,
    source: 'mempool',
    dataAgeSec: 42,
    severity: 'warn',
  },
});
const message = (events: AlertEvent[]): OutboundMessage => ({
  subscriptionId: sub.id,
  height: s.height,
  hash: s.hash,
  events,
  digest: false,
});
const PNG = makePng(40, 20);
const tgError = (code: number, description: string) =>
  Object.assign(new Error(description), { response: { ok: false, error_code: code, description } });

type Call = { method: 'sendMessage' | 'sendPhoto'; text: string; filename?: string };

function recorder(fail: Partial<Record<Call['method'], () => Error>> = {}): { sender: TelegramSender; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    sender: {
      sendMessage: async (_chat, text) => {
        calls.push({ method: 'sendMessage', text });
        if (fail.sendMessage) throw fail.sendMessage();
      },
      sendPhoto: async (_chat, photo, extra) => {
        calls.push({ method: 'sendPhoto', text: extra.caption ?? '', filename: photo.filename });
        if (fail.sendPhoto) throw fail.sendPhoto();
      },
    },
  };
}

function notifier(
  sender: TelegramSender,
  charts: ChartRenderer,
  chartRules?: (sub: Subscription) => Promise<readonly RuleSpec[]>,
): TelegramNotifier {
  return new TelegramNotifier({
    telegram: sender,
    pacer: new TelegramPacer({ ...TELEGRAM_LIMITS, chatIntervalMs: 0 }),
    logger: silentLogger(),
    nowSec: () => s.timeSec + 50,
    charts,
    ...(chartRules ? { chartRules } : {}),
  });
}

const drawing = (seen: ChartRequest[] = [], kinds: string[] = []): ChartRenderer => ({
  render: async (kind, req) => {
    kinds.push(kind);
    seen.push(req);
    return PNG;
  },
});

describe('TelegramNotifier with charts', () => {
  it('an alert whose text fits a caption is one sendPhoto, drawn for the subscriber with their rules', async () => {
    const { sender, calls } = recorder();
    const seen: ChartRequest[] = [];
    const kinds: string[] = [];
    const rules: RuleSpec[] = [{ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }];
    await notifier(sender, drawing(seen, kinds), async () => rules).send(sub, message([event('2')]));
    expect(calls.map((c) => c.method)).toEqual(['sendPhoto']);
    expect(calls[0]?.filename).toBe('hashbell-hashrate.png');
    const caption = checkCaption(calls[0]!.text, 'HTML');
    expect(caption.ok && caption.plain).toContain('Hash rate down 12.4 % (rule 2)');
    expect(kinds).toEqual(['hashrate']);
    expect(seen[0]).toMatchObject({ height: s.height, hash: s.hash, timeZone: 'Europe/Berlin', thresholds: rules });
  });

  it('slow blocks have no chart: text as without charts', async () => {
    const { sender, calls } = recorder();
    await notifier(sender, drawing()).send(sub, message([event('5', 'slow-blocks')]));
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
  });

  it('a text longer than a caption: the text first (the delivery), then the chart with a short caption', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event(String(i + 1)));
    const { sender, calls } = recorder();
    await notifier(sender, drawing()).send(sub, message(events));
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendPhoto']);
    const text = checkCaption(calls[0]!.text, 'HTML');
    expect(text.ok).toBe(false); // too long to be a caption, which is why it went as text
    expect(checkCaption(calls[1]!.text, 'HTML').ok).toBe(true);
  });

  it('after a long text went out, a failing chart is swallowed (so the retry-free job completes)', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event(String(i + 1)));
    const { sender, calls } = recorder({ sendPhoto: () => tgError(502, 'Bad Gateway') });
    await expect(notifier(sender, drawing()).send(sub, message(events))).resolves.toBeUndefined();
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendPhoto']);
  });

  it('a long text that fails throws before any photo: the retry repeats nothing that arrived', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event(String(i + 1)));
    const { sender, calls } = recorder({ sendMessage: () => tgError(502, 'Bad Gateway') });
    await expect(notifier(sender, drawing()).send(sub, message(events))).rejects.toMatchObject({ kind: 'retryable' });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
  });

  it('a refused picture falls back to the text in the same delivery; a 5xx on the photo is retried as a whole', async () => {
    const refused = recorder({ sendPhoto: () => tgError(400, 'Bad Request: IMAGE_PROCESS_FAILED') });
    await notifier(refused.sender, drawing()).send(sub, message([event('2')]));
    expect(refused.calls.map((c) => c.method)).toEqual(['sendPhoto', 'sendMessage']);

    const down = recorder({ sendPhoto: () => tgError(502, 'Bad Gateway') });
    await expect(notifier(down.sender, drawing()).send(sub, message([event('2')]))).rejects.toMatchObject({
      kind: 'retryable',
    });
    expect(down.calls.map((c) => c.method)).toEqual(['sendPhoto']);
  });

  it('a throwing chart service or rules lookup never blocks the text', async () => {
    const { sender, calls } = recorder();
    const throwing: ChartRenderer = {
      render: async () => {
        throw new Error('boom');
      },
    };
    await notifier(sender, throwing).send(sub, message([event('2')]));
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    const seen: ChartRequest[] = [];
    await notifier(sender, drawing(seen), async () => {
      throw new Error('redis down');
    }).send(sub, message([event('2')]));
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendPhoto']);
    expect(seen[0]?.thresholds).toEqual([]);
  });
});
