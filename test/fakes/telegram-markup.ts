/**
 * The Bot API's text checks for the stand-in: HTML and MarkdownV2 entity parsing with Telegram's
 * own error descriptions, and the 1–4096 character limit counted after entity parsing (UTF-16
 * units, an approximation of the server's count). Stricter than the server where the docs say
 * "must": every `<`, `>` and `&` outside a tag or entity is rejected in HTML.
 */

export type ParseMode = 'HTML' | 'MarkdownV2' | undefined;

/** `{ ok: true, plain }` with the text users would see, or the Bot API's error description. */
export type MarkupCheck = { ok: true; plain: string } | { ok: false; description: string };

const MAX_TEXT = 4096;
const PARSE = "Bad Request: can't parse entities: ";
const byteOffset = (s: string, i: number): number => Buffer.byteLength(s.slice(0, i), 'utf8');

/** Checks `text` as sendMessage/editMessageText would with this parse_mode. */
export function checkMessageText(text: string, parseMode: ParseMode): MarkupCheck {
  const parsed =
    parseMode === 'HTML'
      ? parseHtml(text)
      : parseMode === 'MarkdownV2'
        ? parseMarkdownV2(text)
        : { ok: true as const, plain: text };
  if (!parsed.ok) return parsed;
  if (parsed.plain.trim().length === 0) return { ok: false, description: 'Bad Request: message text is empty' };
  if (parsed.plain.length > MAX_TEXT) return { ok: false, description: 'Bad Request: message is too long' };
  return parsed;
}

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-emoji',
]);
const ENTITY = /^&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/;
const DECODED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function decodeEntity(name: string): string {
  if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
  return DECODED[name] ?? '';
}

/** Telegram's HTML: a fixed tag set, four named entities plus numeric ones, nesting checked. */
export function parseHtml(text: string): MarkupCheck {
  const stack: Array<{ name: string; at: number }> = [];
  let plain = '';
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c === '&') {
      const m = ENTITY.exec(text.slice(i, i + 12));
      if (m === null)
        return { ok: false, description: `${PARSE}Unsupported HTML entity at byte offset ${byteOffset(text, i)}` };
      const cp = m[1]!.startsWith('#')
        ? Number(m[1]!.startsWith('#x') || m[1]!.startsWith('#X') ? parseInt(m[1]!.slice(2), 16) : m[1]!.slice(1))
        : 0;
      if (cp > 0x10ffff)
        return { ok: false, description: `${PARSE}Unsupported HTML entity at byte offset ${byteOffset(text, i)}` };
      plain += decodeEntity(m[1]!);
      i += m[0].length;
      continue;
    }
    if (c === '>')
      return { ok: false, description: `${PARSE}Character '>' must be escaped at byte offset ${byteOffset(text, i)}` };
    if (c !== '<') {
      plain += c;
      i += 1;
      continue;
    }
    const end = text.indexOf('>', i);
    if (end < 0)
      return { ok: false, description: `${PARSE}Can't find end of the tag at byte offset ${byteOffset(text, i)}` };
    const raw = text.slice(i + 1, end);
    const closing = raw.startsWith('/');
    const m = /^\/?([a-z][a-z0-9-]*)(\s[^<]*)?$/i.exec(raw);
    if (m === null)
      return {
        ok: false,
        description: `${PARSE}Unsupported start tag "${raw.split(/\s/)[0] ?? ''}" at byte offset ${byteOffset(text, i)}`,
      };
    const name = m[1]!.toLowerCase();
    if (closing) {
      const top = stack.pop();
      if (top === undefined)
        return { ok: false, description: `${PARSE}Unexpected end tag at byte offset ${byteOffset(text, i)}` };
      if (top.name !== name) {
        return {
          ok: false,
          description: `${PARSE}Unmatched end tag at byte offset ${byteOffset(text, i)}, expected "</${top.name}>", found "</${name}>"`,
        };
      }
    } else {
      if (!HTML_TAGS.has(name))
        return {
          ok: false,
          description: `${PARSE}Unsupported start tag "${name}" at byte offset ${byteOffset(text, i)}`,
        };
      const attrs = m[2] ?? '';
      if (name === 'a' && !/^\s+href="[^"<>]*"\s*$/.test(attrs))
        return { ok: false, description: `${PARSE}Can't find end of the tag at byte offset ${byteOffset(text, i)}` };
      if (name !== 'a' && name !== 'span' && name !== 'code' && name !== 'tg-emoji' && attrs.trim() !== '') {
        return {
          ok: false,
          description: `${PARSE}Unsupported attribute in tag "${name}" at byte offset ${byteOffset(text, i)}`,
        };
      }
      stack.push({ name, at: i });
    }
    i = end + 1;
  }
  const open = stack.pop();
  if (open !== undefined)
    return { ok: false, description: `${PARSE}Can't find end tag corresponding to start tag "${open.name}"` };
  return { ok: true, plain };
}

const MD_RESERVED = new Set(['_', '*', '[', ']', '(', ')', '~', '`', '>', '#', '+', '-', '=', '|', '{', '}', '.', '!']);

/** Telegram's MarkdownV2: the 18 reserved characters, escapes, and balanced entities. */
export function parseMarkdownV2(text: string): MarkupCheck {
  const stack: Array<{ marker: string; at: number }> = [];
  let plain = '';
  let i = 0;
  const reserved = (ch: string, at: number): MarkupCheck => ({
    ok: false,
    description: `${PARSE}Character '${ch}' is reserved and must be escaped with the preceding '\\' at byte offset ${byteOffset(text, at)}`,
  });
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined || next.charCodeAt(0) > 126)
        return {
          ok: false,
          description: `${PARSE}Can't find end of the entity starting at byte offset ${byteOffset(text, i)}`,
        };
      plain += next;
      i += 2;
      continue;
    }
    if (c === '`') {
      const fence = text.startsWith('```', i) ? '```' : '`';
      let j = i + fence.length;
      let body = '';
      for (; j < text.length && !text.startsWith(fence, j); j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          j++;
          body += text[j];
          continue;
        }
        body += text[j];
      }
      if (j >= text.length)
        return {
          ok: false,
          description: `${PARSE}Can't find end of the entity starting at byte offset ${byteOffset(text, i)}`,
        };
      plain += body;
      i = j + fence.length;
      continue;
    }
    const marker = c === '_' && text[i + 1] === '_' ? '__' : c === '|' && text[i + 1] === '|' ? '||' : c;
    if (marker === '*' || marker === '_' || marker === '__' || marker === '~' || marker === '||' || marker === '[') {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.marker === marker && marker !== '[') stack.pop();
      else stack.push({ marker, at: i });
      i += marker.length;
      continue;
    }
    if (c === ']') {
      const top = stack[stack.length - 1];
      if (top?.marker !== '[' || text[i + 1] !== '(') return reserved(c, i);
      stack.pop();
      let j = i + 2;
      for (; j < text.length && text[j] !== ')'; j++) if (text[j] === '\\') j++;
      if (j >= text.length)
        return { ok: false, description: `${PARSE}Can't find end of a url at byte offset ${byteOffset(text, i + 2)}` };
      i = j + 1;
      continue;
    }
    if (MD_RESERVED.has(c)) return reserved(c, i);
    plain += c;
    i += 1;
  }
  const open = stack.pop();
  if (open !== undefined)
    return {
      ok: false,
      description: `${PARSE}Can't find end of the entity starting at byte offset ${byteOffset(text, open.at)}`,
    };
  return { ok: true, plain };
}
