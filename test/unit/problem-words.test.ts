/**
 * Every error id the core can return (alerting/problems.ts), produced by the real parsers and use
 * cases, worded by every platform: never empty, never `undefined`/`NaN`, each in its own syntax
 * only (no Telegram positional commands on Discord, no Discord `name:value` options on Telegram),
 * and every example shown is itself accepted by the grammar.
 */
import { describe, expect, it } from 'vitest';
import { parseRule } from '../../src/alerting/parse.ts';
import { parseDuration, parseQuiet } from '../../src/alerting/parse-time.ts';
import { PROBLEM_IDS, type Problem, type RuleProblem } from '../../src/alerting/problems.ts';
import { RULE_KINDS } from '../../src/alerting/rule-schema.ts';
import { consoleProblem } from '../../src/cli/problem-words.ts';
import { parseRulesText } from '../../src/cli/rules-file.ts';
import { optionsToTokens, resolveTarget, type ParamValues } from '../../src/platforms/discord/options.ts';
import { discordProblem } from '../../src/platforms/discord/problem-words.ts';
import { problemText } from '../../src/platforms/discord/render.ts';
import { telegramProblem } from '../../src/platforms/telegram/problem-words.ts';
import { helpReply } from '../../src/platforms/telegram/handlers.ts';
import { helpEmbed } from '../../src/platforms/discord/render-info.ts';
import { renderProblem } from '../../src/platforms/telegram/render.ts';
import { previewOver } from '../../src/subscriptions/preview.ts';
import { SubscriptionUseCases } from '../../src/subscriptions/use-cases.ts';
import { checkMessageText } from '../fakes/telegram-markup.ts';
import { MemorySubscriptionStore } from '../fakes/memory-stores.ts';

const RULE_INPUTS: ReadonlyArray<[string, string]> = [
  ['moon-landing', '5%'],
  ['hashrate-drop', '10%%'],
  ['hashrate-below', '10%'],
  ['retarget-soon', '14.5'],
  ['hashrate-drop', '120%'],
  ['hashprice-below', '0'],
  ['hashrate-drop', '10% 5d'],
  ['hashprice-move', '10% 3d'],
  ['breakeven', '17'],
  ['hashprice-below', ''],
  ['hashrate-drop', '10% remind:3d'],
  ['hashrate-drop', '10% 20%'],
  ['breakeven', '17 0.06 2% 4'],
  ['retarget', '5'],
  ['retarget', '5%'],
  ['retarget-soon', '3d'],
  ['hashrate-drop', '10% up'],
  ['new-block', 'now'],
  ['breakeven', '17 0.06 -2%'],
  ['hashprice-below', '-5'],
  ['hashprice-below', '0.045'],
  ['hashrate-below', '0.5'],
  ['breakeven', '17 3'],
  ['breakeven', '17000 0.06'],
  ['breakeven', '17 0.06 remind:5s'],
];

async function problems(): Promise<Problem[]> {
  const out: Problem[] = [];
  const keep = (r: { ok: boolean }) => {
    if (!r.ok) out.push(r as unknown as Problem);
  };
  for (const [kind, args] of RULE_INPUTS) keep(parseRule(kind, args.split(' ').filter(Boolean)));
  keep(optionsToTokens('breakeven', { jth: 17, kwh: 0.06, ehs: 5 }));
  keep(optionsToTokens('retarget', { pct: 1, minutes: 5 }));
  keep(optionsToTokens('retarget-estimate', { pct: -5 }));
  for (const d of ['', 'soon', '0m', '5w']) keep(parseDuration(d));
  for (const q of [
    [],
    ['late'],
    ['23:00-23:00'],
    ['23:00-07:00', 'Mars/Olympus'],
    ['off', 'now'],
    ['23-7', 'UTC', 'x'],
  ])
    keep(parseQuiet(q));
  const store = new MemorySubscriptionStore();
  const uc = new SubscriptionUseCases({
    store,
    latestSnapshot: async () => null,
    preview: async (spec) => previewOver(spec, [], 'fixture'),
  });
  const t = { platform: 'telegram' as const, targetType: 'chat' as const, targetId: '1', userId: '1' };
  keep(await uc.addRule(t, 'new-block', [], 0));
  keep(await uc.mute(t, '6h', 0));
  await uc.start(t, 0);
  for (let i = 0; i < 30; i++) keep(await uc.addRule(t, 'slow-blocks', [`${30 + i}m`], 0));
  keep(await uc.removeRule(t, 'two'));
  keep(await uc.removeRule(t, '99'));
  keep(await uc.snooze(t, '99', 10, 0));
  keep(await uc.setTimeZone(t, 'Mars/Olympus'));
  keep(await uc.preview('retarget', [], 0));
  return out;
}

/** Telegram-only syntax, never to be shown on Discord. */
const TELEGRAM_ONLY = [
  /\/alert (?!add\b|list\b|remove\b)/,
  /\/remove\b/,
  /\/start\b/,
  /\/alerts\b/,
  /\/mute (?!duration:)/,
  /\/quiet (?!set\b|off\b)/,
  /\/timezone\b/,
  /\/preview [a-z-]+ (?![a-z]+:)\S/,
];
/** Discord's option syntax, never to be shown on Telegram (`remind:3d` is the chat grammar's own word). */
const DISCORD_ONLY = [
  /(?<![\w-])(pct|window|lookback|direction|ehs|usd|jth|kwh|poolfee|blocks|minutes|target|id|duration|hours|zone):/,
  /\/alert (add|list|remove)\b/,
  /\/quiet set\b/,
];

