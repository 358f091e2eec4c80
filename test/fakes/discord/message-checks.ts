/**
 * Server-side message validation as Discord does it (discord.js checks none of the totals):
 * content ≤ 2000, ≤ 10 embeds, per-embed field limits, 6000 characters over all embeds, and
 * "Cannot send an empty message". Failures come back in Discord's 50035 shape with nested errors.
 */

export interface DiscordErrorBody {
  readonly message: string;
  readonly code: number;
  readonly errors?: Record<string, unknown>;
}

interface EmbedLike {
  title?: string;
  description?: string;
  fields?: Array<{ name?: string; value?: string }>;
  footer?: { text?: string };
  author?: { name?: string };
}

export interface MessageBody {
  content?: string;
  embeds?: EmbedLike[];
}

const maxLen = (max: number) => ({
  _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }],
});

function setPath(errors: Record<string, unknown>, path: Array<string | number>, leaf: unknown): void {
  let node = errors as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const k = String(key);
    node[k] ??= {};
    node = node[k] as Record<string, unknown>;
  }
  node[String(path[path.length - 1])] = leaf;
}

/** Text length as Discord counts it (UTF-16 code units is close enough for a stand-in). */
const len = (s: string | undefined): number => (s ?? '').length;

/** Characters of one embed that count toward the 6000 total. */
export function embedChars(e: EmbedLike): number {
  let n = len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  for (const f of e.fields ?? []) n += len(f.name) + len(f.value);
  return n;
}

/** Returns null when Discord would accept the message, else the 400 body. */
export function checkMessage(body: MessageBody): DiscordErrorBody | null {
  const embeds = body.embeds ?? [];
  const content = body.content ?? '';
  if (content.length === 0 && embeds.length === 0) return { message: 'Cannot send an empty message', code: 50006 };
  const errors: Record<string, unknown> = {};
  if (content.length > 2000) setPath(errors, ['content'], maxLen(2000));
  if (embeds.length > 10) setPath(errors, ['embeds'], maxLen(10));
  let total = 0;
  embeds.forEach((e, i) => {
    total += embedChars(e);
    if (len(e.title) > 256) setPath(errors, ['embeds', i, 'title'], maxLen(256));
    if (len(e.description) > 4096) setPath(errors, ['embeds', i, 'description'], maxLen(4096));
    if (len(e.footer?.text) > 2048) setPath(errors, ['embeds', i, 'footer', 'text'], maxLen(2048));
    if (len(e.author?.name) > 256) setPath(errors, ['embeds', i, 'author', 'name'], maxLen(256));
    const fields = e.fields ?? [];
    if (fields.length > 25) setPath(errors, ['embeds', i, 'fields'], maxLen(25));
    fields.forEach((f, j) => {
      if (len(f.name) > 256) setPath(errors, ['embeds', i, 'fields', j, 'name'], maxLen(256));
      if (len(f.value) > 1024) setPath(errors, ['embeds', i, 'fields', j, 'value'], maxLen(1024));
      if (len(f.name) === 0 || len(f.value) === 0) {
        setPath(errors, ['embeds', i, 'fields', j, len(f.name) === 0 ? 'name' : 'value'], {
          _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }],
        });
      }
    });
  });
  if (total > 6000)
    setPath(errors, ['embeds'], {
      _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }],
    });
  return Object.keys(errors).length === 0 ? null : { message: 'Invalid Form Body', code: 50035, errors };
}
