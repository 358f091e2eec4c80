/**
 * Expected bad input as data: an error id (a string-literal union) with the structured facts a
 * reply needs — the offending word, the kind, the allowed range, the likely unit conversion.
 * The core never writes a sentence or a command: each platform words every id itself, in its own
 * syntax and with its own examples (platforms/telegram/problem-words.ts,
 * platforms/discord/problem-words.ts, cli/problem-words.ts), so a Discord user is never told to
 * type a Telegram command (issue 11 item 5, issue 12 item 6).
 */
import type { RuleKind } from './types.ts';

/** Every parameter a rule can take, in no particular order (each kind's order is its grammar's). */
export type RuleParam =
  | 'pct'
  | 'window'
  | 'lookback'
  | 'direction'
  | 'ehs'
  | 'usd'
  | 'jth'
  | 'kwh'
  | 'poolfee'
  | 'blocks'
  | 'minutes'
  | 'remind';

/**
 * Parameter values as a user means them (numbers in the stored unit, windows by name, `remind`
 * in seconds): what an example or a likely-meant rule is made of. Each platform writes them in
 * its own syntax (`17 0.06 2%`, `jth:17 kwh:0.06 poolfee:2`, `"jth": 17`).
 */
export type RuleArgs = Readonly<Partial<Record<RuleParam, number | string>>>;

/** A bare amount whose size suggests another unit (see parse.ts PLAUSIBLE). */
export type AmountParam = 'usd' | 'ehs' | 'jth' | 'kwh';

/** What an extra word was taken for: a parameter, or a category of word. */
export type ExtraWhat = RuleParam | 'argument' | 'percentage' | 'number' | 'window' | 'direction' | 'reminder';

/** Bad words after `alert <kind>` / `preview <kind>` (alerting/parse.ts). */
export type RuleProblem =
  | { readonly error: 'unknown-kind'; readonly params: { readonly token: string } }
  | { readonly error: 'bad-percent'; readonly params: { readonly kind: RuleKind; readonly token: string } }
  | {
      readonly error: 'bad-number';
      readonly params: {
        readonly kind: RuleKind;
        readonly token: string;
        readonly param: RuleParam;
        /** 'no-percent': a % on a kind that takes none (`param` is what it takes first); 'not-whole': a fraction of blocks/minutes. */
        readonly why: 'no-percent' | 'not-whole';
      };
    }
  | {
      readonly error: 'out-of-range';
      readonly params: {
        readonly kind: RuleKind;
        readonly param: RuleParam;
        readonly value: number;
        readonly range: readonly [number, number];
        /** True when the low end itself is refused (usd must be above 0). */
        readonly lowExclusive: boolean;
      };
    }
  | {
      readonly error: 'unknown-window';
      readonly params: {
        readonly kind: RuleKind;
        readonly token: string;
        readonly choices: ReadonlyArray<{ readonly param: 'window' | 'lookback'; readonly values: readonly string[] }>;
      };
    }
  | { readonly error: 'missing-arg'; readonly params: { readonly kind: RuleKind; readonly param: RuleParam } }
  | {
      readonly error: 'extra-arg';
      readonly params: {
        readonly kind: RuleKind;
        /** The extra word as typed (Discord: the option names). */
        readonly token: string;
        readonly what: ExtraWhat;
        /** True: the kind takes no `what` at all; false: one `what` too many. */
        readonly none: boolean;
        /** Set when the extras were typed options the kind does not take (Discord): what it does take. */
        readonly takes?: readonly RuleParam[];
      };
    }
  | { readonly error: 'unknown-arg'; readonly params: { readonly kind: RuleKind; readonly token: string } }
  | {
      readonly error: 'negative';
      /** `param` is set when the platform knows which option was negative (a typed option). */
      readonly params: { readonly kind: RuleKind; readonly token: string; readonly param?: RuleParam };
    }
  | {
      readonly error: 'implausible';
      readonly params: {
        readonly kind: RuleKind;
        readonly token: string;
        readonly param: AmountParam;
        /** The unit the number was read in ('$/PH/day') and the one it looks like ('$/TH/day'). */
        readonly unit: string;
        readonly likelyUnit: string;
        /** The number converted to `unit`: what the user probably meant. */
        readonly meant: number;
        /** The whole likely-meant rule (what the user typed, with `param` converted). Nothing is stored until accepted. */
        readonly args: RuleArgs;
      };
    }
  | { readonly error: 'bad-remind'; readonly params: { readonly kind: RuleKind; readonly token: string } };

/** Bad `mute` / `quiet` arguments (alerting/parse-time.ts). */
export type TimeProblem =
  | { readonly error: 'missing-arg'; readonly params: { readonly command: 'mute' | 'quiet' } }
  | { readonly error: 'bad-duration'; readonly params: { readonly token: string } }
  | {
      readonly error: 'out-of-range';
      readonly params: { readonly command: 'mute'; readonly minSec: number; readonly maxSec: number };
    }
  | { readonly error: 'bad-quiet'; readonly params: { readonly token: string; readonly why: 'format' | 'same' } }
  | {
      readonly error: 'extra-arg';
      readonly params: { readonly command: 'quiet'; readonly token: string; readonly off: boolean };
    }
  | {
      readonly error: 'unknown-zone';
      readonly params: { readonly token: string; readonly command: 'quiet' | 'timezone' };
    };

/** What the subscription use cases refuse (subscriptions/use-cases.ts, preview.ts). */
export type ServiceProblem =
  | { readonly error: 'not-subscribed'; readonly params: Readonly<Record<string, never>> }
  | { readonly error: 'too-many-rules'; readonly params: { readonly max: number } }
  | { readonly error: 'bad-rule-id'; readonly params: { readonly token: string } }
  | { readonly error: 'unknown-rule'; readonly params: { readonly id: string } }
  | { readonly error: 'no-history'; readonly params: Readonly<Record<string, never>> };

/** Everything the core can refuse. */
export type Problem = RuleProblem | TimeProblem | ServiceProblem;
export type ProblemId = Problem['error'];

/** Every id once (a test renders each on every platform); the type check keeps the list complete. */
export const PROBLEM_IDS = [
  'unknown-kind',
  'bad-percent',
  'bad-number',
  'out-of-range',
  'unknown-window',
  'missing-arg',
  'extra-arg',
  'unknown-arg',
  'negative',
  'implausible',
  'bad-remind',
  'bad-duration',
  'bad-quiet',
  'unknown-zone',
  'not-subscribed',
  'too-many-rules',
  'bad-rule-id',
  'unknown-rule',
  'no-history',
] as const satisfies readonly ProblemId[];
type Missing = Exclude<ProblemId, (typeof PROBLEM_IDS)[number]>;
/** Fails to compile when an id is added to a union above but not to PROBLEM_IDS. */
export const PROBLEM_IDS_COMPLETE: Missing extends never ? true : never = true;

/**
 * What the engine tells a subscription's owner out of band (Notifier.tellOwner), as an id with its
 * facts; each platform words it in its own syntax (how alerts resume differs: Telegram's /start,
 * Discord's `/start` in the channel, a restart on the console).
 */
export type OwnerNotice = {
  readonly notice: 'delivery-paused';
  /** The platform's own reason, as it gave it ("Forbidden: bot was blocked by the user"). */
  readonly params: { readonly reason: string };
};

/** The offending word as it may be quoted back: at most 40 characters. */
export const clipToken = (raw: string, max = 40): string => String(raw).slice(0, max);