const clean = (s: string) => {
  expect(s.trim().length).toBeGreaterThan(0);
  expect(s).not.toMatch(/undefined|NaN|\[object/);
};

/** A Discord example (`/alert add <kind> name:value …`) through the options path into the grammar. */
function discordExampleParses(example: string): boolean {
  const [, , kind = '', ...opts] = example.split(' ');
  const values: ParamValues = {};
  for (const o of opts) {
    const [name = '', value = ''] = o.split(/:(.*)/);
    const n = Number(value);
    (values as Record<string, string | number>)[name] =
      ['window', 'lookback', 'direction', 'remind'].includes(name) || !Number.isFinite(n) ? value : n;
  }
  const tokens = optionsToTokens(kind as never, values);
  return tokens.ok && parseRule(kind, tokens.value).ok;
}

describe('every error id, worded by every platform', () => {
  it('the samples cover every id the core declares', async () => {
    const ids = new Set((await problems()).map((p) => p.error));
    expect([...ids].sort()).toEqual([...PROBLEM_IDS].sort());
  });

  it('Telegram: clear, Telegram syntax only, an example that is accepted', async () => {
    for (const p of await problems()) {
      const w = telegramProblem(p);
      const all = `${w.text} ${w.example ?? ''}`;
      clean(all);
      for (const re of DISCORD_ONLY) expect(all, `${p.error}: ${all}`).not.toMatch(re);
      if (w.example?.startsWith('/alert ')) {
        const [, kind = '', ...rest] = w.example.split(' ');
        expect(parseRule(kind, rest).ok, w.example).toBe(true);
      }
      const reply = checkMessageText(renderProblem(w.text, w.example).value, 'HTML');
      expect(reply.ok).toBe(true);
      if (w.offer !== undefined) expect(Buffer.byteLength(w.offer.data)).toBeLessThanOrEqual(64);
    }
  });

  it('Discord: clear, Discord syntax only, an example that is accepted', async () => {
    const targets = [
      resolveTarget(
        'channel',
        { userId: '1', guildChannelId: null, memberPermissions: null, appPermissions: 0n },
        true,
      ),
      resolveTarget('channel', { userId: '1', guildChannelId: '2', memberPermissions: 0n, appPermissions: 0n }, true),
      resolveTarget('channel', { userId: '1', guildChannelId: '2', memberPermissions: 8n, appPermissions: 0n }, true),
    ].flatMap((r) => (r.ok ? [] : [r]));
    expect(targets.map((t) => t.error)).toEqual(['not-in-channel', 'needs-manage-channels', 'bot-cannot-post']);
    for (const p of [...(await problems()), ...targets]) {
      for (const command of ['alert', 'preview'] as const) {
        const w = discordProblem(p, command);
        const all = `${w.text} ${w.example ?? ''}`;
        clean(all);
        for (const re of TELEGRAM_ONLY) expect(all, `${p.error}: ${all}`).not.toMatch(re);
        if (w.example?.startsWith('/alert add ')) expect(discordExampleParses(w.example), w.example).toBe(true);
        expect(problemText(p, command).length).toBeLessThanOrEqual(2000);
      }
    }
  });

  it('console (rules files): clear, JSON syntax, an example rule the file reader accepts', async () => {
    const rule = (await problems()).filter(
      (p): p is RuleProblem =>
        [
          'unknown-kind',
          'bad-percent',
          'bad-number',
          'unknown-window',
          'unknown-arg',
          'negative',
          'implausible',
        ].includes(p.error) ||
        ('params' in p && 'kind' in p.params),
    );
    expect(rule.length).toBeGreaterThan(20);
    for (const p of rule) {
      const w = consoleProblem(p);
      clean(`${w.text} ${w.example ?? ''}`);
      expect(w.text.replace(/"[^"]*"/g, '')).not.toMatch(/\/alert|\b[a-z]+:\d/);
      expect(parseRulesText(`[${w.example ?? ''}]`, 'ex.json')).toHaveLength(1);
    }
  });

  it('every kind’s example is shown in each syntax and is accepted there', () => {
    for (const kind of RULE_KINDS) {
      const d = discordProblem({ error: 'missing-arg', params: { kind, param: 'pct' } }).example ?? '';
      expect(d.startsWith(`/alert add ${kind}`)).toBe(true);
      expect(discordExampleParses(d), d).toBe(true);
      const t = telegramProblem({ error: 'unknown-arg', params: { kind, token: 'x' } }).example ?? '';
      expect(parseRule(kind, t.split(' ').slice(2)).ok, t).toBe(true);
    }
  });

  it('/help too: Discord shows only slash-command syntax, Telegram no Discord options', () => {
    const discord = String(helpEmbed().description);
    // Discord does have /start (subscribe with the default rules); the rest is Telegram's only.
    for (const re of TELEGRAM_ONLY.filter((r) => !r.source.includes('start'))) expect(discord).not.toMatch(re);
    expect(discord).toContain('`/mute duration:6h`');
    const telegram = checkMessageText(helpReply().html.value, 'HTML');
    expect(telegram.ok).toBe(true);
    for (const re of DISCORD_ONLY) expect(telegram.ok && telegram.plain).not.toMatch(re);
  });
});
