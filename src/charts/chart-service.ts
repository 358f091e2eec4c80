/**
 * ChartService: the one way platforms get a chart PNG for an alert or a status reply.
 *
 * Why a service: 1,000 subscribers alerted on the same block must not cause 1,000 renderings.
 * Pictures are keyed by (block hash, chart kind, time zone, theme, the rules the chart draws);
 * concurrent requests for one key share one rendering, results stay in an in-memory LRU, and an
 * optional shared cache (Redis, see RedisChartCache) lets several notifier processes share them.
 * A chart is decoration: every failure (unknown block, bad data, renderer error, timeout) gives
 * null and is logged, never thrown, so the text alert always goes out.
 *
 * How a platform attaches the result (`png` non-null; otherwise send the text as usual):
 * - Telegram (telegraf): `telegram.sendPhoto(chatId, { source: png, filename: chartFileName(kind) },
 *   { caption: text, parse_mode })` — the alert text becomes the caption, fitted to 1,024
 *   characters (platforms/telegram/caption.ts): one alert, one sendPhoto. Each picture is uploaded
 *   once; other recipients get it by the first upload's file_id (platforms/picture-refs.ts, keyed
 *   by `pictureKey`); Discord embeds point at the first upload's attachment URL the same way.
 * - Discord (discord.js): `channel.send({ embeds: [embed.setImage(`attachment://${chartFileName(kind)}`)],
 *   files: [new AttachmentBuilder(png, { name: chartFileName(kind) })] })` — the embed shows the
 *   attachment by name, so the file name in `files` and in `attachment://` must be identical.
 *   Over bare REST (@discordjs/rest): `rest.post(Routes.channelMessages(id), { body: { embeds,
 *   attachments: [{ id: 0, filename: name }] }, files: [{ name, data: png, contentType: 'image/png' }] })`.
 *
 * Feeding the history (composition root): the process that builds snapshots calls
 * `RedisChartHistory.append(snapshot)` after committing each block (shared by every process and
 * kept across restarts); a single-process setup or the CLI may use `ChartPointRing.push(snapshot)`.
 * Pick the picture with chartForAlerts(events.map((e) => e.kind)) or chartForCommand('status').
 *
 * ```ts
 * const charts = new ChartService({ history, sharedCache, logger }); // once, at composition
 * const png = await charts.render('hashrate', {
 *   height: msg.height, hash: msg.hash, timeZone: sub.timeZone, thresholds: rules,
 * });
 * ```
 */
import { createHash } from 'node:crypto';
import type { RuleSpec } from '../alerting/types.ts';
import type { ChartHistory } from './history.ts';
import { hashpriceSvg } from './hashprice-chart.ts';
import { hashrateSvg } from './hashrate-chart.ts';
import { Lru } from './lru.ts';
import { resvgRenderer, type PngRenderer } from './render-png.ts';
import { retargetSvg } from './retarget-chart.ts';
import { zoneOrUtc } from './time-axis.ts';
import type { ChartKind, ChartOptions, ChartPoint, ChartTheme } from './types.ts';

/** What one chart is of: one block, seen from one subscriber's zone and rules. */
export interface ChartRequest {
  readonly height: number;
  readonly hash: string;
  /** IANA zone (Subscription.timeZone); unknown zones draw in UTC. */
  readonly timeZone: string;
  /** The subscriber's rules (or just the fired ones); each chart draws the kinds it can show. */
  readonly thresholds?: readonly RuleSpec[];
  readonly theme?: ChartTheme;
}

/** A cache shared between processes (bytes by key). Misses and errors are both just "no". */
export interface ChartCache {
  get(key: string): Promise<Buffer | null>;
  set(key: string, png: Buffer): Promise<void>;
}

/** Structured logger subset (pino-compatible), for the reasons a chart was skipped. */
export interface ChartLogger {
  warn(obj: object, msg: string): void;
}

