/**
 * Command and button handlers, free of telegraf: a chat, a user and the words they typed in; an
 * HTML reply (and buttons) out. Every command maps to one SubscriptionService call; groups may
 * read freely, but only administrators change rules. Bad arguments come back from the service as
 * Results and are answered with what was wrong and a correct example.
 */
import { describeRule } from '../../alerting/describe.ts';
import { KIND_HELP } from '../../alerting/kind-help.ts';
import { parseRule } from '../../alerting/parse.ts';
import type { Problem } from '../../alerting/problems.ts';
import type { SubscriptionService, Target } from '../../subscriptions/service.ts';
import { commandChart, type ChartPicture, type ChartRenderer } from '../chart-picture.ts';
import type { BroadcastChannel } from '../../subscriptions/broadcast.ts';
import { withBroadcastOffer } from './broadcast-offer.ts';
import { COMMAND_BY_NAME, COMMANDS, QUICK_RULES } from './commands.ts';
import { html, joinHtml, type SafeHtml } from './html.ts';
import { fmtClock, fmtTime } from '../format.ts';
import { renderPreview, renderProblem, renderRuleAdded, renderRules } from './render.ts';
import { NO_DATA, renderHashprice, renderRetarget, renderStatus } from './render-figures.ts';
import { MUTE_EXAMPLE, REMOVE_EXAMPLE, telegramProblem, telegramRule } from './problem-words.ts';

export interface Button {
  readonly text: string;
  readonly data: string;
  /** A link button (opens the URL; `data` unused) instead of a callback button. */
  readonly url?: string;
}
export interface Reply {
  readonly html: SafeHtml;
  readonly buttons?: readonly (readonly Button[])[];
  /**
   * The chart that goes with the text (/status, /retarget, /hashprice), drawn when the reply is
   * sent — off the update loop — and null when there is none; never throws.
   */
  readonly chart?: () => Promise<ChartPicture | null>;
}
export interface ChatRef {
  readonly id: number;
  readonly type: 'private' | 'group' | 'supergroup' | 'channel';
}

export interface HandlerDeps {
  readonly service: SubscriptionService;
  /** getChatMember status is creator/administrator. Only asked in groups. */
  readonly isAdmin: (chatId: number, userId: number) => Promise<boolean>;
  readonly nowSec: () => number;
  /** Optional: figures replies carry a chart (absent = text only). */
  readonly charts?: ChartRenderer;
  readonly logger?: { warn(obj: object, msg: string): void };
  /** The operator's public channel for the default rules, once resolved (offered on /start). */
  readonly broadcast?: () => BroadcastChannel | null;
}

export const targetOf = (chat: ChatRef, userId: number): Target => ({
  platform: 'telegram',
  targetType: 'chat',
  targetId: String(chat.id),
  userId: String(userId),
});

const REFUSED = html`🔒 Only group administrators can change alerts here. Anyone can use /status, /retarget, /hashprice, /alerts and /preview.`;

/**
 * Private chats: the user; groups: administrators; channels: a post (its author is the channel
 * itself, and only administrators may post there) or an administrator pressing a button.
 */
async function mayChange(deps: HandlerDeps, chat: ChatRef, userId: number): Promise<boolean> {
  if (chat.type === 'private' || (chat.type === 'channel' && userId === chat.id)) return true;
  return deps.isAdmin(chat.id, userId);
}

/**
 * A bad argument's reply; an implausible number (`/alert hashprice-below 0.045`) also gets a
 * button adding the likely-meant rule (`add:` buttons are permission-checked like any other).
 */
const problem = (r: Problem, command: 'alert' | 'preview' = 'alert'): Reply => {
  const { text, example, offer } = telegramProblem(r, command);
  const fits = offer !== undefined && Buffer.byteLength(offer.data, 'utf8') <= 64;
  return {
    html: renderProblem(text, example),
    ...(fits ? { buttons: [[{ text: `✅ Add it with ${offer.words}`.slice(0, 60), data: offer.data }]] } : {}),
  };
};

/** A problem as a button toast (plain text, Telegram's 200-character limit). */
const toastOf = (r: Problem): string => telegramProblem(r).text.slice(0, 190);

