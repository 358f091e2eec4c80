/**
 * Alert messages and rule replies as Discord embeds: a title that says what happened, a colour
 * by direction and severity, fields with the value, window, 90 % interval and threshold, and a
 * footer with source and data age. Everything passes through embed-limits.ts, so no message can
 * exceed Discord's limits.
 */
import type { APIEmbed } from 'discord.js';
import { describeRule, ruleAdvice } from '../../alerting/describe.ts';
import type { OutboundMessage } from '../../alerting/ports.ts';
import { expandTimes } from '../../alerting/time-token.ts';
import type { AlertEvent, Rule, Subscription } from '../../alerting/types.ts';
import type { PreviewReport } from '../../subscriptions/service.ts';
import { alertIcon, fmtClock, fmtDuration, fmtValue, thresholdWords } from '../format.ts';
import { clip, fitEmbeds, LIMITS } from './embed-limits.ts';
import type { Problem } from '../../alerting/problems.ts';
import type { TargetProblem } from './options.ts';
import { discordProblem, discordRule } from './problem-words.ts';

/** Colours: red critical, amber warning (down), teal warning (up), green resolved, blue notices. */
export const COLOURS = {
  critical: 0xe74c3c,
  warnDown: 0xe67e22,
  warnUp: 0x1abc9c,
  resolved: 0x2ecc71,
  info: 0x3498db,
} as const;

export function eventColour(e: AlertEvent): number {
  if (e.state === 'resolved') return e.details.ending === undefined ? COLOURS.resolved : COLOURS.info;
  if (e.state === 'notice' || e.details.severity === 'info') return COLOURS.info;
  if (e.details.severity === 'critical') return COLOURS.critical;
  return e.details.direction === 'up' ? COLOURS.warnUp : COLOURS.warnDown;
}

/** `<t:1750000000:f>` (the reader's own local date and time) and `<t:…:R>` ("3 minutes ago"). */
export function discordTime(unixSec: number, style: 'f' | 'R' | 't' | 'F' | 'd' = 'f'): string {
  return `<t:${Math.floor(unixSec)}:${style}>`;
}

/**
 * One event as one embed, one statement: the title says it once (with the one icon of its
 * severity); value, interval, threshold, window, block, source and data age are fields.
 */
export function eventEmbed(e: AlertEvent, _zone?: string): APIEmbed {
  const d = e.details;
  const fields: NonNullable<APIEmbed['fields']> = [
    {
      name: e.state !== 'resolved' ? 'Value' : d.ending === undefined ? 'Now (recovered)' : 'Now',
      value: fmtValue(e.value, d.unit),
      inline: true,
    },
  ];
  if (d.low !== undefined && d.high !== undefined) {
    fields.push({
      name: '90 % interval',
      value: `${fmtValue(d.low, d.unit)} to ${fmtValue(d.high, d.unit)}`,
      inline: true,
    });
  }
  const threshold = thresholdWords(e);
  if (threshold !== null) fields.push({ name: 'Your threshold', value: threshold, inline: true });
  if (d.window !== undefined) fields.push({ name: 'Window', value: d.window, inline: true });
  fields.push({ name: 'Block', value: `${e.height} · ${discordTime(e.time)}`, inline: true });
  fields.push({ name: 'Source', value: d.source, inline: true });
  fields.push({ name: 'Data age', value: fmtDuration(d.dataAgeSec), inline: true });
  // Times inside lines are tokens (alerting/time-token.ts): Discord timestamps, each reader's local time.
  for (const [label, value] of d.lines ?? [])
    fields.push({ name: label, value: expandTimes(value, discordTime), inline: false });
  return {
    title: `${alertIcon(e.state, d.severity, d.ending)} ${d.title}`,
    ...(d.aside !== undefined ? { description: clip(d.aside, 1000) } : {}),
    color: eventColour(e),
    fields,
    footer: { text: `alert ${e.rule}` },
    timestamp: new Date(e.time * 1000).toISOString(),
  };
}

export interface DiscordMessage {
  readonly content: string;
  readonly embeds: APIEmbed[];
}

