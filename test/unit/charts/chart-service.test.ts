/**
 * ChartService: one rendering per (block, kind, zone, drawn rules) however many subscribers ask,
 * and a chart that cannot be drawn is null — never an exception, never a hang.
 */
import { describe, expect, it } from 'vitest';
import type { RuleSpec } from '../../../src/alerting/types.ts';
import { ChartService, chartCacheKey, type ChartRequest } from '../../../src/charts/chart-service.ts';
import { ChartPointRing, type ChartHistory } from '../../../src/charts/history.ts';
import type { PngRenderer } from '../../../src/charts/render-png.ts';
import { CHART_KINDS, type ChartPoint } from '../../../src/charts/types.ts';
import { syntheticPoints } from './synthetic.ts';

const points = syntheticPoints({ blocks: 1500, seed: 3 });
const tip = points.at(-1) as ChartPoint;

function ring(pts: readonly ChartPoint[] = points): ChartPointRing {
  const r = new ChartPointRing();
  for (const p of pts) r.push(p);
  return r;
}

/** Counts SVGs handed to the renderer and returns a fake PNG naming the chart. */
function countingRenderer(delayMs = 5): { render: PngRenderer; svgs: string[] } {
  const svgs: string[] = [];
  return {
    svgs,
    render: async (svg) => {
      svgs.push(svg);
      await new Promise((r) => setTimeout(r, delayMs));
      return Buffer.from(`png:${svgs.length}`);
    },
  };
}

const req = (over: Partial<ChartRequest> = {}): ChartRequest => ({
  height: tip.height,
  hash: tip.hash,
  timeZone: 'UTC',
  ...over,
});