async function zoneOf(deps: HandlerDeps, t: Target): Promise<string> {
  return (await deps.service.get(t))?.timeZone ?? 'UTC';
}

export function helpReply(): Reply {
  const lines = COMMANDS.map((c) => {
    const usage = c.usage !== '' ? html` <i>${c.usage}</i>` : html``;
    const ex =
      c.usage !== ''
        ? html`\n    e.g. ${joinHtml(
            c.examples.map((e) => html`<code>${e}</code>`),
            '  ',
          )}`
        : html``;
    return html`/${c.command}${usage} — ${c.description}${ex}`;
  });
  return {
    html: joinHtml(
      [
        html`<b>hashbell</b> follows every Bitcoin block and tells you when hash rate, difficulty or hash price cross <i>your</i> thresholds.`,
        ...lines,
        html`\n<b>Alert kinds</b> (<code>/alert &lt;kind&gt; …</code>):`,
        ...KIND_HELP.map(
          (k) => html`• <b>${k.kind}</b>: ${k.what}. Takes ${k.params}. e.g. <code>${telegramRule(k.kind)}</code>`,
        ),
        html`<code>/alert breakeven 17 0.06 2%</code> means rigs at 17 J/TH, power at $0.06/kWh, a 2 % pool fee: it fires when hash price no longer pays the power.`,
        html`Percentages as <code>10%</code> or <code>10</code>; windows <code>1d 3d 7d</code> (blocks) or <code>24h 7d</code> (prices). In groups only administrators change alerts.`,
      ],
      '\n',
    ),
  };
}

async function startReply(deps: HandlerDeps, t: Target): Promise<Reply> {
  const { created, rules } = await deps.service.start(t, deps.nowSec());
  const head = created
    ? html`👋 <b>Welcome to hashbell.</b>`
    : html`👋 <b>You're subscribed already</b> — here is what you have.`;
  return {
    html: joinHtml(
      [
        head,
        html`I watch every Bitcoin block and the coming difficulty adjustment, and tell this chat when the hash rate drops, what the next retarget will be, and when hash price moves — only when the data supports it, not on block luck.`,
        html`${created ? 'Subscribed with these alerts' : 'Your alerts'}:`,
        ...rules.map((r) => html`• <code>${r.id}</code> ${describeRule(r)}`),
        html`Add more with the buttons below or <code>/alert …</code> (see /help); /status shows the figures now; /stop forgets this chat.`,
      ],
      '\n',
    ),
    buttons: QUICK_RULES.map((q) => [{ text: q.label, data: `add:${q.args}` }]),
  };
}

async function alertsReply(deps: HandlerDeps, t: Target): Promise<Reply> {
  const [sub, rules] = await Promise.all([deps.service.get(t), deps.service.listRules(t)]);
  return {
    html: renderRules(rules, sub, deps.nowSec()),
    buttons: rules
      .slice(0, 25)
      .map((r) => [{ text: `❌ Remove ${r.id}: ${describeRule(r)}`.slice(0, 60), data: `rm:${r.id}` }]),
  };
}

async function figures(deps: HandlerDeps, t: Target, which: 'status' | 'retarget' | 'hashprice'): Promise<Reply> {
  const [snap, zone] = await Promise.all([deps.service.latestSnapshot(), zoneOf(deps, t)]);
  if (snap === null) return { html: NO_DATA };
  const now = deps.nowSec();
  const render = which === 'status' ? renderStatus : which === 'retarget' ? renderRetarget : renderHashprice;
  const { charts } = deps;
  if (charts === undefined) return { html: render(snap, zone, now) };
  return {
    html: render(snap, zone, now),
    chart: () => commandChart(charts, which, snap, zone, () => deps.service.listRules(t), deps.logger),
  };
}

