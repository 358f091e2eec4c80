/**
 * The Bot API stand-in's HTTP plumbing: Telegram's error bodies and failure kinds, the reply
 * envelope, and request parameters from a query string or a JSON, urlencoded or multipart body
 * (uploaded files kept apart, as bytes).
 */
import type http from 'node:http';
import { multipartBoundary, parseMultipart, type FormPart } from './multipart.ts';

export type Json = Record<string, unknown>;

export type Failure =
  | { kind: 'blocked' | 'kicked' | 'deactivated' | 'chat-not-found' | 'server-error' }
  | { kind: 'rate-limit'; retryAfterSec: number }
  | { kind: 'migrate'; toChatId: number };

export interface ApiError {
  status: number;
  description: string;
  parameters?: Json;
}

export const err = (status: number, description: string, parameters?: Json): ApiError =>
  parameters === undefined ? { status, description } : { status, description, parameters };

export function failureError(f: Failure): ApiError {
  switch (f.kind) {
    case 'blocked':
      return err(403, 'Forbidden: bot was blocked by the user');
    case 'kicked':
      return err(403, 'Forbidden: bot was kicked from the group chat');
    case 'deactivated':
      return err(403, 'Forbidden: user is deactivated');
    case 'chat-not-found':
      return err(400, 'Bad Request: chat not found');
    case 'server-error':
      return err(502, 'Bad Gateway');
    case 'rate-limit':
      return err(429, `Too Many Requests: retry after ${f.retryAfterSec}`, { retry_after: f.retryAfterSec });
    case 'migrate':
      return err(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: f.toChatId });
  }
}

export const isApiError = (r: unknown): r is ApiError =>
  typeof r === 'object' && r !== null && 'status' in r && 'description' in r;

export function reply(res: http.ServerResponse, r: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const body = isApiError(r)
    ? {
        ok: false,
        error_code: r.status,
        description: r.description,
        ...(r.parameters !== undefined ? { parameters: r.parameters } : {}),
      }
    : { ok: true, result: r };
  res.writeHead(isApiError(r) ? r.status : 200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Bot API parameters from the query string, a JSON, urlencoded or multipart body (files apart). */
export async function readParams(
  req: http.IncomingMessage,
  url: URL,
): Promise<{ params: Json; files: Map<string, FormPart> }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const raw = body.toString('utf8');
  const params: Json = {};
  const files = new Map<string, FormPart>();
  const fromPairs = (sp: URLSearchParams): void => {
    for (const [k, v] of sp) {
      if (k === 'text' || k === 'caption') {
        params[k] = v;
        continue;
      }
      try {
        params[k] = /^[[{]|^-?\d+$|^(true|false)$/.test(v) ? JSON.parse(v) : v;
      } catch {
        params[k] = v;
      }
    }
  };
  fromPairs(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (raw.length > 0 && type.includes('application/json')) Object.assign(params, JSON.parse(raw) as Json);
  else if (raw.length > 0 && type.includes('application/x-www-form-urlencoded')) fromPairs(new URLSearchParams(raw));
  const boundary = multipartBoundary(type);
  if (boundary !== null) {
    const sp = new URLSearchParams();
    for (const part of parseMultipart(body, boundary)) {
      if (part.filename !== undefined) files.set(part.name, part);
      else sp.append(part.name, part.data.toString('utf8'));
    }
    fromPairs(sp);
    for (const [name, part] of files) params[name] = { filename: part.filename, bytes: part.data.length };
  }
  return { params, files };
}
