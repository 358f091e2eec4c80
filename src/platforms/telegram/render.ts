/**
 * Alert messages and command replies as Telegram HTML. Every data- or user-derived string goes
 * through the `html` tag (./html.ts), and every message is fitted to Telegram's 4096 characters,
 * so a reply can never be refused for markup or length whatever the data says.
 */
import type { OutboundMessage } from '../../alerting/ports.ts';
import type { AlertEvent, Rule, Subscription } from '../../alerting/types.ts';
import { describeRule, ruleAdvice } from '../../alerting/describe.ts';
import { expandTimesIn } from '../../alerting/time-token.ts';
import type { PreviewReport } from '../../subscriptions/service.ts';
import { fitBlocks, html, joinHtml, TELEGRAM_MAX_TEXT, truncateHtml, type SafeHtml } from './html.ts';
import { alertIcon, fmtClock, fmtDuration, fmtTime, fmtValue, thresholdWords } from '../format.ts';

/** One event: title, value with its 90 % interval and window, threshold, extra lines, provenance. */
export function renderEvent(e: AlertEvent, zone: string, nowSec: number, withProvenance = true): SafeHtml {
  const d = e.details;
  const icon = alertIcon(e.state, d.severity, d.ending);
  // An end that is not a recovery (a drop that became the normal) is not called "resolved".
  const state = e.state === 'resolved' && d.ending === undefined ? ' (resolved)' : '';
  const interval =
    d.low !== undefined && d.high !== undefined
      ? html` (90 %: ${fmtValue(d.low, d.unit)} to ${fmtValue(d.high, d.unit)})`
      : html``;
  const window = d.window !== undefined ? html` · ${d.window}` : html``;
  const lines: SafeHtml[] = [
    html`${icon} <b>${d.title}</b>${state}`,
    html`Now: <b>${fmtValue(e.value, d.unit)}</b>${interval}${window}`,
  ];
  const threshold = thresholdWords(e);
  lines.push(
    threshold === null
      ? html`Alert <code>${e.rule}</code>`
      : html`Your threshold: ${threshold} · alert <code>${e.rule}</code>`,
  );
  // Times inside lines are tokens (alerting/time-token.ts): shown in the subscriber's zone.
  for (const [label, value] of d.lines ?? []) lines.push(html`${label}: ${expandTimesIn(value, zone)}`);
  if (withProvenance) lines.push(provenance(e, zone));
  return truncateHtml(joinHtml(lines, '\n'), 1500);
}

/**
 * Where the figures come from and how old they are (said once when all events share a block). A
 * late message's block age is the freshness stage's "Late" line (alerting/pipeline.ts), said on
 * every platform alike, so it is not repeated here.
 */
function provenance(e: AlertEvent, zone: string): SafeHtml {
  const d = e.details;
  return html`<i>Block ${e.height} at ${fmtTime(e.time, zone)} · source ${d.source}, data ${fmtDuration(d.dataAgeSec)} old</i>`;
}

/** A whole delivery (everything that fired together for one block, or a digest) as one message. */
export function renderAlertMessage(
  msg: OutboundMessage,
  sub: Pick<Subscription, 'timeZone'>,
  nowSec: number,
): SafeHtml {
  const first = msg.events[0];
  const oneBlock =
    first !== undefined && msg.events.every((e) => e.hash === first.hash && e.details.source === first.details.source);
  const blocks = msg.events.map((e) => renderEvent(e, sub.timeZone, nowSec, !oneBlock));
  if (msg.digest)
    blocks.unshift(
      html`🌙 <b>Held while you were muted or in quiet hours</b> (${msg.events.length} alert${msg.events.length === 1 ? '' : 's'})`,
    );
  const more = (left: number): SafeHtml => html`…and ${left} more alert${left === 1 ? '' : 's'} not shown.`;
  if (!oneBlock) return fitBlocks(blocks, more);
  const footer = truncateHtml(provenance(first, sub.timeZone), 300);
  return html`${fitBlocks(blocks, more, TELEGRAM_MAX_TEXT - 302)}\n\n${footer}`;
}

/** `/alerts`: every rule with its id (the remove buttons are added by the handler). */
export function renderRules(rules: readonly Rule[], sub: Subscription | null, nowSec: number): SafeHtml {
  if (sub === null) return html`This chat has no alerts yet. Send /start to subscribe.`;
  const head: SafeHtml[] = [html`<b>Your alerts</b> (${rules.length})`];
  if (sub.mutedUntilSec !== null && sub.mutedUntilSec > nowSec)
    head.push(html`🔕 Muted until ${fmtTime(sub.mutedUntilSec, sub.timeZone)}`);
  if (sub.quiet !== null)
    head.push(html`🌙 Quiet hours ${fmtClock(sub.quiet.startMin)}–${fmtClock(sub.quiet.endMin)} ${sub.timeZone}`);
  const blocks = rules.map((r) => html`<code>${r.id}</code> ${describeRule(r)}`);
  if (rules.length === 0) blocks.push(html`No rules. Add one, e.g. <code>/alert hashrate-drop 10% 3d</code>`);
  return fitBlocks([joinHtml(head, '\n'), ...blocks], (left) => html`…and ${left} more.`, TELEGRAM_MAX_TEXT, '\n');
}

/** A bad argument: what was wrong and a correct example (nothing was stored). */
export function renderProblem(message: string, example: string | undefined): SafeHtml {
  const ex = example !== undefined ? html`\nExample: <code>${example}</code>` : html``;
  return truncateHtml(html`⚠️ ${message}${ex}\nNothing was changed.`);
}

export function renderRuleAdded(rule: Rule): SafeHtml {
  const advice = ruleAdvice(rule);
  return html`✅ Added alert <code>${rule.id}</code>: ${describeRule(rule)}.${advice === null ? html`` : html`\n<i>${advice}</i>`}\nSee all with /alerts, remove with <code>/remove ${rule.id}</code>.`;
}

export function renderPreview(kindLine: string, r: PreviewReport, zone: string): SafeHtml {
  const from = fmtTime(r.fromSec, zone);
  const to = fmtTime(r.toSec, zone);
  const source = r.source === 'fixture' ? 'bundled history' : 'live chain state';
  const lines: SafeHtml[] = [
    html`🔎 <b>Preview</b>: ${kindLine}`,
    html`Blocks ${r.fromHeight}–${r.toHeight} (${from} to ${to}, ${source})`,
    html`Would have fired <b>${r.firings}</b> time${r.firings === 1 ? '' : 's'} and resolved ${r.resolutions} time${r.resolutions === 1 ? '' : 's'}.`,
  ];
  for (const ev of r.recent) lines.push(html`• block ${ev.height}, ${fmtTime(ev.time, zone)}: ${ev.text}`);
  if (r.advice !== undefined) lines.push(html`<i>${r.advice}</i>`);
  return fitBlocks([joinHtml(lines, '\n')], () => html`…`);
}