/** Runs one command. `args` are the words after the command. Never throws on user input. */
export async function handleCommand(
  deps: HandlerDeps,
  chat: ChatRef,
  userId: number,
  command: string,
  args: readonly string[],
): Promise<Reply | null> {
  const def = COMMAND_BY_NAME.get(command);
  if (def === undefined) {
    return chat.type === 'private' ? { html: html`I don't know /${command}. /help lists what I can do.` } : null;
  }
  const t = targetOf(chat, userId);
  if (def.changes && !(await mayChange(deps, chat, userId))) return { html: REFUSED };
  const now = deps.nowSec();
  const [first = '', ...rest] = args;
  switch (def.command) {
    case 'start':
      return withBroadcastOffer(await startReply(deps, t), chat, deps.broadcast?.() ?? null);
    case 'help':
      return helpReply();
    case 'status':
    case 'retarget':
    case 'hashprice':
      return figures(deps, t, def.command);
    case 'alerts':
      return alertsReply(deps, t);
    case 'alert': {
      if (first === '') return { html: renderProblem('Which alert? Give a kind and its parameters.', def.examples[0]) };
      const r = await deps.service.addRule(t, first, rest, now);
      return r.ok ? { html: renderRuleAdded(r.value) } : problem(r);
    }
    case 'remove': {
      if (first === '') return { html: renderProblem('Which alert? Give its id; /alerts lists them.', REMOVE_EXAMPLE) };
      if (rest.length > 0)
        return {
          html: renderProblem(`"${rest.join(' ').slice(0, 40)}" is extra: /remove takes one alert id.`, REMOVE_EXAMPLE),
        };
      const r = await deps.service.removeRule(t, first);
      return r.ok ? { html: html`🗑 Removed alert <code>${r.value.id}</code>: ${describeRule(r.value)}.` } : problem(r);
    }
    case 'mute': {
      if (first === '' || rest.length > 0)
        return { html: renderProblem('Say for how long, as one duration like 6h, 30m or 2d.', MUTE_EXAMPLE) };
      const r = await deps.service.mute(t, first, now);
      if (!r.ok) return problem(r);
      return {
        html: html`🔕 Muted until ${fmtTime(r.value.untilSec, await zoneOf(deps, t))}. Alerts that fire meanwhile arrive as one digest then; /unmute resumes now.`,
      };
    }
    case 'unmute': {
      const r = await deps.service.unmute(t);
      return r.ok ? { html: html`🔔 Alerts resumed. Anything held while muted arrives now.` } : problem(r);
    }
    case 'quiet': {
      const r = await deps.service.quiet(t, args);
      if (!r.ok) return problem(r);
      if (r.value === null) return { html: html`☀️ Quiet hours off: alerts arrive as they fire.` };
      const zone = await zoneOf(deps, t);
      return {
        html: html`🌙 Quiet hours ${fmtClock(r.value.startMin)}–${fmtClock(r.value.endMin)} ${zone}: alerts are held and arrive as one digest when they end.`,
      };
    }
    case 'timezone': {
      if (first === '' || rest.length > 0 || deps.service.setTimeZone === undefined) {
        return {
          html: renderProblem(
            first === ''
              ? 'Which time zone? Give one IANA name.'
              : `"${rest.join(' ').slice(0, 40)}" is extra: /timezone takes one zone.`,
            '/timezone Europe/Berlin',
          ),
        };
      }
      const r = await deps.service.setTimeZone(t, first);
      return r.ok ? { html: html`🕰 Time zone set to ${r.value}: alert times and quiet hours use it.` } : problem(r);
    }
    case 'preview': {
      if (first === '') return { html: renderProblem('Which alert? Give a kind and its parameters.', def.examples[0]) };
      const r = await deps.service.preview(first, rest, now);
      if (!r.ok) return problem(r, 'preview');
      const spec = parseRule(first, rest);
      return { html: renderPreview(spec.ok ? describeRule(spec.value) : first, r.value, await zoneOf(deps, t)) };
    }
    case 'stop': {
      const n = (await deps.service.listRules(t)).length;
      const existed = await deps.service.stop(t);
      return {
        html: existed
          ? html`👋 Forgot this chat and its ${n} alert${n === 1 ? '' : 's'}. /start subscribes again.`
          : html`This chat had no subscription. /start subscribes it.`,
      };
    }
    default:
      return null;
  }
}

/** How long the alert's "snooze" button holds that rule (issue 11: 24 h). */
export const SNOOZE_SEC = 24 * 3600;

