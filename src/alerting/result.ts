/**
 * Expected failures (bad user input, a full rule list) travel as values, not exceptions, so a
 * handler can always turn them into a helpful reply (DESIGN.md style 6). Exceptions are for bugs
 * and infrastructure. A failure is an error id and its structured params (./problems.ts); the
 * words and the example are the platform's.
 */
import type { Problem } from './problems.ts';

/** Any id-plus-params failure; platforms may have their own (Discord's target checks). */
export interface ProblemShape {
  readonly error: string;
  readonly params: object;
}

export type Failure<P extends ProblemShape = Problem> = { readonly ok: false } & P;

export type Result<T, P extends ProblemShape = Problem> = { readonly ok: true; readonly value: T } | Failure<P>;

export const ok = <T>(value: T): { readonly ok: true; readonly value: T } => ({ ok: true, value });

/**
 * The failure constructor of one family of problems: `const err = failWith<RuleProblem>()`, then
 * `err('bad-percent', { kind, token })` — the params are checked against that id's shape.
 */
export function failWith<P extends ProblemShape>() {
  return <E extends P['error']>(
    error: E,
    params: Extract<P, { error: E }>['params'],
  ): Failure<Extract<P, { error: E }>> =>
    ({ ok: false, error, params }) as unknown as Failure<Extract<P, { error: E }>>;
}

/** The core's failures (every id of ./problems.ts). */
export const err = failWith<Problem>();