/** A whole delivery (everything that fired together for one block, or a digest) as one message. */
export function renderAlertMessage(msg: OutboundMessage, sub: Pick<Subscription, 'timeZone'>): DiscordMessage {
  const n = msg.events.length;
  const first = msg.events[0];
  // The statement is the embed's title; content only heads a digest or several alerts.
  const head = msg.digest
    ? `🌙 Held while muted or in quiet hours: ${n} alert${n === 1 ? '' : 's'}`
    : n > 1
      ? `${n} alerts at block ${first?.height ?? msg.height}`
      : '';
  const embeds = fitEmbeds(
    msg.events.map((e) => eventEmbed(e, sub.timeZone)),
    (left) => ({
      title: `…and ${left} more alert${left === 1 ? '' : 's'}`,
      description: clip(
        msg.events
          .slice(n - left)
          .map((e) => `• ${e.details.title}`)
          .join('\n'),
        300,
      ),
      color: COLOURS.info,
    }),
  );
  return { content: head === '' ? '' : clip(head, LIMITS.content), embeds };
}

/** `/alert list`: every rule with its id, plus mute and quiet hours. */
export function rulesEmbed(rules: readonly Rule[], sub: Subscription | null, where: string, nowSec: number): APIEmbed {
  if (sub === null)
    return {
      title: `No alerts for ${where} yet`,
      description: `Add one with \`${discordRule('hashrate-drop')}\` (that turns alerts on here), or \`/start\` for the default rules.`,
      color: COLOURS.info,
    };
  const lines = rules.map((r) => `\`${r.id}\` ${describeRule(r)}`);
  if (rules.length === 0) lines.push(`No rules. Add one with \`${discordRule('hashrate-drop')}\`.`);
  const fields: NonNullable<APIEmbed['fields']> = [];
  if (sub.mutedUntilSec !== null && sub.mutedUntilSec > nowSec)
    fields.push({
      name: 'Muted until',
      value: `${discordTime(sub.mutedUntilSec)} (${discordTime(sub.mutedUntilSec, 'R')})`,
      inline: true,
    });
  if (sub.quiet !== null)
    fields.push({
      name: 'Quiet hours',
      value: `${fmtClock(sub.quiet.startMin)}–${fmtClock(sub.quiet.endMin)} ${sub.timeZone}`,
      inline: true,
    });
  if (!sub.active)
    fields.push({ name: 'Paused', value: 'Deliveries failed here; `/start` resumes them.', inline: false });
  return {
    title: `Alerts for ${where} (${rules.length})`,
    description: clip(lines.join('\n'), LIMITS.description),
    color: COLOURS.info,
    fields,
  };
}

/** A bad argument: what was wrong and a correct example in Discord's syntax; nothing was stored. */
export function problemText(p: Problem | TargetProblem, command: 'alert' | 'preview' = 'alert'): string {
  const { text, example } = discordProblem(p, command);
  const ex = example !== undefined ? `\nExample: \`${example}\`` : '';
  return clip(`⚠️ ${text}${ex}\nNothing was changed.`, LIMITS.content);
}

export function ruleAddedText(rule: Rule, where: string): string {
  const advice = ruleAdvice(rule);
  return clip(
    `✅ Added alert \`${rule.id}\` for ${where}: ${describeRule(rule)}.${advice === null ? '' : `\n${advice}`}\nSee all with \`/alert list\`, remove with \`/alert remove id:${rule.id}\`.`,
    LIMITS.content,
  );
}

export function previewEmbed(kindLine: string, r: PreviewReport): APIEmbed {
  const source = r.source === 'fixture' ? 'bundled history' : 'live chain state';
  const recent = r.recent.map((ev) => `• block ${ev.height}, ${discordTime(ev.time)}: ${ev.text}`).join('\n');
  return {
    title: clip(`Preview: ${kindLine}`, LIMITS.title),
    description: clip(
      `Would have fired **${r.firings}** time${r.firings === 1 ? '' : 's'} and resolved ${r.resolutions} time${r.resolutions === 1 ? '' : 's'}.${recent ? `\n${recent}` : ''}${r.advice !== undefined ? `\n*${r.advice}*` : ''}`,
      3000,
    ),
    color: COLOURS.info,
    footer: { text: `Blocks ${r.fromHeight}–${r.toHeight} · ${source}` },
    timestamp: new Date(r.toSec * 1000).toISOString(),
  };
}