export interface ChartServiceDeps {
  readonly history: ChartHistory;
  /** Default: resvg with the bundled font. */
  readonly renderPng?: PngRenderer;
  /** Optional second-level cache shared by processes. */
  readonly sharedCache?: ChartCache;
  readonly logger?: ChartLogger;
  /** PNGs kept in memory (default 256: a few blocks × kinds × zones × rule sets). */
  readonly memoryEntries?: number;
  /** Give up waiting after this long (default 10 s); the text alert must not wait on a picture. */
  readonly timeoutMs?: number;
  /** Theme when the request names none (default dark). */
  readonly theme?: ChartTheme;
}

/** Counters for /metrics and the bench. */
export interface ChartStats {
  readonly renderings: number;
  readonly memoryHits: number;
  readonly sharedHits: number;
  readonly joined: number;
  readonly skipped: number;
}

/** The attachment name platforms use (Discord's `attachment://` must match it exactly). */
export function chartFileName(kind: ChartKind): string {
  return `hashbell-${kind}.png`;
}

const BUILDERS: Record<ChartKind, (points: readonly ChartPoint[], o: ChartOptions) => string | null> = {
  hashrate: hashrateSvg,
  retarget: retargetSvg,
  hashprice: hashpriceSvg,
};

/** Days of history each chart reads (the retarget chart needs its whole epoch, which may run long). */
const HISTORY_DAYS: Record<ChartKind, number> = { hashrate: 30, retarget: 60, hashprice: 30 };

/** Rule kinds that change each chart's pixels; others must not split the cache. */
const RELEVANT: Record<ChartKind, ReadonlySet<RuleSpec['kind']>> = {
  hashrate: new Set(['hashrate-drop', 'hashrate-below']),
  retarget: new Set(['retarget-estimate']),
  hashprice: new Set(['breakeven', 'hashprice-below', 'hashprice-above']),
};

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

/**
 * The cache key of one picture: two requests get the same key exactly when they would draw the
 * same pixels (only the rules this chart draws count, in any order, without ids or owners).
 */
export function chartCacheKey(
  kind: ChartKind,
  req: ChartRequest,
  defaultTheme: ChartTheme = 'dark',
  resolveZone: (zone: string) => string = zoneOrUtc,
): string {
  const rules = (req.thresholds ?? [])
    .filter((r) => RELEVANT[kind].has(r.kind))
    .map((r) => canonical(specOnly(r)))
    .sort();
  const parts = [
    kind,
    req.hash,
    String(req.height),
    resolveZone(req.timeZone),
    req.theme ?? defaultTheme,
    [...new Set(rules)].join('|'),
  ];
  return `${kind}:${req.hash.slice(0, 16)}:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32)}`;
}

/** A stored Rule carries id/owner/creation time; the picture depends on the spec alone. */
function specOnly(r: RuleSpec): RuleSpec {
  const {
    id: _id,
    subscriptionId: _s,
    createdSec: _c,
    ...spec
  } = r as RuleSpec & { id?: unknown; subscriptionId?: unknown; createdSec?: unknown };
  return spec as RuleSpec;
}

export class ChartService {
  private readonly memory: Lru<Buffer | null>;
  private readonly inflight = new Map<string, Promise<Buffer | null>>();
  private readonly renderPng: PngRenderer;
  /** Resolved zones: building an Intl formatter costs ~0.3 ms, too much per subscriber. */
  private readonly zones = new Lru<string>(512);
  private readonly resolveZone = (zone: string): string => {
    const hit = this.zones.get(zone);
    if (hit !== undefined) return hit;
    const resolved = zoneOrUtc(zone);
    this.zones.set(zone, resolved);
    return resolved;
  };
  private counts = { renderings: 0, memoryHits: 0, sharedHits: 0, joined: 0, skipped: 0 };

  constructor(private readonly deps: ChartServiceDeps) {
    this.memory = new Lru(deps.memoryEntries ?? 256);
    this.renderPng = deps.renderPng ?? resvgRenderer();
  }

