/**
 * Chain state in Redis: the recent main-chain blocks (enough to rebuild the snapshot builder),
 * the cursor, snapshots by hash (what evaluate jobs read), the latest price, and the bookkeeping
 * that makes each block's evaluate job go out exactly once. Every state change is one MULTI, so
 * a kill at any instant leaves either the old or the new state, never half of each.
 */
import type { RedisClient } from './connection.ts';
import type { Block, PricePoint } from '../domain/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { BuilderCheckpoint } from '../domain/snapshot-builder.ts';
import { chainKeys, sendKey, type ChainKeys } from './keys.ts';

/**
 * An evaluate job's payload as chain state records it (jobs/queues.ts validates the same shape on
 * the queue; declared here so the store does not import the job layer).
 */
export interface EvaluateJob {
  readonly height: number;
  readonly hash: string;
  readonly correction: boolean;
}

/** A block as stored, with the inputs its snapshot used, so a rebuild reproduces it exactly. */
export interface StoredBlock {
  readonly block: Block;
  readonly price: PricePoint | null;
  readonly nowSec: number;
}

export interface ChainCursor {
  readonly height: number;
  readonly hash: string;
}

/**
 * An evaluate job as chain state tracks it. `resend` is set when the block's hash was already
 * evaluated and a reorg brought it back: the reorg generation that names this re-evaluation
 * (job id `eval-<hash>-r<n>`). The queue payload is the EvaluateJob part only.
 */
export type TrackedJob = EvaluateJob & { readonly resend?: number };

/** What a commit decided for one entry's job: send it now, or it went out before (`already`). */
export interface CommitJob {
  readonly job: TrackedJob;
  readonly already: boolean;
}

export interface CommitEntry {
  readonly stored: StoredBlock;
  /** null for history loaded only to warm the builder (no snapshot, no job). */
  readonly snapshot: Snapshot | null;
  /** Evaluate job to record as pending (sent after the commit). */
  readonly job: EvaluateJob | null;
  /** The builder's state after this block, when it offers one (kept like the blocks). */
  readonly checkpoint?: BuilderCheckpoint | null;
}

export interface ChainStateOptions {
  readonly prefix?: string;
  /** Blocks kept below the tip (≥ the builder's history + the deepest reorg we repair). */
  readonly keepBlocks: number;
  /** Snapshot heights kept below the tip (evaluate jobs and status reads). */
  readonly keepSnapshots?: number;
  /** Checkpoint heights kept below the tip (default 2,016: deeper ones no rebuild can use). */
  readonly keepCheckpoints?: number;
}

