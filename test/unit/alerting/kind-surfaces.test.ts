/**
 * Adding a kind is its module and a line in the registry: every command surface is built from the
 * registry, so a kind registered there shows up everywhere with its parameters. This test builds
 * each surface (Telegram /help, the Discord command JSON, the help embed, the chat grammar, the
 * rules-file schema, storage, chart choice) and checks it against every registered descriptor,
 * not against a list of kinds written here.
 */
import { describe, expect, it } from 'vitest';
import { DESCRIPTORS, RULE_KINDS, REMINDER_KINDS, SERIES } from '../../../src/alerting/kinds/registry.ts';
import { parseRule } from '../../../src/alerting/parse.ts';
import { KIND_EXAMPLES } from '../../../src/alerting/kind-examples.ts';
import type { KindDescriptor } from '../../../src/alerting/kinds/kind.ts';
import { specSchema } from '../../../src/alerting/rule-schema.ts';
import { describeRule } from '../../../src/alerting/describe.ts';
import { chartForAlerts } from '../../../src/charts/chart-for.ts';
import { decodeRule, encodeRule } from '../../../src/store/codec.ts';
import { COMMANDS } from '../../../src/platforms/discord/commands.ts';
import { helpEmbed } from '../../../src/platforms/discord/render-info.ts';
import { helpReply } from '../../../src/platforms/telegram/handlers.ts';

interface Opt {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  readonly options?: readonly Opt[];
  readonly choices?: ReadonlyArray<{ readonly value: string }>;
}

const subcommands = (path: readonly string[]): readonly Opt[] => {
  let opts = (COMMANDS.find((c) => c.name === path[0])?.options ?? []) as readonly Opt[];
  for (const name of path.slice(1)) opts = opts.find((o) => o.name === name)?.options ?? [];
  return opts;
};

/** The kind's example as Telegram's command. */
const exampleOf = (d: KindDescriptor): string => `/alert ${d.kind}${d.example === '' ? '' : ` ${d.example}`}`;

const plainHtml = (html: string): string =>
  html
    .replace(/<[^>]+>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

describe('every registered kind appears on every surface, with its parameters', () => {
  it('the registry is the list of kinds (and no two kinds share a storage code)', () => {
    expect(DESCRIPTORS.map((d) => d.kind)).toEqual(RULE_KINDS);
    expect(RULE_KINDS.length).toBeGreaterThan(0);
    expect(new Set(DESCRIPTORS.map((d) => d.code)).size).toBe(DESCRIPTORS.length);
    for (const d of DESCRIPTORS) expect(d.title.length, d.kind).toBeLessThanOrEqual(100);
  });

  it('Telegram /help: a line per kind with what it watches, its parameters in words and its example', () => {
    const text = plainHtml(helpReply().html.value);
    for (const d of DESCRIPTORS) {
      expect(text, d.kind).toContain(`• ${d.kind}: ${d.what}`);
      for (const p of d.params) expect(text, `${d.kind} ${p.name}`).toContain(p.help);
      // The example, in Telegram's words (the platform writes KIND_EXAMPLES in its own syntax).
      expect(text, d.kind).toContain(`/alert ${d.kind}`);
    }
  });

  it('Discord: /alert add and /preview have a subcommand per kind with its options, required first', () => {
    const add = subcommands(['alert', 'add']);
    const preview = subcommands(['preview']);
    for (const d of DESCRIPTORS) {
      for (const [where, list, withRemind] of [
        ['add', add, true],
        ['preview', preview, false],
      ] as const) {
        const sub = list.find((o) => o.name === d.kind);
        expect(sub, `${where} ${d.kind}`).toBeDefined();
        expect(sub!.description).toBe(d.title);
        const names = (sub!.options ?? []).map((o) => o.name).filter((n) => n !== 'target');
        const wanted = d.params.map((p) => p.name).filter((n) => withRemind || n !== 'remind');
        expect([...names].sort(), `${where} ${d.kind}`).toEqual([...wanted].sort());
        const required = (sub!.options ?? []).filter((o) => o.required === true).map((o) => o.name);
        expect(required).toEqual(d.params.filter((p) => p.slot?.required === true).map((p) => p.name));
        // Required options come first, as Discord demands.
        expect(names.slice(0, required.length)).toEqual(required);
        for (const p of d.params) {
          const o = (sub!.options ?? []).find((x) => x.name === p.name);
          if (o === undefined || p.input.type !== 'choice') continue;
          for (const c of p.input.choices) expect(o.choices?.map((x) => x.value)).toContain(c.value);
        }
      }
    }
    expect(add.length).toBe(DESCRIPTORS.length);
    expect(preview.length).toBe(DESCRIPTORS.length);
  });

  it('Discord /help embed names every kind', () => {
    const text = helpEmbed().description ?? '';
    for (const d of DESCRIPTORS) expect(text, d.kind).toContain(`\`${d.kind}\` ${d.what}`);
  });

  it('the chat grammar reads every example; the spec is stored, read back and described', () => {
    for (const d of DESCRIPTORS) {
      const [, kind = '', ...args] = exampleOf(d).split(' ');
      const r = parseRule(kind, args);
      expect(r.ok, `${exampleOf(d)}: ${r.ok ? '' : r.error}`).toBe(true);
      expect(KIND_EXAMPLES[d.kind]).toBeDefined();
      if (!r.ok) continue;
      expect(r.value.kind).toBe(d.kind);
      // Defaults applied: every parameter but an unset optional one is in the spec.
      for (const p of d.params) if (!p.optional) expect(r.value, `${d.kind}.${p.name}`).toHaveProperty(p.name);
      expect(specSchema.safeParse(r.value).success).toBe(true);
      const back = decodeRule('sub', '1', encodeRule(r.value, 1_750_000_000));
      expect(back).toEqual({ ...r.value, id: '1', subscriptionId: 'sub', createdSec: 1_750_000_000 });
      expect(describeRule(r.value).length).toBeGreaterThan(0);
      expect(chartForAlerts([d.kind])).toBe(d.chart);
      for (const s of d.allSeries) expect(SERIES.has(s), s).toBe(true);
      expect(REMINDER_KINDS.has(d.kind)).toBe(d.params.some((p) => p.name === 'remind'));
    }
  });

  it('a required parameter left out is named in the problem', () => {
    for (const d of DESCRIPTORS) {
      const required = d.params.find((p) => p.slot?.required === true);
      if (required === undefined) continue;
      const r = parseRule(d.kind, []);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r).toMatchObject({ error: 'missing-arg', params: { kind: d.kind, param: required.name } });
    }
  });
});
