/**
 * The chart API platforms and the composition root use (see ChartService's TSDoc for how to
 * attach a PNG on Telegram and Discord). Everything else under src/charts is internal.
 */
export { ChartService, chartCacheKey, chartFileName } from './chart-service.ts';
export type { ChartCache, ChartLogger, ChartRequest, ChartServiceDeps, ChartStats } from './chart-service.ts';
export { ChartPointRing, toChartPoint, DEFAULT_HISTORY_BLOCKS } from './history.ts';
export type { ChartHistory } from './history.ts';
export { RedisChartCache } from './redis-chart-cache.ts';
export type { RedisChartCacheOptions } from './redis-chart-cache.ts';
export { RedisChartHistory } from './redis-chart-history.ts';
export type { RedisChartHistoryOptions } from './redis-chart-history.ts';
export { resvgRenderer, bundledFontFiles } from './render-png.ts';
export type { PngRenderer } from './render-png.ts';
export { hashrateSvg } from './hashrate-chart.ts';
export { retargetSvg } from './retarget-chart.ts';
export { hashpriceSvg } from './hashprice-chart.ts';
export { CHART_KINDS, CHART_WIDTH, CHART_HEIGHT } from './types.ts';
export type { ChartKind, ChartOptions, ChartPoint, ChartTheme } from './types.ts';
export { chartForAlerts, chartForCommand } from './chart-for.ts';
