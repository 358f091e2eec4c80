/**
 * How a rule sits in the Redis threshold index, so one block costs O(log N + K): a "level" rule
 * waits in a sorted set scored by the level at which its state may change (fire level while ok,
 * resolve level while firing); an "event" rule waits in a set for an event series (every block,
 * a retarget). The index only has to select a SUPERSET of the rules whose state may change:
 * evaluateRule stays the judge.
 *
 * The alerting helper's src/alerting/index-model.ts is the authority for the kinds' series and
 * levels; these types are what the stores and the evaluate processor call.
 */
import { alertIndexPlan } from '../alerting/engine.ts';
import type { IndexPlan } from '../alerting/ports.ts';

export type { IndexPlacement, Observation } from '../alerting/index-model.ts';
export type { IndexPlan } from '../alerting/ports.ts';

/**
 * The plan the engine uses unless a test injects another: the alerting helper's index model, so
 * the index selects exactly what evaluateRule compares.
 */
export const defaultIndexPlan: IndexPlan = alertIndexPlan;
