/**
 * `/status`, `/retarget` and `/hashprice`: the current figures from the latest snapshot, each
 * with its window, its 90 % interval, its source and the data's age, so a reader can tell a real
 * move from block luck.
 */
import type { Snapshot } from '../../domain/snapshot-types.ts';
import { HASHRATE_WINDOWS, type HashrateWindow } from '../../domain/types.ts';
import { html, joinHtml, truncateHtml, type SafeHtml } from './html.ts';
import {
  fmtDuration,
  fmtNum,
  fmtEhs,
  fmtEhsInterval,
  fmtSats,
  fmtSignedPct,
  fmtTime,
  fmtUsd,
  fmtUsdPerPhDay,
} from '../format.ts';

export const NO_DATA = html`⏳ No chain data yet: the watcher has not processed a block. Try again in a minute.`;

function footer(s: Snapshot, zone: string, nowSec: number): SafeHtml {
  const age = fmtDuration(Math.max(0, nowSec - s.timeSec));
  const fix = s.correction ? ' · corrected after a reorg' : '';
  return html`<i>Block ${s.height} at ${fmtTime(s.timeSec, zone)} (${age} ago) · source ${s.source}${fix}</i>`;
}

function hashrateLines(s: Snapshot): SafeHtml[] {
  const out: SafeHtml[] = [];
  for (const w of Object.keys(HASHRATE_WINDOWS) as HashrateWindow[]) {
    const e = s.hashrate[w];
    if (e === null) continue;
    out.push(html`• ${w} (${e.blocks} blocks): <b>${fmtEhs(e.hps)}</b>, 90 %: ${fmtEhsInterval(e.lowHps, e.highHps)}`);
  }
  if (out.length === 0) out.push(html`• not enough blocks yet for a window`);
  return out;
}

function retargetLines(s: Snapshot, zone: string): SafeHtml[] {
  const r = s.retarget;
  return [
    html`Next retarget at block ${r.nextRetargetHeight}, ${r.remainingBlocks} blocks to go (${fmtNum(r.progressPct, 1)} % of the epoch)`,
    html`Estimate: <b>${fmtSignedPct(r.changePct)}</b>, 90 %: ${fmtSignedPct(r.lowPct)} to ${fmtSignedPct(r.highPct)}`,
    html`Expected ${fmtTime(r.etaSec, zone)} (90 %: ${fmtTime(r.etaLowSec, zone)} to ${fmtTime(r.etaHighSec, zone)})`,
    html`mempool.space's rule says ${fmtSignedPct(r.mempool.difficultyChange)}`,
  ];
}

function hashpriceLines(s: Snapshot, zone: string, nowSec: number): SafeHtml[] {
  const h = s.hashprice;
  const usd = h.usdPerPhDay !== null ? html`<b>${fmtUsdPerPhDay(h.usdPerPhDay)}</b> · ` : html``;
  const lines = [
    html`Hash price: ${usd}${fmtSats(h.satsPerPhDay)}/PH/day`,
    html`Subsidy ${fmtSats(h.subsidySats)} + fees ${fmtSats(h.avgFeesSats)} per block (average of ${h.feeBlocks} blocks)`,
  ];
  if (h.priceUsd !== null && h.priceTimeSec !== null) {
    const stale = h.priceStale ? ' ⚠️ stale' : '';
    lines.push(
      html`BTC price ${fmtUsd(h.priceUsd)} at ${fmtTime(h.priceTimeSec, zone)} (${fmtDuration(Math.max(0, nowSec - h.priceTimeSec))} ago)${stale}`,
    );
  } else {
    lines.push(html`No BTC price available: USD figures are missing.`);
  }
  return lines;
}

export function renderStatus(s: Snapshot, zone: string, nowSec: number): SafeHtml {
  const r = s.retarget;
  return truncateHtml(
    joinHtml(
      [
        html`📊 <b>Bitcoin network</b>`,
        html`Hash rate (window, 90 % interval):`,
        ...hashrateLines(s),
        html`Difficulty ${fmtNum(s.difficulty / 1e12, 2)} T · next retarget ${fmtSignedPct(r.changePct)} (90 %: ${fmtSignedPct(r.lowPct)} to ${fmtSignedPct(r.highPct)}) in ${r.remainingBlocks} blocks`,
        hashpriceLines(s, zone, nowSec)[0]!,
        footer(s, zone, nowSec),
      ],
      '\n',
    ),
  );
}

export function renderRetarget(s: Snapshot, zone: string, nowSec: number): SafeHtml {
  const out = s.retargetOutcome;
  const last =
    out !== null ? [html`Just retargeted at block ${out.height}: <b>${fmtSignedPct(out.changePct)}</b>`] : [];
  return truncateHtml(
    joinHtml([html`⛏ <b>Difficulty retarget</b>`, ...last, ...retargetLines(s, zone), footer(s, zone, nowSec)], '\n'),
  );
}

export function renderHashprice(s: Snapshot, zone: string, nowSec: number): SafeHtml {
  const ago: SafeHtml[] = [];
  for (const w of ['24h', '7d'] as const) {
    const a = s.hashpriceAgo[w];
    if (a !== null && s.hashprice.usdPerPhDay !== null && a.usdPerPhDay > 0) {
      ago.push(
        html`${w} ago: ${fmtUsdPerPhDay(a.usdPerPhDay)} (${fmtSignedPct((s.hashprice.usdPerPhDay / a.usdPerPhDay - 1) * 100)})`,
      );
    }
  }
  return truncateHtml(
    joinHtml(
      [
        html`💰 <b>Hash price</b> (Luxor definition)`,
        ...hashpriceLines(s, zone, nowSec),
        ...ago,
        footer(s, zone, nowSec),
      ],
      '\n',
    ),
  );
}
