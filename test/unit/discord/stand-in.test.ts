import { afterEach, describe, expect, it } from 'vitest';
import { Client, DiscordAPIError, Events, GatewayIntentBits, MessageFlags, REST, Routes } from 'discord.js';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { DiscordStandIn } from '../../fakes/discord/index.ts';

let standIn: DiscordStandIn | null = null;
let client: Client | null = null;
afterEach(async () => {
  await client?.destroy();
  await standIn?.close();
  client = null;
  standIn = null;
});

async function connect(s: DiscordStandIn): Promise<Client> {
  const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: s.apiBase } });
  const ready = once(c, Events.ClientReady);
  await c.login(s.token);
  await ready;
  return c;
}

describe('Discord stand-in speaks enough Discord for discord.js', () => {
  it('logs in, delivers a slash command and records the reply; a second ack is 40060', async () => {
    standIn = await DiscordStandIn.start();
    client = await connect(standIn);
    const errors: unknown[] = [];
    client.on(Events.InteractionCreate, async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply({ content: `pong ${i.options.getNumber('n') ?? 0}`, flags: MessageFlags.Ephemeral });
      await i.reply({ content: 'again' }).catch((e: unknown) => errors.push(e));
    });
    const channel = standIn.channelIds()[0] ?? '';
    const r = await standIn.invoke('ping', { n: 3 }, { channelId: channel });
    expect(r.content).toBe('pong 3');
    expect(r.ephemeral).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
    expect(errors.length).toBe(1);
  });

  it('answers 10062 after 3 s, and resumes the gateway after a drop', async () => {
    standIn = await DiscordStandIn.start();
    standIn.interactions.ackTimeoutMs = 200;
    client = await connect(standIn);
    const errors: number[] = [];
    client.on(Events.InteractionCreate, async (i) => {
      if (!i.isChatInputCommand()) return;
      if (i.commandName === 'slow') await new Promise((r) => setTimeout(r, 300));
      await i
        .reply({ content: 'ok' })
        .catch((e: unknown) => errors.push(e instanceof DiscordAPIError ? Number(e.code) : -1));
    });
    await expect(standIn.invoke('slow', {}, {}, 1000)).rejects.toThrow(/no final response/);
    expect(errors).toEqual([10062]);
    standIn.interactions.ackTimeoutMs = 3000;
    standIn.drop();
    const r = await standIn.invoke('fast', {}, {});
    expect(r.content).toBe('ok');
    expect(standIn.gateway.resumes).toBe(1);
    expect(standIn.gateway.identifies).toBe(1);
  });

  it('enforces auth, message limits and canned channel errors', async () => {
    standIn = await DiscordStandIn.start();
    const ch = standIn.channelIds()[0] ?? '';
    const bad = new REST({ api: standIn.apiBase, retries: 0 }).setToken('nope');
    await expect(bad.post(Routes.channelMessages(ch), { body: { content: 'x' } })).rejects.toMatchObject({
      status: 401,
    });
    const rest = new REST({ api: standIn.apiBase, retries: 0 }).setToken(standIn.token);
    await expect(rest.post(Routes.channelMessages(ch), { body: { content: 'x'.repeat(2001) } })).rejects.toMatchObject({
      code: 50035,
    });
    await expect(rest.post(Routes.channelMessages(ch), { body: { content: '' } })).rejects.toMatchObject({
      code: 50006,
    });
    const big = Array.from({ length: 7 }, () => ({ description: 'y'.repeat(1000) }));
    await expect(rest.post(Routes.channelMessages(ch), { body: { embeds: big } })).rejects.toMatchObject({
      code: 50035,
    });
    standIn.failChannel(ch, 50013);
    await expect(rest.post(Routes.channelMessages(ch), { body: { content: 'hi' } })).rejects.toMatchObject({
      code: 50013,
      status: 403,
    });
    const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: '400000000000000009' } })) as {
      id: string;
      type: number;
    };
    expect(dm.type).toBe(1);
    standIn.closeDms('400000000000000009');
    await expect(rest.post(Routes.channelMessages(dm.id), { body: { content: 'hi' } })).rejects.toMatchObject({
      code: 50007,
    });
  });

  it('serves 429 with Retry-After past the per-channel bucket, which @discordjs/rest waits out', async () => {
    standIn = await DiscordStandIn.start({ messageBucket: { limit: 2, windowMs: 600 } });
    const ch = standIn.channelIds()[1] ?? '';
    const rest = new REST({ api: standIn.apiBase, retries: 0 }).setToken(standIn.token);
    standIn.inject({ match: /^POST \/channels\/\d+\/messages$/, status: 429, retryAfterSec: 1 });
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) await rest.post(Routes.channelMessages(ch), { body: { content: `m${i}` } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(standIn.messages(ch).map((m) => m.content)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(standIn.rest.stats.rateLimited).toBe(0); // the bucket headers kept the client below the limit
  });

  it('closes the gateway with Discord’s codes: 4004 bad token, 4003 not authenticated, 4005 identified twice', async () => {
    standIn = await DiscordStandIn.start();
    const gw = (
      (await (
        await fetch(`${standIn.apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${standIn.token}` } })
      ).json()) as { url: string }
    ).url;
    const closeCode = async (frames: object[]): Promise<number> => {
      const ws = new WebSocket(`${gw}?v=10&encoding=json`);
      const [hello] = (await once(ws, 'message')) as [Buffer];
      expect(JSON.parse(String(hello))).toMatchObject({ op: 10, d: { heartbeat_interval: 41_250 } });
      for (const f of frames) ws.send(JSON.stringify(f));
      const [code] = (await once(ws, 'close')) as [number];
      return code;
    };
    const identify = (token: string) => ({ op: 2, d: { token, intents: 1, properties: {} } });
    expect(await closeCode([identify('wrong')])).toBe(4004);
    expect(await closeCode([{ op: 8, d: {} }])).toBe(4003);
    expect(await closeCode([identify(standIn.token), identify(standIn.token)])).toBe(4005);
  });

  it('acknowledges heartbeats, so a healthy connection is never resumed', async () => {
    standIn = await DiscordStandIn.start({ heartbeatIntervalMs: 150 });
    client = await connect(standIn);
    await new Promise((r) => setTimeout(r, 700));
    expect(standIn.gateway.heartbeats).toBeGreaterThanOrEqual(3);
    expect(standIn.gateway.resumes).toBe(0);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('a zombie connection (no heartbeat ACK) is closed and resumed by the client', async () => {
    standIn = await DiscordStandIn.start({ heartbeatIntervalMs: 150 });
    client = await connect(standIn);
    standIn.gateway.ackHeartbeats = false;
    const deadline = Date.now() + 5000;
    while (standIn.gateway.resumes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    standIn.gateway.ackHeartbeats = true;
    expect(standIn.gateway.resumes).toBeGreaterThanOrEqual(1);
    expect(standIn.gateway.identifies).toBe(1);
  });

  it('answers with_response callbacks with the message, and followups expire after 15 minutes (50027)', async () => {
    standIn = await DiscordStandIn.start();
    client = await connect(standIn);
    const seen: unknown[] = [];
    client.on(Events.InteractionCreate, async (i) => {
      if (!i.isChatInputCommand()) return;
      const r = await i.reply({ content: 'hello', withResponse: true });
      seen.push(r.resource?.message?.content);
      standIn!.interactions.followupTtlMs = 0;
      await i.followUp({ content: 'late' }).catch((e: unknown) => seen.push((e as { code?: number }).code));
    });
    const r = await standIn.invoke('ping', {}, {});
    expect(r.content).toBe('hello');
    await new Promise((res) => setTimeout(res, 200));
    expect(seen).toEqual(['hello', 50027]);
  });
});
