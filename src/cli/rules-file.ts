/**
 * Reader for replay rules files: a JSON array of `{ "id", "kind", ...params }` with the same kinds
 * and parameters as the chat commands. Each problem names the file, the line of the offending rule
 * and the rule id, so a typo in rule 37 of a long file is found at once.
 */
import { replayRules } from '../alerting/evaluator.ts';
import { implausibleAmount, kindParams } from '../alerting/parse.ts';
import { classify, type Token } from '../alerting/parse-tokens.ts';
import type { RuleArgs, RuleParam, RuleProblem } from '../alerting/problems.ts';
import { isRuleKind, RANGES, ruleSpecSchema } from '../alerting/rule-schema.ts';
import type { Rule, RuleKind } from '../alerting/types.ts';
import { consoleProblem } from './problem-words.ts';
import { ReplayFileError } from '../sources/replay/errors.ts';
import { readTextFile } from '../sources/replay/lines.ts';

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets where each element of the top-level JSON array starts (text already known to parse). */
function elementOffsets(text: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (depth === 1 && expectElement && c !== ']') {
      out.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return out;
}

/** Line of the first top-level element that does not parse on its own (Node 20 messages may lack a position). */
function badElementLine(text: string): number {
  const offsets = elementOffsets(text);
  for (let i = 0; i < offsets.length; i++) {
    const end = offsets[i + 1] ?? text.length;
    const slice = text
      .slice(offsets[i], end)
      .trim()
      .replace(/[,\]]\s*$/, '')
      .replace(/,\s*$/, '');
    try {
      JSON.parse(slice);
    } catch {
      return lineAt(text, offsets[i]!);
    }
  }
  return 1;
}

/** A zod issue as ruleSpecSchema reports it (re-coded 'custom', its facts kept). */
interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly values?: readonly unknown[];
  readonly minimum?: unknown;
  readonly maximum?: unknown;
}

/** A schema issue as the grammar's error id, where one fits (the console words it with an example). */
function asProblem(kind: RuleKind, obj: Record<string, unknown>, issue: Issue): RuleProblem | null {
  if (issue.keys !== undefined && issue.keys.length > 0)
    return {
      error: 'extra-arg',
      params: { kind, token: issue.keys.join(', '), what: 'argument', none: false, takes: kindParams(kind) },
    };
  const key = issue.path[0];
  if (typeof key !== 'string' || !(kindParams(kind) as readonly string[]).includes(key)) return null;
  const param = key as RuleParam;
  const raw = obj[key];
  if (raw === undefined) return { error: 'missing-arg', params: { kind, param } };
  if ((issue.minimum !== undefined || issue.maximum !== undefined) && Object.hasOwn(RANGES, key)) {
    const value = typeof raw === 'number' ? raw : Number.parseFloat(String(raw).replace(/^\s*\$/, ''));
    const range = RANGES[key as keyof typeof RANGES];
    if (Number.isFinite(value))
      return { error: 'out-of-range', params: { kind, param, value, range, lowExclusive: key === 'usd' } };
  }
  if ((key === 'window' || key === 'lookback') && issue.values !== undefined)
    return {
      error: 'unknown-window',
      params: { kind, token: String(raw).slice(0, 40), choices: [{ param: key, values: issue.values.map(String) }] },
    };
  return null;
}

/**
 * A bare amount (a JSON number, or a string without a unit) that its unit makes implausible: chat
 * would ask "did you mean …?", a file cannot be asked, so it is refused with the likely conversion
 * (parse.ts implausibleAmount, the same check). An explicit unit suffix (`"usd": "$0.045/PH"`)
 * says the number is meant as written.
 */
function implausibleInFile(kind: RuleKind, obj: Record<string, unknown>): RuleProblem | null {
  for (const param of kindParams(kind)) {
    const raw = obj[param];
    const t = typeof raw === 'string' ? classify(raw) : null;
    const value = typeof raw === 'number' ? raw : t !== null && isBare(t) ? (t as { value: number }).value : null;
    const odd = value === null ? null : implausibleAmount(param, value);
    if (odd === null) continue;
    const args: RuleArgs = Object.fromEntries(
      kindParams(kind).flatMap((p) => {
        const v = p === param ? odd.meant : obj[p];
        return typeof v === 'number' || typeof v === 'string' ? [[p, v]] : [];
      }),
    );
    return { error: 'implausible', params: { kind, token: String(raw).slice(0, 40), ...odd, args } };
  }
  return null;
}

const isBare = (t: Token): boolean => t.type === 'num' && t.unit === '';

/** Parses and validates a rules file's text into replay rules (subscriptionId ''). */
export function parseRulesText(text: string, file: string): Rule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : badElementLine(text);
    throw new ReplayFileError(file, line, `not valid JSON (${msg.split(/, "|\n/)[0]})`);
  }
  if (!Array.isArray(raw))
    throw new ReplayFileError(file, 1, 'must be a JSON array of rules [{"id": "...", "kind": "...", ...}]');
  const offsets = elementOffsets(text);
  const seen = new Set<string>();
  return raw.map((r: unknown, i) => {
    const line = offsets[i] !== undefined ? lineAt(text, offsets[i]!) : 0;
    const obj = typeof r === 'object' && r !== null && !Array.isArray(r) ? (r as Record<string, unknown>) : null;
    const name = obj && typeof obj['id'] === 'string' ? `rule "${obj['id']}"` : `rule #${i + 1}`;
    const fail = (reason: string): never => {
      throw new ReplayFileError(file, line, `${name}: ${reason}`);
    };
    if (obj === null) fail('must be an object {"id": "...", "kind": "...", ...params}');
    if (typeof obj!['id'] !== 'string' || obj!['id'] === '') fail('missing "id" (a non-empty string)');
    if (typeof obj!['kind'] !== 'string') fail('missing "kind"');
    const worded = (p: RuleProblem): never => {
      const w = consoleProblem(p, obj && typeof obj['id'] === 'string' ? obj['id'] : undefined);
      return fail(w.example === undefined ? w.text : `${w.text}; e.g. ${w.example}`);
    };
    const kind = obj!['kind'] as string;
    if (!isRuleKind(kind)) worded({ error: 'unknown-kind', params: { token: String(kind).slice(0, 40) } });
    // Before the ranges: `"kwh": 6` is cents (chat asks the same), not merely out of range.
    const odd = implausibleInFile(kind as RuleKind, obj!);
    if (odd !== null) worded(odd);
    const parsed = ruleSpecSchema.safeParse(obj);
    if (!parsed.success) {
      const issue = parsed.error.issues[0] as Issue | undefined;
      const problem = issue === undefined ? null : asProblem(kind as RuleKind, obj!, issue);
      if (problem !== null) worded(problem);
      const path = issue?.path.length ? `"${issue.path.join('.')}": ` : '';
      fail(`${path}${issue?.message ?? 'invalid rule'}`);
    }
    const { id, spec } = parsed.data!;
    if (seen.has(id)) fail('duplicate rule id');
    seen.add(id);
    return replayRules([{ id, spec }])[0]!;
  });
}

/** Reads and validates a rules file. */
export async function readRulesFile(path: string): Promise<Rule[]> {
  return parseRulesText(await readTextFile(path), path);
}
