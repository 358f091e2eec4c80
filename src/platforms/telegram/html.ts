/**
 * Telegram HTML built so that escaping is the default: the `html` tag escapes every interpolated
 * value unless it is already SafeHtml. We chose HTML over MarkdownV2 because HTML reserves three
 * characters (`& < >`) while MarkdownV2 reserves eighteen — including `.`, `-` and `!`, which
 * appear in every number and sentence — so a forgotten escape is both rarer and easier to spot.
 */

/** A fragment of Telegram HTML that is known to be well formed and escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | readonly HtmlValue[] | null | undefined;

/** Escapes the three characters Telegram's HTML mode reserves. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function render(v: HtmlValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: literal parts are trusted markup, every `${value}` is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Joins fragments with an (escaped) separator. */
export function joinHtml(parts: readonly HtmlValue[], sep: string): SafeHtml {
  return new SafeHtml(
    parts
      .map(render)
      .filter((s) => s.length > 0)
      .join(escapeHtml(sep)),
  );
}

/** Telegram's sendMessage limit, in characters after entity parsing. */
export const TELEGRAM_MAX_TEXT = 4096;

/**
 * Fits blocks into one message of at most `max` characters (raw HTML, which is never shorter
 * than the parsed text): whole blocks while they fit, then a plain note of how many were left
 * out. One message per delivery keeps retries exact — a half-sent split could never be retried
 * without sending its first part twice.
 */
export function fitBlocks(
  blocks: readonly SafeHtml[],
  more: (left: number) => SafeHtml,
  max = TELEGRAM_MAX_TEXT,
  sep = '\n\n',
): SafeHtml {
  let out = '';
  for (let i = 0; i < blocks.length; i++) {
    const next = (out === '' ? '' : out + sep) + blocks[i]!.value;
    const tail = i + 1 < blocks.length ? sep + more(blocks.length - i - 1).value : '';
    if (next.length + tail.length <= max) {
      out = next;
      continue;
    }
    const note = more(blocks.length - i).value;
    if (out === '') return truncateHtml(blocks[i]!, max);
    return new SafeHtml(out + sep + note);
  }
  return new SafeHtml(out);
}

/**
 * Cuts a fragment to `max` characters without breaking a tag or an entity: markup is dropped
 * and the plain text (re-escaped) is cut at a character boundary, ending in "…".
 */
export function truncateHtml(fragment: SafeHtml, max = TELEGRAM_MAX_TEXT): SafeHtml {
  if (fragment.value.length <= max) return fragment;
  const chars = Array.from(plainText(fragment));
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (escapeHtml(chars.slice(0, mid).join('')).length + 1 <= max) lo = mid;
    else hi = mid - 1;
  }
  return new SafeHtml(escapeHtml(chars.slice(0, lo).join('')) + '…');
}

/** Telegram's caption limit (photos), in characters after entity parsing. */
export const TELEGRAM_MAX_CAPTION = 1024;

/** What a user reads of a fragment: tags dropped, entities decoded (Telegram counts limits on this). */
export function plainText(fragment: SafeHtml): string {
  return fragment.value
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|quot|amp|#x[0-9a-fA-F]+|#[0-9]+);/g, (_m, e: string) =>
      e === 'lt'
        ? '<'
        : e === 'gt'
          ? '>'
          : e === 'quot'
            ? '"'
            : e === 'amp'
              ? '&'
              : String.fromCodePoint(e.startsWith('#x') ? parseInt(e.slice(2), 16) : Number(e.slice(1))),
    );
}

/** Whether a fragment can be a photo caption (UTF-16 units, as Telegram counts). */
export function fitsCaption(fragment: SafeHtml): boolean {
  return plainText(fragment).length <= TELEGRAM_MAX_CAPTION;
}
