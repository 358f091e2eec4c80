/**
 * The real discord.js bot through the Discord stand-in, with real Redis and the real engine:
 * a member subscribes, adds, lists and removes rules (with autocomplete), mutes, sets quiet
 * hours and stops; bad options; channel permissions for members and for the bot itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/platforms/discord/commands.ts';
import { BOT_PERMS, PERMS } from '../fakes/discord/index.ts';
import { makeSnapshot } from '../fakes/memory-snapshots.ts';
import { ANN, BOB, startDiscordWorld, type DiscordWorld } from './discord-harness.ts';

let w: DiscordWorld;
beforeEach(async () => {
  w = await startDiscordWorld('cmd');
});
afterEach(async () => {
  await w.close();
});

const ids = async (subId: string) => (await w.store.listRules(subId)).map((r) => r.id);
const MANAGER = PERMS.ViewChannel | PERMS.SendMessages | PERMS.ManageChannels;

describe('Discord slash commands (discord.js → stand-in → engine → Redis)', () => {
  it('registers the command set, and a member manages personal rules ephemerally', async () => {
    const s = w.standIn;
    expect(s.world.guildCommands.get(s.guildId)?.map((c) => c['name'])).toEqual(COMMANDS.map((c) => c.name));
    const channel = s.channelIds()[0] ?? '';

    const hello = await s.invoke('start', {}, { userId: ANN, channelId: channel });
    expect(hello.ephemeral).toBe(true);
    expect(hello.responses[0]?.kind).toBe('defer');
    expect(hello.content).toContain('Alerts for your DMs are on, with 3 default rules');
    expect(JSON.stringify(hello.embeds)).toContain(
      'hash rate down 10 % or more vs 2–4 weeks ago (14d lookback); messages show the 3d figure',
    );
    expect(await ids(w.dmSubId(ANN))).toEqual(['1', '2', '3']);
    // Started from a server: a greeting DM proves alerts can reach the member.
    expect(s.messages(s.dmChannelId(ANN)).map((m) => m.content)).toEqual([
      '👋 hashbell alerts you set up will arrive here. `/help` lists the commands.',
    ]);

    const added = await s.invoke(
      'alert add hashrate-drop',
      { pct: 15, lookback: '7d' },
      { userId: ANN, channelId: channel },
    );
    expect(added.ephemeral).toBe(true);
    expect(added.content).toContain(
      'Added alert `4` for your DMs: hash rate down 15 % or more vs 2–3 weeks ago (7d lookback); messages show the 3d figure',
    );
    // How soon drops are seen comes with a hash-rate-drop rule (and not with the break-even below).
    expect(added.content).toContain('A drop is seen on average: ');
    const be = await s.invoke('alert add breakeven', { jth: 17, kwh: 0.06, poolfee: 2 }, { userId: ANN });
    expect(be.content).toContain('Added alert `5`');
    expect(be.content).not.toContain('A drop is seen');
    expect(be.content).toContain('17 J/TH at $0.06/kWh, 2 % pool fee');

    const list = await s.invoke('alert list', {}, { userId: ANN });
    expect(list.embeds[0]?.['title']).toBe('Alerts for your DMs (5)');
    expect(String(list.embeds[0]?.['description'])).toContain('`4` hash rate down 15 % or more vs 2–3 weeks ago');

    const ac = await s.autocomplete('alert remove', { id: '4' }, 'id', { userId: ANN });
    expect(ac.choices[0]).toEqual({
      name: '4: hash rate down 15 % or more vs 2–3 weeks ago (7d lookback); messages show the 3d figure',
      value: '4',
    });
    const removed = await s.invoke('alert remove', { id: '4' }, { userId: ANN });
    expect(removed.content).toContain('Removed alert `4`');
    expect(await ids(w.dmSubId(ANN))).toEqual(['1', '2', '3', '5']);
    const gone = await s.invoke('alert remove', { id: '4' }, { userId: ANN });
    expect(gone.content).toContain('Nothing was changed');

    const muted = await s.invoke('mute', { duration: '6h' }, { userId: ANN });
    expect(muted.content).toMatch(/held until <t:\d+:f>/);
    expect((await w.store.get(w.dmSubId(ANN)))?.mutedUntilSec).toBeGreaterThan(Date.now() / 1000 + 6 * 3600 - 60);
    expect((await s.invoke('unmute', {}, { userId: ANN })).content).toContain('resume now');
    const zones = await s.autocomplete('quiet set', { hours: '23:00-07:00', zone: 'Europe/Ber' }, 'zone', {
      userId: ANN,
    });
    expect(zones.choices.map((c) => c.value)).toContain('Europe/Berlin');
    const q = await s.invoke('quiet set', { hours: '23:00-07:00', zone: 'Europe/Berlin' }, { userId: ANN });
    expect(q.content).toContain('Quiet hours for your DMs: 23:00–07:00 Europe/Berlin');
    expect((await w.store.get(w.dmSubId(ANN)))?.timeZone).toBe('Europe/Berlin');

    const stopped = await s.invoke('stop', {}, { userId: ANN });
    expect(stopped.content).toContain('Forgot the alerts for your DMs');
    expect(await w.store.get(w.dmSubId(ANN))).toBeNull();
  });

  it('warns a member whose DMs are closed when they start DM alerts from a server', async () => {
    const s = w.standIn;
    s.closeDms(BOB);
    const r = await s.invoke('start', {}, { userId: BOB, channelId: s.channelIds()[0] ?? '' });
    expect(r.content).toContain('Alerts for your DMs are on');
    expect(r.content).toContain(
      'I can’t send you direct messages: turn on *Allow direct messages from server members*',
    );
    expect(s.messages(s.dmChannelId(BOB))).toEqual([]);
  });

  it('answers bad options with the reason and an example, storing nothing; the client refuses out-of-range input', async () => {
    const s = w.standIn;
    await s.invoke('start', {}, { userId: BOB });
    // Issue 11: each kind is its own subcommand, so options of another kind cannot even be typed,
    // and a required one cannot be left out; what the grammar still refuses is worded in
    // Discord's own syntax.
    expect(() => s.interactions.build('alert add hashrate-below', { pct: 10 }, { userId: BOB })).toThrow(
      /no option pct/,
    );
    expect(() => s.interactions.build('alert add hashprice-below', {}, { userId: BOB })).toThrow(
      /required option usd missing/,
    );
    const badWindow = await s.invoke('alert add hashrate-drop', { pct: 10, window: '24h' }, { userId: BOB });
    expect(badWindow.content).toContain('is not a window for hashrate-drop');
    expect(badWindow.content).toContain('Example: `/alert add hashrate-drop pct:10 window:3d lookback:30d`');
    const odd = await s.invoke('alert add hashprice-below', { usd: 0.045 }, { userId: BOB });
    expect(odd.content).toContain('did you mean 45 $/PH/day');
    expect(odd.content).toContain('`/alert add hashprice-below usd:45`');
    const badMute = await s.invoke('mute', { duration: 'soon' }, { userId: BOB });
    expect(badMute.content).toContain('"soon" is not a duration');
    expect(await ids(w.dmSubId(BOB))).toEqual(['1', '2', '3']);
    expect(() => s.interactions.build('alert add hashrate-drop', { pct: 500 }, { userId: BOB })).toThrow(/max_value/);
    expect(() => s.interactions.build('alert add nonsense', {}, { userId: BOB })).toThrow(/no subcommand nonsense/);
  });

  it('channel rules need Manage Channels; anyone may read them; the bot says when it cannot post there', async () => {
    const s = w.standIn;
    const channel = s.channelIds()[1] ?? '';
    const refused = await s.invoke('alert add retarget', { target: 'channel' }, { userId: BOB, channelId: channel });
    expect(refused.ephemeral).toBe(true);
    expect(refused.responses.map((r) => r.kind)).toEqual(['reply']);
    expect(refused.content).toContain('Only members with the Manage Channels permission');
    expect(await w.store.get(w.channelSubId(channel))).toBeNull();

    const started = await s.invoke(
      'start',
      { target: 'channel' },
      { userId: ANN, channelId: channel, permissions: MANAGER },
    );
    expect(started.ephemeral).toBe(false);
    expect(started.content).toContain(`Alerts for <#${channel}> are on`);
    const sub = await w.store.get(w.channelSubId(channel));
    expect(sub?.ownerId).toBe(ANN);

    const read = await s.invoke('alert list', { target: 'channel' }, { userId: BOB, channelId: channel });
    expect(read.embeds[0]?.['title']).toBe('Alerts for this channel (3)');

    const noEmbed = BOT_PERMS & ~PERMS.EmbedLinks;
    const cant = await s.invoke(
      'alert add new-block',
      { target: 'channel' },
      { userId: ANN, channelId: channel, permissions: MANAGER, appPermissions: noEmbed },
    );
    expect(cant.content).toContain('I lack Embed Links');
    expect(await ids(w.channelSubId(channel))).toEqual(['1', '2', '3']);

    const inDm = await s.invoke('alert list', { target: 'channel' }, { userId: ANN });
    expect(inDm.content).toContain('Channel alerts work in a server channel');
  });

  it('answers /status, /retarget, /hashprice from the latest snapshot and /help at once', async () => {
    const s = w.standIn;
    const none = await s.invoke('status', {}, { userId: ANN });
    expect(none.embeds[0]?.['title']).toBe('No chain data yet');
    await w.tip(makeSnapshot({ height: 900_000, changePct: 3.2, usd: 48.5 }));
    const st = await s.invoke('status', {}, { userId: ANN, channelId: s.channelIds()[0] ?? '' });
    expect(st.ephemeral).toBe(false);
    expect(st.embeds[0]?.['title']).toBe('Block 900000');
    expect(JSON.stringify(st.embeds[0])).toContain('800 EH/s');
    const rt = await s.invoke('retarget', {}, { userId: ANN });
    expect(rt.embeds[0]?.['title']).toBe('Next difficulty retarget: +3.2 %');
    const hp = await s.invoke('hashprice', {}, { userId: ANN });
    expect(String(hp.embeds[0]?.['title'])).toContain('$48.5/PH/day');
    const help = await s.invoke('help', {}, { userId: ANN });
    expect(help.responses.map((r) => r.kind)).toEqual(['reply']);
    expect(help.ephemeral).toBe(true);
    expect(JSON.stringify(help.embeds)).toContain('hashrate-drop');
  });
  it('/alert add on a chat with no subscription creates it and says so (issue 11), with the remind option', async () => {
    const s = w.standIn;
    expect(await w.store.get(w.dmSubId(BOB))).toBeNull();
    const r = await s.invoke('alert add breakeven', { jth: 17, kwh: 0.06, remind: '3d' }, { userId: BOB });
    expect(r.content).toContain('Alerts for your DMs were not on yet: they are now, with 3 default rules');
    expect(r.content).toContain('Added alert `4` for your DMs');
    expect(r.content).toContain('reminders every 3 d');
    expect(await ids(w.dmSubId(BOB))).toEqual(['1', '2', '3', '4']);
    const channel = s.channelIds()[1] ?? '';
    const ch = await s.invoke(
      'alert add hashrate-below',
      { ehs: 900, target: 'channel' },
      { userId: ANN, channelId: channel, permissions: MANAGER },
    );
    expect(ch.ephemeral).toBe(false);
    expect(ch.content).toContain(`Alerts for <#${channel}> were not on yet`);
    expect((await w.store.get(w.channelSubId(channel)))?.ownerId).toBe(ANN);
    const neg = await s.invoke('alert add retarget-estimate', { pct: 5, direction: 'down' }, { userId: BOB });
    expect(neg.content).toContain('Added alert');
    const help = await s.invoke('help', {}, { userId: BOB });
    const text = String(help.embeds[0]?.['description']);
    for (const kind of ['hashrate-drop', 'breakeven', 'new-block']) expect(text).toContain(`/alert add ${kind}`);
    expect(text).toContain('`/alert add breakeven jth:17 kwh:0.06 poolfee:2`');
    expect(text).not.toMatch(/`\/alert [a-z-]+ \d/); // no Telegram syntax
  });
});