export class RedisChainState {
  readonly keys: ChainKeys;
  private readonly keepSnapshots: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly opts: ChainStateOptions,
  ) {
    this.keys = chainKeys(opts.prefix ?? 'hb:');
    this.keepSnapshots = opts.keepSnapshots ?? 2016;
  }

  async getCursor(): Promise<ChainCursor | null> {
    const raw = await this.redis.get(this.keys.cursor);
    return raw ? (JSON.parse(raw) as ChainCursor) : null;
  }

  /** Stored blocks with from ≤ height ≤ to, ascending. */
  async getBlocks(fromHeight: number, toHeight: number): Promise<StoredBlock[]> {
    const raw = await this.redis.zrangebyscore(this.keys.blocks, fromHeight, toHeight);
    return raw.map((r) => JSON.parse(r) as StoredBlock).sort((a, b) => a.block.height - b.block.height);
  }

  async hashAt(height: number): Promise<string | null> {
    const [b] = await this.getBlocks(height, height);
    return b?.block.id ?? null;
  }

  /** The snapshot an evaluate job names (by block hash); null if pruned or never made. */
  async getSnapshot(hash: string): Promise<Snapshot | null> {
    const raw = await this.redis.hget(this.keys.snapshots, hash);
    return raw ? (JSON.parse(raw) as Snapshot) : null;
  }

  /** SnapshotReader (src/alerting/ports.ts): the snapshot of exactly this block. */
  async byBlock(height: number, hash: string): Promise<Snapshot | null> {
    const s = await this.getSnapshot(hash);
    return s && s.height === height ? s : null;
  }

  /** SnapshotReader: the snapshot of the current tip. */
  latest(): Promise<Snapshot | null> {
    return this.getLatestSnapshot();
  }

  async getLatestSnapshot(): Promise<Snapshot | null> {
    const cursor = await this.getCursor();
    return cursor ? this.getSnapshot(cursor.hash) : null;
  }

  async getPrice(): Promise<PricePoint | null> {
    const raw = await this.redis.get(this.keys.price);
    return raw ? (JSON.parse(raw) as PricePoint) : null;
  }

  async setPrice(p: PricePoint): Promise<void> {
    await this.redis.set(this.keys.price, JSON.stringify(p));
  }

  /** Heights ≤ this are replays of a reorg in progress (their snapshots are corrections). */
  async getCorrectUntil(): Promise<number> {
    const raw = await this.redis.get(this.keys.correctUntil);
    return raw === null ? -1 : Number(raw);
  }

  /** Height a cold start is loading history up to; -1 when none. */
  async getHistoryUntil(): Promise<number> {
    const raw = await this.redis.get(this.keys.historyUntil);
    return raw === null ? -1 : Number(raw);
  }

  async setHistoryUntil(height: number): Promise<void> {
    await this.redis.set(this.keys.historyUntil, String(height));
  }

  /** Whether this hash's evaluate job (of generation `resend`, or its first one) went out. */
  async isEnqueued(hash: string, resend?: number): Promise<boolean> {
    return (await this.redis.zscore(this.keys.enqueued, sendKey(hash, resend))) !== null;
  }

  /** Current reorg generation (0 before the first rollback). */
  async getGeneration(): Promise<number> {
    return Number((await this.redis.get(this.keys.generation)) ?? 0);
  }

  /** Jobs stored but not confirmed sent (a kill between commit and add): send them again. */
  async pendingJobs(): Promise<TrackedJob[]> {
    const raw = await this.redis.hvals(this.keys.pending);
    return raw.map((r) => JSON.parse(r) as TrackedJob).sort((a, b) => a.height - b.height);
  }

  /**
   * Appends blocks on top of the cursor in one MULTI: blocks, snapshots, pending jobs, the new
   * cursor, trimming, and confirmations of jobs sent since the last commit (`sent`). Returns, per
   * entry with a job, the job to send and whether it went out before (then the caller must not
   * send it). A correction of a hash already sent becomes a resend of the current reorg
   * generation, recorded as pending in the same MULTI, so a kill neither loses nor repeats it.
   */
  async commit(entries: readonly CommitEntry[], sent: readonly TrackedJob[] = []): Promise<Array<CommitJob | null>> {
    const last = entries.at(-1);
    if (!last) return [];
    const k = this.keys;
    const corrections = await this.trackCorrections(entries);
    const m = this.redis.multi();
    this.addSent(m, sent);
    for (const e of entries) {
      const b = e.stored.block;
      m.zremrangebyscore(k.blocks, b.height, b.height);
      m.zadd(k.blocks, b.height, JSON.stringify(e.stored));
      if (e.snapshot) {
        m.hset(k.snapshots, b.id, JSON.stringify(e.snapshot));
        m.zadd(k.snapshotIndex, b.height, b.id);
      }
      const c = corrections.get(e);
      if (c) {
        if (!c.already) m.hset(k.pending, sendKey(b.id, c.job.resend), JSON.stringify(c.job));
      } else if (e.job) m.hset(k.pending, b.id, JSON.stringify(e.job));
    }
    const top = last.stored.block;
    m.zremrangebyscore(k.blocks, '-inf', top.height - this.opts.keepBlocks);
    this.addCheckpoints(m, entries, top.height);
    m.set(k.cursor, JSON.stringify({ height: top.height, hash: top.id } satisfies ChainCursor));
    for (const e of entries) m.zscore(k.enqueued, e.stored.block.id);
    const res = await m.exec();
    if (!res) throw new Error('chain-state commit aborted');
    for (const [err] of res) if (err) throw err;
    const scores = res.slice(res.length - entries.length);
    return entries.map((e, i) => {
      if (!e.job) return null;
      return corrections.get(e) ?? { job: e.job, already: scores[i]![1] !== null };
    });
  }

  /**
   * Decides, before the MULTI, the job of each correction entry: the block's first job if its hash
   * never went out, else a resend of the current reorg generation (already sent if that one went
   * out). Read outside the MULTI: chain state has a single, serial writer (the watcher).
   */
  private async trackCorrections(entries: readonly CommitEntry[]): Promise<Map<CommitEntry, CommitJob>> {
    const out = new Map<CommitEntry, CommitJob>();
    const fixes = entries.filter((e) => e.job?.correction);
    if (fixes.length === 0) return out;
    const read = this.redis.pipeline();
    read.get(this.keys.generation);
    for (const e of fixes)
      read.zscore(this.keys.enqueued, e.stored.block.id).hexists(this.keys.pending, e.stored.block.id);
    const res = await read.exec();
    if (!res) throw new Error('chain-state read aborted');
    for (const [err] of res) if (err) throw err;
    const generation = Number(res[0]![1] ?? 0);
    const again = fixes.filter((_, i) => res[1 + 2 * i]![1] !== null || res[2 + 2 * i]![1] === 1);
    const seen =
      again.length === 0
        ? []
        : await this.redis.zmscore(this.keys.enqueued, ...again.map((e) => sendKey(e.stored.block.id, generation)));
    for (const e of fixes) {
      const i = again.indexOf(e);
      out.set(
        e,
        i < 0 ? { job: e.job!, already: false } : { job: { ...e.job!, resend: generation }, already: seen[i] !== null },
      );
    }
    return out;
  }

  /** Records jobs as sent: out of pending, into the enqueued set (also done lazily by commit). */
  async markSent(sent: readonly TrackedJob[]): Promise<void> {
    if (sent.length === 0) return;
    const m = this.redis.multi();
    this.addSent(m, sent);
    await m.exec();
  }

  /**
   * Rolls the chain back to the fork point in one MULTI: blocks above it go, the cursor moves,
   * heights up to the old tip are marked as corrections until the replay passes them, and the
   * reorg generation moves on (it names re-evaluations of hashes a later replay brings back).
   */
  async rollback(fork: ChainCursor, oldTipHeight: number): Promise<void> {
    const current = await this.getCorrectUntil();
    const m = this.redis.multi();
    m.zremrangebyscore(this.keys.blocks, `(${fork.height}`, '+inf');
    m.zremrangebyscore(this.keys.checkpoints, `(${fork.height}`, '+inf');
    m.set(this.keys.cursor, JSON.stringify(fork));
    m.set(this.keys.correctUntil, String(Math.max(current, oldTipHeight)));
    m.incr(this.keys.generation);
    const res = await m.exec();
    if (!res) throw new Error('chain-state rollback aborted');
  }

  /**
   * The newest builder checkpoint with from ≤ height ≤ to (a rebuild resumes from it); null when
   * none is stored or it does not parse.
   */
  async getCheckpoint(fromHeight: number, toHeight: number): Promise<BuilderCheckpoint | null> {
    const [raw] = await this.redis.zrevrangebyscore(this.keys.checkpoints, toHeight, fromHeight, 'LIMIT', 0, 1);
    if (raw === undefined) return null;
    try {
      return JSON.parse(raw) as BuilderCheckpoint;
    } catch {
      return null;
    }
  }

  /** In a commit's MULTI: the entries' checkpoints (one per height), and the old ones out. */
  private addCheckpoints(m: ReturnType<RedisClient['multi']>, entries: readonly CommitEntry[], top: number): void {
    const k = this.keys.checkpoints;
    for (const e of entries) {
      if (!e.checkpoint) continue;
      m.zremrangebyscore(k, e.checkpoint.height, e.checkpoint.height);
      m.zadd(k, e.checkpoint.height, JSON.stringify(e.checkpoint));
    }
    m.zremrangebyscore(k, '-inf', `(${top - (this.opts.keepCheckpoints ?? 2_016)}`);
  }

  async clearCorrectUntil(): Promise<void> {
    await this.redis.del(this.keys.correctUntil);
  }

  async clearHistoryUntil(): Promise<void> {
    await this.redis.del(this.keys.historyUntil);
  }

  /** Drops snapshots and enqueued marks far below the tip (housekeeping; not atomic-critical). */
  async prune(tipHeight: number): Promise<void> {
    const below = tipHeight - this.keepSnapshots;
    const old = await this.redis.zrangebyscore(this.keys.snapshotIndex, '-inf', below);
    const m = this.redis.multi();
    if (old.length > 0) m.hdel(this.keys.snapshots, ...old);
    m.zremrangebyscore(this.keys.snapshotIndex, '-inf', below);
    m.zremrangebyscore(this.keys.enqueued, '-inf', below);
    await m.exec();
  }

  /** Deletes all chain state under this prefix (tests; a reset after an unrepairable fork). */
  async clear(): Promise<void> {
    await this.redis.del(...Object.values(this.keys));
  }

  private addSent(m: ReturnType<RedisClient['multi']>, sent: readonly TrackedJob[]): void {
    for (const j of sent) {
      const key = sendKey(j.hash, j.resend);
      m.zadd(this.keys.enqueued, j.height, key);
      m.hdel(this.keys.pending, key);
    }
  }
}
