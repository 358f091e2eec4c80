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

  it('takes every amount with its unit suffix, as chat does; a unit says a small number is meant', () => {
    const rules = parseRulesText(
      `[
  {"id": "th", "kind": "hashprice-below", "usd": "0.045/TH"},
  {"id": "ph", "kind": "hashprice-below", "usd": "$0.045/PH"},
  {"id": "zh", "kind": "hashrate-below", "ehs": "0.9ZH/s"},
  {"id": "eh", "kind": "hashrate-below", "ehs": "900EH/s"},
  {"id": "be", "kind": "breakeven", "jth": "17J/TH", "kwh": "$0.06/kWh", "poolfee": "2%"}
]`,
      'r.json',
    );
    expect(rules.map((r) => ({ ...r, id: undefined, subscriptionId: undefined, createdSec: undefined }))).toMatchObject(
      [
        { kind: 'hashprice-below', usd: 45 },
        { kind: 'hashprice-below', usd: 0.045 },
        { kind: 'hashrate-below', ehs: 900 },
        { kind: 'hashrate-below', ehs: 900 },
        { kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 2 },
      ],
    );
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
    // A bare amount its unit makes implausible: chat asks, a file is refused with the conversion
    // (the same check: parse.ts implausibleAmount), and how to keep it as written.
    [
      'implausible hash price',
      '[\n{"id": "hp", "kind": "hashprice-below", "usd": 0.045}]',
      2,
      /rule "hp": "usd": 0\.045 \$\/PH\/day looks like \$\/TH\/day: did you mean 45 \$\/PH\/day\? \(to keep 0\.045 \$\/PH\/day, give its unit: "usd": "\$0\.045\/PH"\); e\.g\. \{"id": "hp", "kind": "hashprice-below", "usd": 45\}/,
    ],
    ['implausible hash rate', '[{"id": "z", "kind": "hashrate-below", "ehs": "0.9"}]', 1, /did you mean 900 EH\/s\?/],
    [
      'implausible efficiency',
      '[{"id": "e", "kind": "breakeven", "jth": 17000, "kwh": 0.06}]',
      1,
      /"jth": 17000 J\/TH looks like J\/PH/,
    ],
    // Out of range as written, but plainly cents: the conversion, not merely the range.
    [
      'power price in cents',
      '[{"id": "c", "kind": "breakeven", "jth": 17, "kwh": 6}]',
      1,
      /did you mean 0\.06 \$\/kWh\?;/,
    ],
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
