/**
 * `/start`, `/mute`, `/unmute`, `/quiet`, `/stop` and the read-only `/status`, `/retarget`,
 * `/hashprice`, `/help`.
 */
import { AttachmentBuilder, type APIEmbed, type ChatInputCommandInteraction } from 'discord.js';
import { DeliveryError } from '../../alerting/ports.ts';
import type { Snapshot } from '../../domain/snapshot-types.ts';
import { commandChart } from '../chart-picture.ts';
import { fmtClock } from '../format.ts';
import {
  deferThen,
  invokerContext,
  isPersonal,
  problem,
  replyNow,
  targetChoice,
  targetOrRefuse,
  where,
  type Answer,
  type HandlerDeps,
} from './interaction-kit.ts';
import { resolveTarget } from './options.ts';
import { rulesEmbed } from './render.ts';
import { hashpriceEmbed, helpEmbed, noDataEmbed, retargetEmbed, statusEmbed } from './render-info.ts';

export async function start(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  await deferThen(i, isPersonal(target), async () => {
    const r = await deps.service.start(target, deps.nowSec());
    const head = r.created
      ? `👋 Alerts for ${where(target)} are on, with ${r.rules.length} default rules. Add your own with \`/alert add\`.`
      : `Alerts for ${where(target)} were already on${r.subscription.active ? '' : ' and are resumed now'}.`;
    const warning = target.targetType === 'user' && i.inGuild() ? await checkDms(deps, target.userId) : '';
    if (target.targetType === 'channel' && i.channel !== null) await deps.noteChannel?.(i.channelId, i.channel.type);
    return {
      content: head + warning + broadcastOffer(target, deps),
      embeds: [
        rulesEmbed(
          r.rules,
          r.subscription,
          target.targetType === 'channel' ? 'this channel' : 'your DMs',
          deps.nowSec(),
        ),
      ],
    };
  });
}

/** Personal /start: the operator's public channel carries the default rules for everyone at once. */
function broadcastOffer(target: { targetType: string }, deps: HandlerDeps): string {
  const c = deps.broadcast?.() ?? null;
  if (c === null || target.targetType !== 'user') return '';
  const where = c.url === null ? c.name : `${c.name} (${c.url})`;
  return `\n📣 The default alerts also go out at once, to everyone, in ${where}; *Follow* it to get them in your own server. Your own thresholds stay here.`;
}

/**
 * Started from a server, DM alerts only work if the member accepts DMs from server members:
 * greet them by DM now, and say how to fix it if Discord refuses (50007), instead of failing at
 * the first alert.
 */
export async function checkDms(deps: HandlerDeps, userId: string): Promise<string> {
  if (deps.sendDm === undefined) return '';
  try {
    await deps.sendDm(userId, '👋 hashbell alerts you set up will arrive here. `/help` lists the commands.');
    return '';
  } catch (e) {
    if (e instanceof DeliveryError && e.kind === 'permanent') {
      return '\n⚠️ But I can’t send you direct messages: turn on *Allow direct messages from server members* for this server (Privacy Settings), or run the commands with `target: this channel` if you manage it.';
    }
    deps.logger.warn({ err: e }, 'start: DM greeting failed');
    return '';
  }
}

export async function mute(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  const duration = i.options.getString('duration', true);
  await deferThen(i, isPersonal(target), async () => {
    const r = await deps.service.mute(target, duration, deps.nowSec());
    return r.ok
      ? {
          content: `🔕 Alerts for ${where(target)} are held until <t:${r.value.untilSec}:f>; they arrive then as one digest. \`/unmute\` ends it early.`,
        }
      : problem(r);
  });
}

export async function unmute(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  await deferThen(i, isPersonal(target), async () => {
    const r = await deps.service.unmute(target);
    return r.ok
      ? { content: `🔔 Alerts for ${where(target)} resume now; anything held while muted arrives now.` }
      : problem(r);
  });
}

export async function quiet(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  const off = i.options.getSubcommand() === 'off';
  const args = off ? ['off'] : [i.options.getString('hours', true), i.options.getString('zone', true)];
  await deferThen(i, isPersonal(target), async () => {
    const r = await deps.service.quiet(target, args);
    if (!r.ok) return problem(r);
    if (r.value === null) return { content: `☀️ No quiet hours for ${where(target)}.` };
    return {
      content: `🌙 Quiet hours for ${where(target)}: ${fmtClock(r.value.startMin)}–${fmtClock(r.value.endMin)} ${args[1] ?? ''}. Alerts held then arrive as one digest when they end.`,
    };
  });
}

export async function stop(i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> {
  const target = await targetOrRefuse(i, true);
  if (target === null) return;
  await deferThen(i, isPersonal(target), async () => {
    const existed = await deps.service.stop(target);
    return {
      content: existed
        ? `👋 Forgot the alerts for ${where(target)} and all their rules. \`/start\` brings them back.`
        : `There were no alerts for ${where(target)}.`,
    };
  });
}

/**
 * `/status`, `/retarget`, `/hashprice`: public answers from the latest snapshot, with the matching
 * chart in the embed when charts are configured (drawn in the invoker's subscription's zone and
 * with its thresholds; UTC and none without one). No chart → the same embed without a picture.
 */
export function info(command: 'status' | 'retarget' | 'hashprice', render: (s: Snapshot, nowSec: number) => APIEmbed) {
  return async (i: ChatInputCommandInteraction, deps: HandlerDeps): Promise<void> => {
    await deferThen(i, false, async (): Promise<Answer> => {
      const s = await deps.service.latestSnapshot();
      if (s === null) return { embeds: [noDataEmbed()] };
      const embed = render(s, deps.nowSec());
      const t = resolveTarget(targetChoice(i), invokerContext(i), false);
      const target = t.ok ? t.value : null;
      const zone = target === null ? 'UTC' : ((await deps.service.get(target))?.timeZone ?? 'UTC');
      const rules = async () => (target === null ? [] : deps.service.listRules(target));
      const picture = await commandChart(deps.charts, command, s, zone, rules, deps.logger);
      if (picture === null) return { embeds: [embed] };
      return {
        embeds: [{ ...embed, image: { url: `attachment://${picture.filename}` } }],
        files: [new AttachmentBuilder(picture.png, { name: picture.filename })],
      };
    });
  };
}

export const status = info('status', statusEmbed);
export const retarget = info('retarget', retargetEmbed);
export const hashprice = info('hashprice', hashpriceEmbed);

export async function help(i: ChatInputCommandInteraction): Promise<void> {
  await replyNow(i, { embeds: [helpEmbed()] });
}
