/**
 * The one place both chat platforms get a chart for a message, so Telegram and Discord attach the
 * same picture to the same alert or reply and treat a failure the same way: a chart is
 * decoration, so any failure (the rules lookup, the service returning null or even throwing) is
 * logged and gives null, and the caller sends its text exactly as without charts.
 */
import type { OutboundMessage } from '../alerting/ports.ts';
import type { RuleSpec, Subscription } from '../alerting/types.ts';
import {
  chartCacheKey,
  chartFileName,
  chartForAlerts,
  chartForCommand,
  type ChartKind,
  type ChartService,
} from '../charts/index.ts';

/**
 * What platforms need of ChartService (tests pass stubs that fail on purpose); `pictureKey`, when
 * present, names a picture exactly as the service caches it (its default theme included).
 */
export type ChartRenderer = Pick<ChartService, 'render'> & Partial<Pick<ChartService, 'pictureKey'>>;

/**
 * The subscriber's rules, for the threshold lines on an alert's chart. The notifier only gets the
 * Subscription, so the composition root supplies this (e.g. `(sub) => store.listRules(sub.id)`).
 */
export type ChartRules = (sub: Subscription) => Promise<readonly RuleSpec[]>;

/** Optional chart dependencies of a platform; both absent = text only. */
export interface ChartDeps {
  readonly charts?: ChartRenderer;
  readonly chartRules?: ChartRules;
}

/** A rendered chart and the file name it is uploaded under. */
export interface ChartPicture {
  readonly kind: ChartKind;
  /** `hashbell-<kind>.png`; Discord's `attachment://` must name it exactly. */
  readonly filename: string;
  readonly png: Buffer;
  /**
   * Same key = same pixels (block, kind, zone, theme and the thresholds drawn): the platforms
   * upload each picture once and reuse it by this key (picture-refs.ts).
   */
  readonly key: string;
}

interface WarnLogger {
  warn(obj: object, msg: string): void;
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function draw(
  charts: ChartRenderer,
  kind: ChartKind,
  block: { height: number; hash: string },
  timeZone: string,
  rules: () => Promise<readonly RuleSpec[]>,
  log: WarnLogger | undefined,
): Promise<ChartPicture | null> {
  let thresholds: readonly RuleSpec[] = [];
  try {
    thresholds = await rules();
  } catch (e) {
    log?.warn({ kind, height: block.height, err: reason(e) }, 'chart rules unavailable; drawing without thresholds');
  }
  try {
    const req = { height: block.height, hash: block.hash, timeZone, thresholds };
    const png = await charts.render(kind, req);
    if (png === null || png.length === 0) return null;
    const key = charts.pictureKey?.(kind, req) ?? chartCacheKey(kind, req);
    return { kind, filename: chartFileName(kind), png, key };
  } catch (e) {
    log?.warn({ kind, height: block.height, err: reason(e) }, 'chart failed; sending the text alone');
    return null;
  }
}

/** The chart for an alert delivery (chartForAlerts picks the kind), or null for text only. */
export async function alertChart(
  deps: ChartDeps,
  sub: Subscription,
  msg: OutboundMessage,
  log?: WarnLogger,
): Promise<ChartPicture | null> {
  const kind = chartForAlerts(msg.events.map((e) => e.kind));
  if (deps.charts === undefined || kind === null) return null;
  const rules = deps.chartRules;
  return draw(deps.charts, kind, msg, sub.timeZone, async () => (rules === undefined ? [] : rules(sub)), log);
}

/** The chart for a `status` / `retarget` / `hashprice` reply about block `snap`, or null. */
export async function commandChart(
  charts: ChartRenderer | undefined,
  command: string,
  snap: { height: number; hash: string },
  timeZone: string,
  rules: () => Promise<readonly RuleSpec[]>,
  log?: WarnLogger,
): Promise<ChartPicture | null> {
  const kind = chartForCommand(command);
  if (charts === undefined || kind === null) return null;
  return draw(charts, kind, snap, timeZone, rules, log);
}
