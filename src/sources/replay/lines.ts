/**
 * Shared JSON Lines plumbing for the replay readers: strict UTF-8 decoding (a corrupt file is an
 * error with the line where it breaks, not mojibake) and per-line JSON parsing with line numbers.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { ReplayFileError } from './errors.ts';

/** Reads a whole file as strict UTF-8; missing/unreadable/corrupt files become ReplayFileError. */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? 'error'})`;
    throw new ReplayFileError(path, 0, reason);
  }
  return decodeUtf8(bytes, path);
}

/** Strict UTF-8 decode; on failure names the line of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // Name the line holding the first invalid byte.
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      if (!isUtf8(bytes.subarray(start, i)))
        throw new ReplayFileError(file, line, 'not valid UTF-8 text (corrupt or binary file)');
      line++;
      start = i + 1;
    }
  }
  throw new ReplayFileError(file, 0, 'not valid UTF-8 text (corrupt or binary file)');
}

/**
 * Calls `onLine(value, lineNo)` for every non-blank line's parsed JSON. Blank lines (including a
 * trailing newline) are skipped; a line that is not JSON throws with its number.
 */
export function forEachJsonLine(text: string, file: string, onLine: (value: unknown, line: number) => void): void {
  let start = 0;
  let lineNo = 0;
  const n = text.length;
  while (start <= n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    lineNo++;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    // '{' first (every well-formed line) is surely not blank; only odd lines pay for a trim.
    if (raw.charCodeAt(0) === 123 || raw.trim() !== '') {
      if (raw.charCodeAt(0) === 0xfeff && lineNo === 1)
        throw new ReplayFileError(file, 1, 'starts with a byte-order mark; save the file as plain UTF-8');
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (e) {
        throw new ReplayFileError(file, lineNo, `not valid JSON (${(e as Error).message.split('\n')[0]})`);
      }
      onLine(value, lineNo);
    }
    start = end + 1;
  }
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
