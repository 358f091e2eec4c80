/**
 * TelegramNotifier with charts: which requests one alert makes, in which order, and what a
 * failure at each step does — one alert is one request (a long alert's caption is shortened),
 * each picture is uploaded once and then sent by file_id, and a retry never sends anything twice.
 */
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/alerting/ports.ts';
import type { AlertEvent, RuleSpec, Subscription } from '../../../src/alerting/types.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { ChartRequest } from '../../../src/charts/index.ts';
import type { ChartRenderer } from '../../../src/platforms/chart-picture.ts';
import { MemoryPictureRefs, type PictureRefs } from '../../../src/platforms/picture-refs.ts';
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

type Call = { method: 'sendMessage' | 'sendPhoto'; text: string; filename?: string; fileId?: string; paid?: boolean };

function recorder(fail: Partial<Record<Call['method'], (photo?: unknown) => Error | null>> = {}): {
  sender: TelegramSender;
  calls: Call[];
} {
  const calls: Call[] = [];
  let n = 0;
  return {
    calls,
    sender: {
      sendMessage: async (_chat, text, extra) => {
        calls.push({ method: 'sendMessage', text, ...(extra.allow_paid_broadcast ? { paid: true } : {}) });
        const e = fail.sendMessage?.();
        if (e) throw e;
      },
      sendPhoto: async (_chat, photo, extra) => {
        calls.push({
          method: 'sendPhoto',
          text: extra.caption ?? '',
          ...(typeof photo === 'string' ? { fileId: photo } : { filename: photo.filename }),
          ...(extra.allow_paid_broadcast ? { paid: true } : {}),
        });
        const e = fail.sendPhoto?.(photo);
        if (e) throw e;
        n += 1;
        return { message_id: n, photo: [{ file_id: `small-${n}` }, { file_id: `file-${n}` }] };
      },
    },
  };
}

function notifier(
  sender: TelegramSender,
  charts: ChartRenderer,
  chartRules?: (sub: Subscription) => Promise<readonly RuleSpec[]>,
  more: { pictures?: PictureRefs; paidBroadcast?: boolean } = {},
): TelegramNotifier {
  return new TelegramNotifier({
    telegram: sender,
    pacer: new TelegramPacer({ ...TELEGRAM_LIMITS, chatIntervalMs: 0 }),
    logger: silentLogger(),
    nowSec: () => s.timeSec + 50,
    charts,
    ...(chartRules ? { chartRules } : {}),
    ...more,
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

  it('a text longer than a caption is still ONE sendPhoto: the caption keeps the headlines and points to /status', async () => {
    const events = Array.from({ length: 20 }, (_, i) => event(String(i + 1)));
    const { sender, calls } = recorder();
    await notifier(sender, drawing()).send(sub, message(events));
    expect(calls.map((c) => c.method)).toEqual(['sendPhoto']);
    const caption = checkCaption(calls[0]!.text, 'HTML');
    expect(caption.ok).toBe(true);
    expect(caption.ok && caption.plain).toContain('Hash rate down 12.4 % (rule 1)');
    expect(caption.ok && caption.plain).toMatch(/…and \d+ more alerts\./);
    expect(caption.ok && caption.plain).toContain('/status');
  });

  it('a second recipient of the same picture gets it by file_id; a refused file_id is uploaded again', async () => {
    const { sender, calls } = recorder({
      sendPhoto: (photo) =>
        photo === 'file-1' ? tgError(400, 'Bad Request: wrong file identifier/HTTP URL specified') : null,
    });
    const pictures = new MemoryPictureRefs();
    const n = notifier(sender, drawing(), undefined, { pictures });
    await n.send(sub, message([event('2')]));
    await n.send({ ...sub, id: 'telegram-chat-43', targetId: '43' }, message([event('2')]));
    // Upload, then the file_id (refused here), then the upload again in the same delivery.
    expect(calls.map((c) => c.filename ?? c.fileId)).toEqual([
      'hashbell-hashrate.png',
      'file-1',
      'hashbell-hashrate.png',
    ]);
    await n.send({ ...sub, id: 'telegram-chat-44', targetId: '44' }, message([event('2')]));
    expect(calls.at(-1)?.fileId).toBe('file-2');
  });

  it('a failed first upload stores nothing: the next recipient uploads', async () => {
    let first = true;
    const { sender, calls } = recorder({
      sendPhoto: () => (first ? ((first = false), tgError(403, 'Forbidden: bot was blocked by the user')) : null),
    });
    const n = notifier(sender, drawing(), undefined, { pictures: new MemoryPictureRefs() });
    await expect(n.send(sub, message([event('2')]))).rejects.toMatchObject({ kind: 'permanent' });
    await n.send({ ...sub, id: 'telegram-chat-43', targetId: '43' }, message([event('2')]));
    expect(calls.map((c) => c.filename ?? c.fileId)).toEqual(['hashbell-hashrate.png', 'hashbell-hashrate.png']);
  });

  it('paid broadcast: alerts carry allow_paid_broadcast, with and without a picture', async () => {
    const { sender, calls } = recorder();
    const n = notifier(sender, drawing(), undefined, { paidBroadcast: true });
    await n.send(sub, message([event('2')]));
    await n.send(sub, message([event('5', 'slow-blocks')]));
    expect(calls.map((c) => [c.method, c.paid])).toEqual([
      ['sendPhoto', true],
      ['sendMessage', true],
    ]);
  });

  it('a refused picture falls back to the text in the same delivery; a 5xx on the photo is retried as a whole', async () => {
    const refused = recorder({ sendPhoto: () => tgError(400, 'Bad Request: IMAGE_PROCESS_FAILED') });
    // (the upload refused: nothing was sent and no file_id stored)
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