/**
 * Buttons under every alert: snooze that rule for 24 h, open its settings. Callback data stays
 * within Telegram's 64 bytes (`sz:<id>`, `set:<id>`); a press is permission-checked like any
 * other button (handleButton).
 */
export function alertButtons(ruleIds: readonly string[]): Button[][] {
  return [...new Set(ruleIds)].slice(0, 4).map((id) => [
    { text: `😴 Snooze ${id} for 24 h`, data: `sz:${id}` },
    { text: `⚙️ Alert ${id} settings`, data: `set:${id}` },
  ]);
}

/** One rule's settings: what it watches, its reminders, snooze state, and what can be done. */
async function settingsReply(deps: HandlerDeps, t: Target, id: string): Promise<Reply> {
  const [sub, rules] = await Promise.all([deps.service.get(t), deps.service.listRules(t)]);
  const rule = rules.find((r) => r.id === id);
  if (sub === null || rule === undefined)
    return { html: html`There is no alert ${id.slice(0, 20)} here any more. /alerts lists them.` };
  const until = sub.snoozed?.[id];
  const snoozed = until !== undefined && until > deps.nowSec();
  return {
    html: joinHtml(
      [
        html`⚙️ <b>Alert <code>${id}</code></b>: ${describeRule(rule)}.`,
        snoozed ? html`😴 Snoozed until ${fmtTime(until, sub.timeZone)}.` : html`Active.`,
        html`Change it by removing it and adding it again with new values (see /help); times in ${sub.timeZone} (/timezone to change).`,
      ],
      '\n',
    ),
    buttons: [
      [
        snoozed ? { text: '⏰ Wake it now', data: `uz:${id}` } : { text: '😴 Snooze 24 h', data: `sz:${id}` },
        { text: `❌ Remove ${id}`, data: `rm:${id}` },
      ],
    ],
  };
}

/** What a button press does: a short toast, and optionally a new text for the message it sits under. */
export interface ButtonOutcome {
  readonly toast: string;
  readonly edit?: Reply;
  readonly follow?: Reply;
}

/** `add:<kind> <params>` from /start, `rm:<id>` from /alerts. */
export async function handleButton(
  deps: HandlerDeps,
  chat: ChatRef,
  userId: number,
  data: string,
): Promise<ButtonOutcome> {
  const t = targetOf(chat, userId);
  if (!(await mayChange(deps, chat, userId)))
    return { toast: `Only ${chat.type === 'channel' ? 'channel' : 'group'} administrators can change alerts here.` };
  if (data.startsWith('rm:')) {
    const r = await deps.service.removeRule(t, data.slice(3));
    const edit = await alertsReply(deps, t);
    return r.ok ? { toast: `Removed alert ${r.value.id}`, edit } : { toast: toastOf(r), edit };
  }
  if (data.startsWith('sz:') || data.startsWith('uz:')) {
    const id = data.slice(3);
    const now = deps.nowSec();
    if (deps.service.snooze === undefined) return { toast: 'Snoozing is not available here.' };
    const until = data.startsWith('sz:') ? now + SNOOZE_SEC : null;
    const r = await deps.service.snooze(t, id, until, now);
    if (!r.ok) return { toast: toastOf(r) };
    const zone = await zoneOf(deps, t);
    return {
      toast:
        until === null
          ? `Alert ${id} is awake again; anything it held arrives now`
          : `Alert ${id} snoozed until ${fmtTime(until, zone)}`.slice(0, 190),
    };
  }
  if (data.startsWith('set:')) return { toast: 'Alert settings', follow: await settingsReply(deps, t, data.slice(4)) };
  if (data.startsWith('add:')) {
    const [kind = '', ...tokens] = data.slice(4).split(' ');
    if ((await deps.service.get(t)) === null) await deps.service.start(t, deps.nowSec());
    const r = await deps.service.addRule(t, kind, tokens, deps.nowSec());
    return r.ok
      ? { toast: `Added alert ${r.value.id}`, follow: { html: renderRuleAdded(r.value) } }
      : { toast: toastOf(r) };
  }
  return { toast: 'This button is no longer valid.' };
}
