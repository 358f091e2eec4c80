/**
 * multipart/form-data as the Telegram and Discord stand-ins receive uploads (telegraf's
 * multipart-stream, undici's FormData): parsed by the boundary from the Content-Type header, on
 * bytes, so a PNG part arrives exactly as sent. Malformed bodies throw with what was wrong; the
 * stand-ins answer those with 400 like the real servers.
 */
import { crc32, deflateSync } from 'node:zlib';

export interface FormPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

/** The boundary of a multipart/form-data Content-Type, or null for any other type. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (contentType === undefined || !/^multipart\/form-data\b/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (b === undefined || b.length === 0 || b.length > 70) throw new Error('multipart body without a valid boundary');
  return b;
}

function headerValue(headers: string, name: string): string | undefined {
  for (const line of headers.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name) return line.slice(i + 1).trim();
  }
  return undefined;
}

/** RFC 7578 parts in order. Throws on a missing closing delimiter or a part without a name. */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delim);
  if (at < 0) throw new Error('multipart body does not contain its boundary');
  for (;;) {
    at += delim.length;
    if (body.subarray(at, at + 2).toString('latin1') === '--') return parts;
    if (body.subarray(at, at + 2).toString('latin1') !== '\r\n') throw new Error('malformed multipart delimiter line');
    const headEnd = body.indexOf('\r\n\r\n', at + 2);
    if (headEnd < 0) throw new Error('multipart part without a header end');
    const headers = body.subarray(at + 2, headEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('multipart body without its closing boundary');
    const disposition = headerValue(headers, 'content-disposition') ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (!/^form-data\b/i.test(disposition) || name === undefined)
      throw new Error('multipart part without form-data name');
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    const contentType = headerValue(headers, 'content-type');
    parts.push({
      name,
      data: Buffer.from(body.subarray(headEnd + 4, next)),
      ...(filename !== undefined ? { filename } : {}),
      ...(contentType !== undefined ? { contentType } : {}),
    });
    at = next + 2;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG signature followed by an IHDR chunk: what both platforms' image checks look at first. */
export function isPng(data: Buffer): boolean {
  return (
    data.length > 24 && data.subarray(0, 8).equals(PNG_SIGNATURE) && data.subarray(12, 16).toString('latin1') === 'IHDR'
  );
}

/** Width and height from the IHDR chunk (call isPng first). */
export function pngSize(data: Buffer): { width: number; height: number } {
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid one-colour RGB PNG of any size, for upload tests that need no real chart. */
export function makePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height, 0x7f);
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