  /** The key this service caches `req`'s picture under: equal keys, equal pixels (reused uploads). */
  pictureKey(kind: ChartKind, req: ChartRequest): string {
    return chartCacheKey(kind, req, this.deps.theme, this.resolveZone);
  }

  stats(): ChartStats {
    return { ...this.counts };
  }

  /** PNG bytes of the chart, or null when it cannot be drawn (never throws, never hangs). */
  async render(kind: ChartKind, req: ChartRequest): Promise<Buffer | null> {
    let key: string;
    try {
      if (!(kind in BUILDERS)) return this.skip(kind, req, 'unknown chart kind');
      key = chartCacheKey(kind, req, this.deps.theme, this.resolveZone);
    } catch (err) {
      return this.skip(kind, req, 'bad request', err);
    }
    const cached = this.memory.get(key);
    if (cached !== undefined) {
      this.counts.memoryHits++;
      return cached;
    }
    const running = this.inflight.get(key);
    if (running) {
      this.counts.joined++;
      return running;
    }
    const job = this.produce(kind, req, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }

  private async produce(kind: ChartKind, req: ChartRequest, key: string): Promise<Buffer | null> {
    const shared = await this.sharedGet(key);
    if (shared) {
      this.counts.sharedHits++;
      this.memory.set(key, shared);
      return shared;
    }
    const png = await this.withTimeout(this.draw(kind, req), kind, req);
    // Timeouts and history misses are not remembered (a later request may succeed); "cannot be drawn" is.
    if (png !== undefined) this.memory.set(key, png);
    if (png) await this.sharedSet(key, png);
    return png ?? null;
  }

  /**
   * PNG, null (cannot be drawn: remembered), or undefined (not yet: the block may reach the history
   * a moment later, or Redis may come back; not remembered, so a later request tries again).
   */
  private async draw(kind: ChartKind, req: ChartRequest): Promise<Buffer | null | undefined> {
    let points: readonly ChartPoint[] | null;
    try {
      points = await this.deps.history.pointsUpTo(req.height, req.hash, HISTORY_DAYS[kind]);
    } catch (err) {
      this.skip(kind, req, 'chart history unavailable', err);
      return undefined;
    }
    if (!points || points.length === 0) {
      this.skip(kind, req, 'block not in chart history');
      return undefined;
    }
    try {
      const svg = BUILDERS[kind](points, {
        timeZone: req.timeZone,
        theme: req.theme ?? this.deps.theme ?? 'dark',
        ...(req.thresholds ? { thresholds: req.thresholds } : {}),
      });
      if (svg === null) return this.skip(kind, req, 'not enough data to draw');
      this.counts.renderings++;
      return await this.renderPng(svg);
    } catch (err) {
      return this.skip(kind, req, 'chart failed', err);
    }
  }

  private withTimeout(
    p: Promise<Buffer | null | undefined>,
    kind: ChartKind,
    req: ChartRequest,
  ): Promise<Buffer | null | undefined> {
    const ms = this.deps.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.skip(kind, req, `chart took longer than ${ms} ms`);
        resolve(undefined);
      }, ms);
      timer.unref();
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  private async sharedGet(key: string): Promise<Buffer | null> {
    try {
      return (await this.deps.sharedCache?.get(key)) ?? null;
    } catch (err) {
      this.deps.logger?.warn({ err: String(err), key }, 'chart cache read failed');
      return null;
    }
  }

  private async sharedSet(key: string, png: Buffer): Promise<void> {
    try {
      await this.deps.sharedCache?.set(key, png);
    } catch (err) {
      this.deps.logger?.warn({ err: String(err), key }, 'chart cache write failed');
    }
  }

  private skip(kind: string, req: ChartRequest, reason: string, err?: unknown): null {
    this.counts.skipped++;
    this.deps.logger?.warn(
      {
        kind,
        height: req?.height,
        hash: req?.hash,
        reason,
        ...(err === undefined ? {} : { err: err instanceof Error ? err.message : String(err) }),
      },
      'chart skipped',
    );
    return null;
  }
}
