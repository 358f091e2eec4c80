/**
 * File uploads as Discord takes them: multipart/form-data with the message JSON in `payload_json`
 * and the files as `files[n]`; `attachments[]` in the JSON name them by index, and an embed shows
 * one with `image.url = attachment://<filename>` — which must name a file of this very request.
 * Failures come back in Discord's shapes (50035 with nested errors, 40005 too large).
 */
import { isPng, pngSize, type FormPart } from '../multipart.ts';
import type { DiscordErrorBody } from './message-checks.ts';

/** One file as it was uploaded with a message. */
export interface UploadedFile {
  readonly index: number;
  readonly filename: string;
  readonly contentType: string | undefined;
  readonly data: Buffer;
  /** For PNGs (what embeds show): the picture's size. */
  readonly width?: number;
  readonly height?: number;
}

/** Discord's upload limit for a bot without boosts, and files per message. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 10;

const formError = (path: string, code: string, message: string): DiscordErrorBody => ({
  message: 'Invalid Form Body',
  code: 50035,
  errors: { [path]: { _errors: [{ code, message }] } },
});

/** The JSON body and the files of a multipart request, or the error Discord answers. */
export function readUploads(
  parts: readonly FormPart[],
): { body: Record<string, unknown>; files: UploadedFile[] } | { status: number; error: DiscordErrorBody } {
  let body: Record<string, unknown> = {};
  const files: UploadedFile[] = [];
  for (const p of parts) {
    if (p.name === 'payload_json') {
      try {
        body = JSON.parse(p.data.toString('utf8')) as Record<string, unknown>;
      } catch {
        return { status: 400, error: formError('payload_json', 'JSON_INVALID', 'Not valid JSON.') };
      }
      continue;
    }
    const m = /^files\[(\d+)\]$/.exec(p.name);
    if (m === null || p.filename === undefined)
      return { status: 400, error: formError(p.name, 'UNKNOWN_FIELD', 'Unknown form field or not a file.') };
    if (p.data.length > MAX_FILE_BYTES)
      return { status: 413, error: { message: 'Request entity too large', code: 40005 } };
    const size = isPng(p.data) ? pngSize(p.data) : {};
    files.push({ index: Number(m[1]), filename: p.filename, contentType: p.contentType, data: p.data, ...size });
  }
  if (files.length > MAX_FILES)
    return {
      status: 400,
      error: formError('files', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_FILES} or fewer in length.`),
    };
  return { body, files };
}

interface AttachmentRef {
  id?: unknown;
  filename?: unknown;
}
interface EmbedMedia {
  image?: { url?: unknown };
  thumbnail?: { url?: unknown };
}

/**
 * `attachments[]` must point at uploaded files by id, and every `attachment://name` in an embed
 * must name one of them (by the attachment's filename if given, else the upload's). null = fine.
 */
export function checkAttachmentRefs(
  body: Record<string, unknown>,
  files: readonly UploadedFile[],
): DiscordErrorBody | null {
  const names = new Map(files.map((f) => [f.filename, f]));
  const refs = (body['attachments'] ?? []) as AttachmentRef[];
  for (const [i, a] of refs.entries()) {
    const f = files.find((x) => String(x.index) === String(a.id));
    if (f === undefined) return formError(`attachments.${i}.id`, 'ATTACHMENT_NOT_FOUND', 'Attachment data not found');
    if (typeof a.filename === 'string') names.set(a.filename, f);
  }
  const embeds = (body['embeds'] ?? []) as EmbedMedia[];
  for (const [i, e] of embeds.entries()) {
    for (const key of ['image', 'thumbnail'] as const) {
      const url = e[key]?.url;
      if (typeof url !== 'string' || !url.startsWith('attachment://')) continue;
      if (!names.has(url.slice('attachment://'.length)))
        return formError(
          `embeds.${i}.${key}.url`,
          'URL_TYPE_INVALID_ATTACHMENT',
          'Not a well formed URL: no uploaded file is named so.',
        );
    }
  }
  return null;
}

/** The attachment objects Discord returns on the message (CDN URLs made up). */
export function attachmentJson(
  channelId: string,
  messageId: string,
  files: readonly UploadedFile[],
): Array<Record<string, unknown>> {
  return files.map((f) => {
    const url = `https://cdn.discordapp.test/attachments/${channelId}/${messageId}/${f.filename}`;
    return {
      id: `${messageId}${f.index}`,
      filename: f.filename,
      size: f.data.length,
      url,
      proxy_url: url,
      content_type: f.contentType,
      ...(f.width !== undefined ? { width: f.width, height: f.height } : {}),
    };
  });
}
