/**
 * The alert engine's front door for the job processors: one object with the shapes
 * src/alerting/ports.ts (RuleJudge) and src/store/index-plan.ts (IndexPlan) expect, so the
 * live queues, replay and preview all run the same lifecycle, stages and index model.
 */
import { observe, placement } from './index-model.ts';
import { evaluateRule, evaluateTick } from './lifecycle.ts';
import { route } from './pipeline.ts';

/** RuleJudge: `evaluate(rule, state, snapshot, nowSec)` and `route(sub, events, nowSec)`. */
export const alertJudge = { evaluate: evaluateRule, tick: evaluateTick, route } as const;

/** IndexPlan: `placement(spec)` and `observe(snapshot, nowSec)` — see index-model.ts. */
export const alertIndexPlan = { placement, observe } as const;

export { evaluateRule, evaluateTick, type Decision, type Evaluation } from './lifecycle.ts';
export {
  digest,
  dedupe,
  group,
  notificationKey,
  eventKey,
  route,
  isQuiet,
  quietEndsAtSec,
  releaseAtSec,
  deliverOnce,
} from './pipeline.ts';
export { snoozeRelease } from './snooze-release.ts';
export { runEvaluation } from './evaluate-block.ts';
export { renderMessage, renderEventText } from './render.ts';
export { isCandidate } from './index-model.ts';
