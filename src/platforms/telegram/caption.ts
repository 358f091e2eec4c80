/**
 * An alert as a photo caption, so every Telegram alert with a chart is ONE sendPhoto (issue 14.4):
 * Telegram allows 1,024 characters after entity parsing in a caption (4,096 in a text). The full
 * message when it fits; else the same message without each alert's extra lines (the retarget
 * scorecard and the like), with a pointer to /status; else each alert's headline block, as many
 * as fit, and how many more there were. The Settings button under the alert shows each rule.
 */
import type { OutboundMessage } from '../../alerting/ports.ts';
import type { AlertEvent, Subscription } from '../../alerting/types.ts';
import { fitBlocks, fitsCaption, html, joinHtml, TELEGRAM_MAX_CAPTION, type SafeHtml } from './html.ts';
import { renderAlertMessage, renderEvent } from './render.ts';

const POINTER = html`<i>More: /status · each alert's Settings button</i>`;

/** The event without its extra labelled lines (details a reader can ask for). */
function headline(e: AlertEvent): AlertEvent {
  const { lines: _lines, ...details } = e.details;
  return { ...e, details };
}

/** The alert message fitted to a caption (≤ 1,024 characters after parsing, markup intact). */
export function renderAlertCaption(
  msg: OutboundMessage,
  sub: Pick<Subscription, 'timeZone'>,
  nowSec: number,
): SafeHtml {
  const full = renderAlertMessage(msg, sub, nowSec);
  if (fitsCaption(full)) return full;
  const short = renderAlertMessage({ ...msg, events: msg.events.map(headline) }, sub, nowSec);
  const withPointer = joinHtml([short, POINTER], '\n');
  if (fitsCaption(withPointer)) return withPointer;
  // Raw HTML is never shorter than the parsed text, so fitting the raw HTML is always safe.
  const room = TELEGRAM_MAX_CAPTION - POINTER.value.length - 1;
  const blocks = msg.events.map((e) => renderEvent(headline(e), sub.timeZone, nowSec, false));
  const fitted = fitBlocks(blocks, (left) => html`…and ${left} more alert${left === 1 ? '' : 's'}.`, room);
  return joinHtml([fitted, POINTER], '\n');
}
