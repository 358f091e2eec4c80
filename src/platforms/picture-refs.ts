/**
 * One upload per picture (issue 14.4). The first delivery of a chart uploads the PNG; the
 * platform's answer names where the picture now lives (Telegram: the photo's `file_id`; Discord:
 * the attachment's CDN URL), and every other recipient of the same picture sends that reference
 * instead of the bytes. References live in Redis with a TTL, so every notifier process shares
 * them, and an upload in progress is announced by a short lock, so concurrent deliveries of a
 * mass firing wait a moment for the first upload rather than all uploading at once.
 *
 * Safe when the first upload fails: a reference is stored only after an upload succeeded; a
 * failed upload releases the lock, so the next delivery uploads; a reference the platform refuses
 * (expired, unknown) is forgotten and that delivery uploads again. Everything here is an
 * optimisation: a Redis error only means "upload". The Redis implementation is
 * store/redis-picture-refs.ts (platforms do not touch the store; app/ wires it in).
 */

/** Where uploaded pictures can be found again, shared by the notifier processes of one platform. */
export interface PictureRefs {
  get(pictureKey: string): Promise<string | null>;
  /** Try to become the one uploading this picture (a lock for `ttlMs`); false: someone else is. */
  claim(pictureKey: string, ttlMs: number): Promise<boolean>;
  /** The upload succeeded: remember where the picture is, and let the waiters use it. */
  put(pictureKey: string, ref: string, ttlSec: number): Promise<void>;
  /** The upload failed, or the platform refused the reference: forget both, the next one uploads. */
  drop(pictureKey: string): Promise<void>;
}

/** How long a reference is used (Telegram file_ids last; Discord CDN URLs are signed for ~24 h). */
export const PICTURE_REF_TTL_SEC = 3600;
/** How long an upload may hold the lock (a sendPhoto of ~80 KB takes well under a second). */
const LOCK_MS = 20_000;
/** How long a delivery waits for someone else's upload before uploading itself. */
const WAIT_MS = 10_000;
const POLL_MS = 25;

/** Process-local PictureRefs (the default when no Redis is given: reuse within one process). */
export class MemoryPictureRefs implements PictureRefs {
  private readonly refs = new Map<string, { ref: string; untilMs: number }>();
  private readonly locks = new Map<string, number>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  async get(k: string): Promise<string | null> {
    const e = this.refs.get(k);
    if (e === undefined || e.untilMs <= this.nowMs()) return null;
    return e.ref;
  }

  async claim(k: string, ttlMs: number): Promise<boolean> {
    const until = this.locks.get(k);
    if (until !== undefined && until > this.nowMs()) return false;
    this.locks.set(k, this.nowMs() + ttlMs);
    return true;
  }

  async put(k: string, ref: string, ttlSec: number): Promise<void> {
    if (this.refs.size > 1000) this.refs.clear(); // a few pictures per block; never unbounded
    this.refs.set(k, { ref, untilMs: this.nowMs() + ttlSec * 1000 });
    this.locks.delete(k);
  }

  async drop(k: string): Promise<void> {
    this.refs.delete(k);
    this.locks.delete(k);
  }
}

/** One delivery of a picture: by reference when one is known, else by upload. */
export interface PictureSend<T> {
  /** Sends the message with the picture by reference. */
  reuse(ref: string): Promise<T>;
  /** Sends the message with the picture uploaded; `ref` is where the platform put it (null: unknown). */
  upload(): Promise<{ result: T; ref: string | null; ttlSec?: number }>;
  /** The platform refused the reference itself (nothing was sent): forget it and upload. */
  isStaleRef(e: unknown): boolean;
}

interface WarnLog {
  warn(obj: object, msg: string): void;
}

/** What one delivery did with its picture (the benches and tests count these). */
export type PictureOutcome = 'reused' | 'uploaded';

/**
 * Sends one message carrying picture `pictureKey`, uploading it only when no one has (or is about
 * to). Every failure of the reference store is swallowed (the picture is then uploaded).
 */
export async function sendPicture<T>(
  refs: PictureRefs,
  pictureKey: string,
  send: PictureSend<T>,
  log?: WarnLog,
  opts: { waitMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<{ result: T; outcome: PictureOutcome }> {
  const safe = async <R>(what: string, p: () => Promise<R>, fallback: R): Promise<R> => {
    try {
      return await p();
    } catch (e) {
      log?.warn({ pictureKey, err: e instanceof Error ? e.message : String(e) }, `picture reference ${what} failed`);
      return fallback;
    }
  };
  const byRef = async (ref: string): Promise<{ result: T; outcome: PictureOutcome } | null> => {
    try {
      return { result: await send.reuse(ref), outcome: 'reused' };
    } catch (e) {
      if (!send.isStaleRef(e)) throw e;
      log?.warn({ pictureKey }, 'the platform refused a stored picture reference; uploading again');
      await safe('drop', () => refs.drop(pictureKey), undefined);
      return null;
    }
  };
  const known = await safe('read', () => refs.get(pictureKey), null);
  if (known !== null) {
    const done = await byRef(known);
    if (done !== null) return done;
  }
  /**
   * Claims the upload, or finds the ref after all: an upload may finish between a read and a
   * claim (its ref written, its lock gone), so a won claim reads once more before uploading.
   */
  const claimOrRef = async (): Promise<'claimed' | 'busy' | { result: T; outcome: PictureOutcome }> => {
    if (!(await safe('claim', () => refs.claim(pictureKey, LOCK_MS), true))) return 'busy';
    const late = await safe('read', () => refs.get(pictureKey), null);
    return late === null ? 'claimed' : ((await byRef(late)) ?? 'claimed');
  };
  let claim = await claimOrRef();
  if (claim === 'busy') {
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = Date.now() + (opts.waitMs ?? WAIT_MS);
    while (claim === 'busy' && Date.now() < deadline) {
      await sleep(POLL_MS);
      const ref = await safe('read', () => refs.get(pictureKey), null);
      if (ref !== null) {
        const done = await byRef(ref);
        if (done !== null) return done;
        break;
      }
      // The uploader failed and let go: this delivery takes over.
      claim = await claimOrRef();
    }
  }
  if (typeof claim === 'object') return claim;
  const claimed = claim === 'claimed';
  try {
    const { result, ref, ttlSec } = await send.upload();
    if (ref !== null) await safe('write', () => refs.put(pictureKey, ref, ttlSec ?? PICTURE_REF_TTL_SEC), undefined);
    else if (claimed) await safe('release', () => refs.drop(pictureKey), undefined);
    return { result, outcome: 'uploaded' };
  } catch (e) {
    if (claimed) await safe('release', () => refs.drop(pictureKey), undefined);
    throw e;
  }
}
