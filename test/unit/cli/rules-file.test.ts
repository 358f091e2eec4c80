import { describe, expect, it } from 'vitest';
import { parseRulesText } from '../../../src/cli/rules-file.ts';
import { ReplayFileError } from '../../../src/sources/replay/errors.ts';

describe('rules file', () => {
  it('reads normalised and chat-form parameters, defaults applied', () => {
    const rules = parseRulesText(
      `[
  {"id": "drop", "kind": "hashrate-drop", "pct": "10%"},
  {"id": "rt", "kind": "retarget"},
  {"id": "hp", "kind": "hashprice-below", "usd": 40}
]`,
      'r.json',
    );
    expect(rules).toEqual([
      { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d', id: 'drop', subscriptionId: '', createdSec: 0 },
      { kind: 'retarget', id: 'rt', subscriptionId: '', createdSec: 0 },
      { kind: 'hashprice-below', usd: 40, id: 'hp', subscriptionId: '', createdSec: 0 },
    ]);
  });

  // Each row: file text, line the error must name, and what it must say (naming the rule).
  const bad: Array<[string, string, number, RegExp]> = [
    [
      'unknown kind',
      '[\n  {"id": "a", "kind": "retarget"},\n  {"id": "b", "kind": "hashrate-jump", "pct": 5}\n]',
      3,
      /rule "b": unknown kind "hashrate-jump"/,
    ],
    [
      'unknown parameter',
      '[\n  {"id": "a",\n   "kind": "hashrate-drop", "pct": 10, "windw": "3d"}\n]',
      2,
      /rule "a": unknown parameter "windw" for kind hashrate-drop/,
    ],
    ['bad value', '[{"id": "x", "kind": "hashprice-below", "usd": "cheap"}]', 1, /rule "x": "usd"/],
    ['out of range', '[\n{"id": "x", "kind": "hashrate-drop", "pct": 500}]', 2, /rule "x": "pct"/],
    ['missing id', '[\n\n {"kind": "retarget"}]', 3, /rule #1: missing "id"/],
    [
      'duplicate id',
      '[{"id": "a", "kind": "retarget"},\n{"id": "a", "kind": "new-block"}]',
      2,
      /rule "a": duplicate rule id/,
    ],
    ['not an array', '{"id": "a"}', 1, /JSON array/],
    ['not JSON', '[\n{"id": "a", "kind": "retarget"},\n{"id": }\n]', 3, /not valid JSON/],
    [
      'string with brackets and commas before the bad rule',
      '[{"id": "a,[{", "kind": "retarget"},\n {"id": "b", "kind": "nope"}]',
      2,
      /rule "b"/,
    ],
  ];
  it.each(bad)('%s → file:line and reason', (_label, text, line, reason) => {
    let caught: unknown;
    try {
      parseRulesText(text, 'r.json');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ReplayFileError);
    expect((caught as Error).message).toMatch(new RegExp(`^r\\.json:${line}: `));
    expect((caught as Error).message).toMatch(reason);
  });
});
