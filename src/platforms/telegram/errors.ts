/**
 * Telegram failures → DeliveryError kinds (DESIGN.md style 4). Telegram says `error_code` may
 * change, so we match code plus description. Messages are redacted: node-fetch errors quote the
 * request URL, which contains the bot token.
 */
import { DeliveryError } from '../../alerting/ports.ts';
import { redactSecrets } from '../../observability/logger.ts';

/** The parts of telegraf's TelegramError we rely on (duck-typed, so tests need no telegraf). */
interface TelegramErrorLike {
  readonly response: {
    readonly error_code: number;
    readonly description: string;
    readonly parameters?: { readonly retry_after?: number; readonly migrate_to_chat_id?: number };
  };
}

export function isTelegramError(e: unknown): e is TelegramErrorLike {
  const r = (e as { response?: { error_code?: unknown; description?: unknown } } | null)?.response;
  return typeof r === 'object' && r !== null && typeof r.error_code === 'number' && typeof r.description === 'string';
}

/** Entity, length and empty-text refusals: our rendering is wrong, retrying cannot help. */
export function isRenderingBug(e: unknown): boolean {
  return (
    isTelegramError(e) &&
    e.response.error_code === 400 &&
    /can't parse entities|message is too long|message text is empty/i.test(e.response.description)
  );
}

/**
 * The picture or its caption was refused (bad image, too big, caption over 1,024): nothing was
 * sent, and the same text without the photo will be accepted.
 */
export function isPhotoRefused(e: unknown): boolean {
  if (!isTelegramError(e)) return false;
  const { error_code: status, description } = e.response;
  return (
    status === 413 ||
    (status === 400 &&
      /IMAGE_PROCESS_FAILED|PHOTO_|wrong (remote )?file|file is too big|there is no photo|caption is too long|failed to get HTTP URL content/i.test(
        description,
      ))
  );
}

const PERMANENT_400 =
  /chat not found|PEER_ID_INVALID|user not found|not enough rights|have no rights|CHAT_WRITE_FORBIDDEN|CHAT_RESTRICTED|need administrator rights|upgraded to a supergroup|migrated/i;

/** Classifies any error thrown while sending to `chatId`. */
export function classifyTelegramError(e: unknown, chatId: string): DeliveryError {
  if (e instanceof DeliveryError) return e;
  if (!isTelegramError(e)) {
    const msg = redactSecrets(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    return new DeliveryError('retryable', `sending to Telegram chat ${chatId} failed: ${msg}`, {
      platform: 'telegram',
    });
  }
  const { error_code: status, description, parameters } = e.response;
  const base = { platform: 'telegram' as const, status, code: status };
  const what = `Telegram chat ${chatId}: ${status} ${redactSecrets(description)}`;
  if (status === 429) {
    return new DeliveryError('rate-limited', what, {
      ...base,
      retryAfterMs: Math.max(1, parameters?.retry_after ?? 5) * 1000,
    });
  }
  if (parameters?.migrate_to_chat_id !== undefined) {
    return new DeliveryError('permanent', what, { ...base, migrateToId: String(parameters.migrate_to_chat_id) });
  }
  if (status === 403) return new DeliveryError('permanent', what, base);
  if (status === 400 && (PERMANENT_400.test(description) || isRenderingBug(e)))
    return new DeliveryError('permanent', what, base);
  // 401/404 mean a wrong token or API root: every chat would fail, so never deactivate on them.
  return new DeliveryError('retryable', what, base);
}