describe('ChartService cache', () => {
  it('1,000 subscribers on one block: one rendering per chart kind', async () => {
    const r = countingRenderer();
    const svc = new ChartService({ history: ring(), renderPng: r.render });
    const rules: RuleSpec[] = [{ kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' }];
    const calls = [];
    for (let i = 0; i < 1000; i++) {
      for (const kind of CHART_KINDS)
        calls.push(svc.render(kind, req({ timeZone: 'Europe/Berlin', thresholds: rules })));
    }
    const pngs = await Promise.all(calls);
    expect(r.svgs.length).toBe(CHART_KINDS.length);
    expect(pngs.every((p) => p !== null)).toBe(true);
    // Later calls (after the first wave) come from memory, still no new rendering.
    for (let i = 0; i < 1000; i++) await svc.render('hashrate', req({ timeZone: 'Europe/Berlin', thresholds: rules }));
    expect(svc.stats()).toMatchObject({ renderings: 3, memoryHits: 1000, joined: 2997 });
  });

  it('a different zone or a different drawn rule is a different picture; ids and irrelevant rules are not', async () => {
    const r = countingRenderer(0);
    const svc = new ChartService({ history: ring(), renderPng: r.render });
    const drop = { kind: 'hashrate-drop', pct: 10, window: '3d', lookback: '30d' } as const;
    await svc.render('hashrate', req());
    await svc.render('hashrate', req({ timeZone: 'Asia/Tokyo' }));
    await svc.render('hashrate', req({ thresholds: [drop] }));
    await svc.render(
      'hashrate',
      req({ thresholds: [{ ...drop, id: '7', subscriptionId: 'x', createdSec: 1 } as RuleSpec] }),
    );
    await svc.render('hashrate', req({ thresholds: [drop, { kind: 'hashprice-below', usd: 40 }] }));
    expect(r.svgs.length).toBe(3);
    expect(r.svgs[1]).toContain('Asia/Tokyo');
  });

  it('rule order does not matter for the key; the block hash does', () => {
    const a: RuleSpec = { kind: 'hashprice-below', usd: 40 };
    const b: RuleSpec = { kind: 'breakeven', jth: 17, kwh: 0.06, poolfee: 0 };
    expect(chartCacheKey('hashprice', req({ thresholds: [a, b] }))).toBe(
      chartCacheKey('hashprice', req({ thresholds: [b, a] })),
    );
    expect(chartCacheKey('hashprice', req())).not.toBe(chartCacheKey('hashprice', req({ hash: 'ff'.repeat(32) })));
    expect(chartCacheKey('hashprice', req())).not.toBe(chartCacheKey('hashrate', req()));
  });
});

describe('ChartService never blocks an alert', () => {
  const nan = (p: ChartPoint): ChartPoint => ({
    ...p,
    hashrate: { '1d': { hps: NaN, lowHps: NaN, highHps: NaN }, '3d': null, '7d': null },
    retarget: { ...p.retarget, changePct: NaN },
    hashprice: { usdPerPhDay: NaN },
  });

  it.each(CHART_KINDS)('%s: empty history, all-NaN data, unknown block → null', async (kind) => {
    const r = countingRenderer(0);
    const empty: ChartHistory = { pointsUpTo: async () => [] };
    expect(await new ChartService({ history: empty, renderPng: r.render }).render(kind, req())).toBeNull();
    const bad = new ChartService({ history: ring(points.map(nan)), renderPng: r.render });
    expect(await bad.render(kind, req())).toBeNull();
    const svc = new ChartService({ history: ring(), renderPng: r.render });
    expect(await svc.render(kind, req({ hash: '00'.repeat(32) }))).toBeNull();
    expect(await svc.render(kind, req({ height: -1 }))).toBeNull();
    expect(r.svgs.length).toBe(0);
  });

  it('a block not yet in the history is retried later, not remembered as undrawable', async () => {
    const r = countingRenderer(0);
    const h = ring(points.slice(0, -1));
    const svc = new ChartService({ history: h, renderPng: r.render });
    expect(await svc.render('hashrate', req())).toBeNull();
    h.push(tip); // the watcher appends the block a moment after the alert asked
    expect(await svc.render('hashrate', req())).not.toBeNull();
    expect(r.svgs.length).toBe(1);
  });

  it('a few NaN blocks inside a good history leave gaps, not a failure', async () => {
    const r = countingRenderer(0);
    const holed = points.map((p, i) => (i % 97 === 5 ? nan(p) : p));
    const svc = new ChartService({ history: ring(holed), renderPng: r.render });
    for (const kind of CHART_KINDS) expect(await svc.render(kind, req())).not.toBeNull();
    expect(r.svgs.every((s) => !s.includes('NaN'))).toBe(true);
  });

  it('history or renderer throwing, or a renderer that hangs → null, logged once', async () => {
    const warnings: string[] = [];
    const logger = { warn: (o: object, msg: string) => warnings.push(`${msg} ${JSON.stringify(o)}`) };
    const broken: ChartHistory = {
      pointsUpTo: async () => {
        throw new Error('redis down');
      },
    };
    expect(await new ChartService({ history: broken, logger }).render('hashrate', req())).toBeNull();
    const failing = new ChartService({
      history: ring(),
      logger,
      renderPng: async () => {
        throw new Error('boom');
      },
    });
    expect(await failing.render('hashrate', req())).toBeNull();
    const hanging = new ChartService({
      history: ring(),
      logger,
      timeoutMs: 50,
      renderPng: () => new Promise<Buffer>(() => {}),
    });
    const t0 = Date.now();
    expect(await hanging.render('retarget', req())).toBeNull();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(warnings.map((w) => w.split(' ')[0])).toEqual(['chart', 'chart', 'chart']);
    expect(warnings.join('\n')).toMatch(/redis down[\s\S]*boom[\s\S]*longer than 50 ms/);
    // Unknown kind from an untyped caller: null too.
    expect(await failing.render('pie' as never, req())).toBeNull();
  });
});

describe('ChartPointRing', () => {
  it('a reorg replaces the tip; the old block is no longer drawable', async () => {
    const h = ring(points.slice(0, 1000));
    const old = points[999] as ChartPoint;
    expect((await h.pointsUpTo(old.height, old.hash, 30))?.at(-1)?.hash).toBe(old.hash);
    const replacement = { ...old, hash: 'ab'.repeat(32) };
    h.push(points[998] as ChartPoint);
    h.push(replacement);
    expect(h.size).toBe(1000);
    expect(await h.pointsUpTo(old.height, old.hash, 30)).toBeNull();
    expect((await h.pointsUpTo(old.height, replacement.hash, 30))?.length).toBe(1000);
  });

  it('keeps about its capacity and answers only what fits the days asked', async () => {
    const h = new ChartPointRing(500);
    for (const p of points) h.push(p);
    expect(h.size).toBeLessThanOrEqual(625);
    const last = await h.pointsUpTo(tip.height, tip.hash, 1);
    expect(last).not.toBeNull();
    const span = (last?.at(-1)?.timeSec ?? 0) - (last?.[1]?.timeSec ?? 0);
    expect(span).toBeLessThanOrEqual(86_400);
    expect(last?.length).toBeLessThan(300);
  });
});
