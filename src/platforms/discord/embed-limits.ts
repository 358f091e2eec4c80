/**
 * Discord's message limits and a fitter that guarantees them, so a send can never be refused
 * with 50035 whatever the data says: content 2000, 10 embeds, title 256, description 4096,
 * 25 fields of 256/1024, footer 2048, and 6000 characters over all embeds of a message.
 */
import type { APIEmbed } from 'discord.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  total: 6000,
} as const;

/** Cuts text to `max` characters with an ellipsis; never returns an empty string for a field. */
export function clip(text: string, max: number): string {
  const t = text.length === 0 ? '—' : text;
  return t.length <= max ? t : `${t.slice(0, Math.max(0, max - 1))}…`;
}

/** Characters of an embed that count toward the 6000 total. */
export function embedSize(e: APIEmbed): number {
  let n =
    (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  for (const f of e.fields ?? []) n += f.name.length + f.value.length;
  return n;
}

/** Every text of one embed cut to its own limit. */
export function clipEmbed(e: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...e };
  if (e.title !== undefined) out.title = clip(e.title, LIMITS.title);
  if (e.description !== undefined) out.description = clip(e.description, LIMITS.description);
  if (e.footer !== undefined) out.footer = { ...e.footer, text: clip(e.footer.text, LIMITS.footer) };
  if (e.author !== undefined) out.author = { ...e.author, name: clip(e.author.name, LIMITS.author) };
  if (e.fields !== undefined) {
    out.fields = e.fields
      .slice(0, LIMITS.fields)
      .map((f) => ({ ...f, name: clip(f.name, LIMITS.fieldName), value: clip(f.value, LIMITS.fieldValue) }));
  }
  return out;
}

/**
 * Fits embeds into one message: each clipped to its limits, then as many as fit within 10 embeds
 * and 6000 characters, the rest summarised by `more(n)` in a last small embed.
 */
export function fitEmbeds(embeds: readonly APIEmbed[], more: (left: number) => APIEmbed): APIEmbed[] {
  const clipped = embeds.map(clipEmbed);
  const summaryBudget = 400;
  const out: APIEmbed[] = [];
  let total = 0;
  for (let i = 0; i < clipped.length; i++) {
    const e = clipped[i] as APIEmbed;
    const isLast = i === clipped.length - 1;
    const room = isLast ? LIMITS.total - total : LIMITS.total - summaryBudget - total;
    const slots = isLast ? LIMITS.embeds - out.length : LIMITS.embeds - 1 - out.length;
    if (embedSize(e) > room || slots <= 0) {
      const left = clipped.length - i;
      const summary = clipEmbed(more(left));
      const s =
        embedSize(summary) <= LIMITS.total - total
          ? summary
          : { description: clip(summary.description ?? `+${left}`, Math.max(1, LIMITS.total - total)) };
      out.push(s);
      return out;
    }
    out.push(e);
    total += embedSize(e);
  }
  return out;
}
