/**
 * `/status`, `/retarget`, `/hashprice` and `/help` as embeds from the one metrics snapshot, so
 * a figure reads the same here as in an alert: with its window, 90 % interval, source and age.
 */
import type { APIEmbed } from 'discord.js';
import type { Snapshot } from '../../domain/snapshot-types.ts';
import { fmtNum } from '../../alerting/describe.ts';
import { KIND_HELP } from '../../alerting/kind-help.ts';
import { fmtDuration, fmtEhs, fmtEhsInterval, fmtSats, fmtSignedPct, fmtUsd, fmtUsdPerPhDay } from '../format.ts';
import { discordRule, MUTE_EXAMPLE, QUIET_EXAMPLE } from './problem-words.ts';
import { clipEmbed } from './embed-limits.ts';
import { COLOURS, discordTime } from './render.ts';

const footer = (s: Snapshot, nowSec: number) => ({
  text: `Source: ${s.source} · block ${s.height} · data ${fmtDuration(Math.max(0, nowSec - s.timeSec))} old`,
});

export function noDataEmbed(): APIEmbed {
  return {
    title: 'No chain data yet',
    description: 'hashbell has not seen its first block yet; try again in a minute.',
    color: COLOURS.info,
  };
}

function retargetLine(s: Snapshot): string {
  const r = s.retarget;
  return `${fmtSignedPct(r.changePct)} (90 %: ${fmtSignedPct(r.lowPct)} to ${fmtSignedPct(r.highPct)}) in ${r.remainingBlocks} blocks`;
}

function hashpriceLine(s: Snapshot): string {
  const h = s.hashprice;
  return h.usdPerPhDay !== null
    ? `${fmtUsdPerPhDay(h.usdPerPhDay)} · ${fmtSats(h.satsPerPhDay)}/PH/day`
    : `${fmtSats(h.satsPerPhDay)}/PH/day (no USD price)`;
}

export function statusEmbed(s: Snapshot, nowSec: number): APIEmbed {
  const fields: NonNullable<APIEmbed['fields']> = [];
  for (const w of ['1d', '3d', '7d'] as const) {
    const h = s.hashrate[w];
    if (h !== null)
      fields.push({
        name: `Hash rate ${w}`,
        value: `${fmtEhs(h.hps)}\n90 %: ${fmtEhsInterval(h.lowHps, h.highHps)}`,
        inline: true,
      });
  }
  fields.push({ name: 'Difficulty', value: `${fmtNum(s.difficulty / 1e12, 2)} T`, inline: true });
  fields.push({ name: 'Next retarget', value: retargetLine(s), inline: false });
  fields.push({ name: 'Hash price', value: hashpriceLine(s), inline: false });
  return clipEmbed({
    title: `Block ${s.height}`,
    description: `Mined ${discordTime(s.timeSec)} (${discordTime(s.timeSec, 'R')})${s.correction ? ' (after a reorg)' : ''}`,
    color: COLOURS.info,
    fields,
    footer: footer(s, nowSec),
  });
}

export function retargetEmbed(s: Snapshot, nowSec: number): APIEmbed {
  const r = s.retarget;
  const fields: NonNullable<APIEmbed['fields']> = [
    { name: 'Estimate', value: fmtSignedPct(r.changePct), inline: true },
    { name: '90 % interval', value: `${fmtSignedPct(r.lowPct)} to ${fmtSignedPct(r.highPct)}`, inline: true },
    { name: 'mempool.space rule', value: fmtSignedPct(r.mempool.difficultyChange), inline: true },
    {
      name: 'Retarget block',
      value: `${r.nextRetargetHeight} (${r.remainingBlocks} blocks to go, ${fmtNum(r.progressPct, 1)} % done)`,
      inline: false,
    },
    {
      name: 'ETA',
      value: `${discordTime(r.etaSec)}, ${discordTime(r.etaSec, 'R')} (90 %: ${discordTime(r.etaLowSec)} to ${discordTime(r.etaHighSec)})`,
      inline: false,
    },
  ];
  const o = s.retargetOutcome;
  if (o !== null)
    fields.push({ name: 'Last retarget', value: `${fmtSignedPct(o.changePct)} at block ${o.height}`, inline: false });
  const colour = r.lowPct > 0 ? COLOURS.warnUp : r.highPct < 0 ? COLOURS.warnDown : COLOURS.info;
  return clipEmbed({
    title: `Next difficulty retarget: ${fmtSignedPct(r.changePct)}`,
    color: colour,
    fields,
    footer: footer(s, nowSec),
  });
}

export function hashpriceEmbed(s: Snapshot, nowSec: number): APIEmbed {
  const h = s.hashprice;
  const fields: NonNullable<APIEmbed['fields']> = [
    {
      name: 'USD per PH/day',
      value: h.usdPerPhDay !== null ? fmtUsdPerPhDay(h.usdPerPhDay) : 'no price',
      inline: true,
    },
    { name: 'sats per PH/day', value: fmtSats(h.satsPerPhDay), inline: true },
    {
      name: 'BTC price',
      value: h.priceUsd !== null ? `${fmtUsd(h.priceUsd)}${h.priceStale ? ' (stale)' : ''}` : 'unknown',
      inline: true,
    },
    {
      name: 'Subsidy + fees',
      value: `${fmtSats(h.subsidySats)} + ${fmtSats(h.avgFeesSats)} (fees: ${h.feeBlocks}-block average)`,
      inline: false,
    },
  ];
  for (const w of ['24h', '7d'] as const) {
    const ago = s.hashpriceAgo[w];
    if (ago !== null && h.usdPerPhDay !== null && ago.usdPerPhDay > 0) {
      fields.push({
        name: `Change ${w}`,
        value: fmtSignedPct(((h.usdPerPhDay - ago.usdPerPhDay) / ago.usdPerPhDay) * 100),
        inline: true,
      });
    }
  }
  return clipEmbed({
    title: `Hash price: ${hashpriceLine(s)}`,
    color: COLOURS.info,
    fields,
    footer: footer(s, nowSec),
  });
}

export function helpEmbed(): APIEmbed {
  const kinds = KIND_HELP.map((k) => `\`${k.kind}\` ${k.what} — \`${discordRule(k.kind)}\``).join('\n');
  return clipEmbed({
    title: 'hashbell — Bitcoin mining alerts',
    color: COLOURS.info,
    description: [
      'I follow every block and the coming difficulty retarget, and tell you when hash rate drops, what the next retarget will be, and when hash price moves or falls below your break-even.',
      '',
      '`/start` subscribe (default rules) · `/alert add <kind>` add a rule (subscribes too) · `/alert list` · `/alert remove`',
      `\`${MUTE_EXAMPLE}\` · \`/unmute\` · \`${QUIET_EXAMPLE}\` · \`/quiet off\` · \`/preview\` · \`/stop\``,
      '`/status` · `/retarget` · `/hashprice`',
      '',
      'Every command takes `target`: **my DMs** (default) or **this channel** (changing a channel’s alerts needs Manage Channels).',
      '',
      '**Alert kinds** (`/alert add <kind>` shows only that kind’s options):',
      kinds,
      'Amounts take their units in chat; here each option says its unit. `breakeven jth:17 kwh:0.06 poolfee:2` = rigs at 17 J/TH, power at $0.06/kWh, 2 % pool fee.',
    ].join('\n'),
  });
}
