/**
 * sendPhoto's checks for the Telegram stand-in: the uploaded `photo` part (PNG signature, ≤ 10 MB,
 * sides summing to ≤ 10,000 px with a ratio ≤ 20, as the Bot API states for photos) and the
 * caption (entities parsed like a text, ≤ 1,024 characters after parsing).
 */
import type { FormPart } from './multipart.ts';
import { isPng, pngSize } from './multipart.ts';
import { parseHtml, parseMarkdownV2, type MarkupCheck, type ParseMode } from './telegram-markup.ts';

/** The picture of an accepted sendPhoto, as uploaded. */
export interface SentPhoto {
  readonly filename: string;
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Telegram's limit for photos uploaded with multipart/form-data. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
export const MAX_CAPTION = 1024;

/** The accepted picture, or the status and description Telegram would answer. */
export function checkPhotoUpload(
  part: FormPart | undefined,
  param: unknown,
): SentPhoto | { status: number; description: string } {
  if (part === undefined) {
    return typeof param === 'string'
      ? { status: 400, description: "Bad Request: wrong remote file identifier specified: can't unserialize it" }
      : { status: 400, description: 'Bad Request: there is no photo in the request' };
  }
  if (part.data.length > MAX_PHOTO_BYTES) return { status: 413, description: 'Request Entity Too Large' };
  if (!isPng(part.data)) return { status: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' };
  const { width, height } = pngSize(part.data);
  if (width < 1 || height < 1 || width + height > 10_000 || Math.max(width, height) > 20 * Math.min(width, height)) {
    return { status: 400, description: 'Bad Request: PHOTO_INVALID_DIMENSIONS' };
  }
  return { filename: part.filename ?? 'photo', data: part.data, width, height };
}

/** A caption: optional, entities as in texts, ≤ 1,024 characters after parsing. */
export function checkCaption(caption: string, mode: ParseMode): MarkupCheck {
  const parsed =
    mode === 'HTML'
      ? parseHtml(caption)
      : mode === 'MarkdownV2'
        ? parseMarkdownV2(caption)
        : { ok: true as const, plain: caption };
  if (parsed.ok && parsed.plain.length > MAX_CAPTION)
    return { ok: false, description: 'Bad Request: message caption is too long' };
  return parsed;
}
