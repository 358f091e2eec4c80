/**
 * DiscordNotifier with charts against the stand-in (real @discordjs/rest multipart): the chart is
 * an attachment of the one alert message, shown in the embed of the alert it illustrates; a
 * refused upload is posted again without it; a 5xx fails the delivery with nothing posted, so
 * BullMQ's retry repeats nothing. The stand-in's own upload checks are exercised too.
 */
import { REST, Routes } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../src/alerting/ports.ts';
import type { AlertEvent, RuleSpec, Subscription } from '../../../src/alerting/types.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { ChartRequest } from '../../../src/charts/index.ts';
import type { ChartRenderer } from '../../../src/platforms/chart-picture.ts';
import { createDiscordNotifier } from '../../../src/platforms/discord/bot.ts';
import type { DiscordNotifier } from '../../../src/platforms/discord/notifier.ts';
import { DiscordStandIn } from '../../fakes/discord/index.ts';
import { makeSnapshot } from '../../fakes/memory-snapshots.ts';
import { makePng } from '../../fakes/multipart.ts';

let s: DiscordStandIn;
let channel: string;
beforeEach(async () => {
  s = await DiscordStandIn.start();
  channel = s.channelIds()[0] ?? '';
});
afterEach(async () => {
  await s.close();
});

const snap = makeSnapshot({ height: 900_000 });
const sub = (): Subscription => ({
  id: `discord-channel-${channel}`,
  platform: 'discord',
  targetType: 'channel',
  targetId: channel,
  ownerId: '400000000000000001',
  timeZone: 'UTC',
  quiet: null,
  mutedUntilSec: null,
  active: true,
  createdSec: 0,
});
const event = (rule: string, kind: AlertEvent['kind']): AlertEvent => ({
  rule,
  kind,
  state: 'firing',
  height: snap.height,
  time: snap.timeSec,
  value: 12.4,
  threshold: 10,
  text: 'x',
  subscriptionId: 'x',
  hash: snap.hash,
  details: { title: `${kind} firing`, unit: '%', source: 'replay', dataAgeSec: 5, severity: 'warn' },
});
const message = (events: AlertEvent[]): OutboundMessage => ({
  subscriptionId: 'x',
  height: snap.height,
  hash: snap.hash,
  events,
  digest: false,
});
const PNG = makePng(1000, 560);

function notifier(charts: ChartRenderer, rules?: readonly RuleSpec[]): DiscordNotifier {
  return createDiscordNotifier({
    token: s.token,
    apiBase: s.apiBase,
    logger: silentLogger(),
    restOffsetMs: 0,
    charts,
    ...(rules ? { chartRules: async () => rules } : {}),
  });
}
const drawing = (seen: ChartRequest[] = []): ChartRenderer => ({
  render: async (_k, req) => {
    seen.push(req);
    return PNG;
  },
});

describe('DiscordNotifier with charts', () => {
  it('one message: the chart is uploaded and shown in the embed of the alert it illustrates', async () => {
    const seen: ChartRequest[] = [];
    const rules: RuleSpec[] = [{ kind: 'hashprice-below', usd: 40 }];
    await notifier(drawing(seen), rules).send(
      sub(),
      message([event('5', 'slow-blocks'), event('4', 'hashprice-below')]),
    );
    const [m, ...rest] = s.messages(channel);
    expect(rest).toHaveLength(0);
    expect(m?.attachments.map((a) => [a.filename, a.contentType, a.data.equals(PNG)])).toEqual([
      ['hashbell-hashprice.png', 'image/png', true],
    ]);
    expect(m?.embeds[0]?.['image']).toBeUndefined();
    expect(m?.embeds[1]?.['image']).toEqual({ url: 'attachment://hashbell-hashprice.png' });
    expect(seen[0]).toMatchObject({ height: snap.height, hash: snap.hash, thresholds: rules });
  });

  it('a refused upload (413 / 40005) is posted again without the picture, in the same delivery', async () => {
    s.inject({ match: /^POST \/channels\/\d+\/messages$/, status: 413, code: 40005 });
    await notifier(drawing()).send(sub(), message([event('2', 'hashrate-drop')]));
    const [m, ...rest] = s.messages(channel);
    expect(rest).toHaveLength(0);
    expect(m?.attachments).toHaveLength(0);
    expect(m?.embeds[0]?.['image']).toBeUndefined();
    // Issue 11: the statement is said once, as the embed's title (content no longer repeats it).
    expect(String(m?.embeds[0]?.['title'])).toContain('hashrate-drop firing');
  });

  it('a 5xx fails the delivery as retryable with nothing posted; a throwing chart posts text-only embeds', async () => {
    s.inject({ match: /^POST \/channels\/\d+\/messages$/, status: 502 });
    await expect(notifier(drawing()).send(sub(), message([event('2', 'hashrate-drop')]))).rejects.toMatchObject({
      kind: 'retryable',
    });
    expect(s.messages(channel)).toHaveLength(0);
    await notifier({
      render: async () => {
        throw new Error('boom');
      },
    }).send(sub(), message([event('2', 'hashrate-drop')]));
    expect(s.messages(channel).map((m) => m.attachments.length)).toEqual([0]);
  });
});

describe('Discord stand-in: uploads', () => {
  const rest = (): REST => new REST({ api: s.apiBase, retries: 0 }).setToken(s.token);
  const file = (name: string, data: Buffer = PNG) => [{ name, data, contentType: 'image/png' }];

  it('accepts payload_json + files[n] and answers with the attachments', async () => {
    const res = (await rest().post(Routes.channelMessages(channel), {
      body: {
        embeds: [{ title: 't', image: { url: 'attachment://a.png' } }],
        attachments: [{ id: 0, filename: 'a.png' }],
      },
      files: file('a.png'),
    })) as { attachments: Array<{ filename: string; size: number; width: number }> };
    expect(res.attachments).toMatchObject([{ filename: 'a.png', size: PNG.length, width: 1000 }]);
    expect(s.messages(channel)[0]?.attachments[0]?.height).toBe(560);
  });

  it('refuses an attachment:// that names no uploaded file, a dangling attachment id, and files over 10 MB', async () => {
    await expect(
      rest().post(Routes.channelMessages(channel), {
        body: { embeds: [{ title: 't', image: { url: 'attachment://b.png' } }] },
        files: file('a.png'),
      }),
    ).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(
      rest().post(Routes.channelMessages(channel), {
        body: { content: 'x', attachments: [{ id: 3, filename: 'a.png' }] },
        files: file('a.png'),
      }),
    ).rejects.toMatchObject({ status: 400, code: 50035 });
    await expect(
      rest().post(Routes.channelMessages(channel), {
        body: { content: 'x' },
        files: file('big.png', Buffer.alloc(10 * 1024 * 1024 + 1)),
      }),
    ).rejects.toMatchObject({ status: 413, code: 40005 });
    expect(s.messages(channel)).toHaveLength(0);
  });
});
