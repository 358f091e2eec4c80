/**
 * Expected failures (bad user input, a full rule list) travel as values, not exceptions, so a
 * handler can always turn them into a helpful reply (DESIGN.md style 6). Exceptions are for bugs
 * and infrastructure.
 */
export type Result<T, E extends string = string> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly error: E;
      readonly message: string;
      readonly example?: string;
      /**
       * A likely-meant rule the platform may offer to add (a button, a command): the parser saw a
       * bare number implausible for its unit (`/alert hashprice-below 0.045`). Nothing is stored.
       */
      readonly suggest?: { readonly kind: string; readonly tokens: readonly string[]; readonly words: string };
    };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

export const err = <E extends string>(error: E, message: string, example?: string): Result<never, E> =>
  example === undefined ? { ok: false, error, message } : { ok: false, error, message, example };
