/**
 * Keeps chain state in step with a ChainSource: appends linked blocks, backfills gaps, finds the
 * fork point of a reorg and replays the new branch (marking replaced heights as corrections),
 * and sends one evaluate job per block hash — plus, when a reorg brings back blocks already
 * evaluated (A→B→A), one correction job per such hash and reorg generation (`eval-<hash>-r<n>`),
 * so the rules see the returning branch again. Not concurrent: the watcher calls it serially.
 */
import type { Block, PricePoint } from '../domain/types.ts';
import type { Snapshot } from '../domain/snapshot-types.ts';
import type { SnapshotBuilderLike } from './snapshot-port.ts';
import type { ChainCursor, CommitEntry, CommitJob, TrackedJob } from '../store/chain-state.ts';
import { sendKey } from '../store/keys.ts';
import { evaluateJobId } from '../jobs/queues.ts';
import { HISTORY_REFILL_BLOCKS, historyLags, recordHistory } from './snapshot-history.ts';
import { ChainContextTracker } from '../domain/consensus.ts';
import { admitBlocks, BlockGate, DEFAULT_HOLD_LIMITS } from './block-gate.ts';
import { EVALUATE_JOB_OPTS, type ChainSyncDeps } from './chain-sync-deps.ts';

export type { SnapshotHistory } from './snapshot-history.ts';

export { EVALUATE_JOB_OPTS, type EvaluateQueue, type ChainSyncDeps } from './chain-sync-deps.ts';

const CHUNK = 150;

export class ChainSync {
  private builder: SnapshotBuilderLike | null = null;
  private cursor: ChainCursor | null = null;
  private correctUntil = -1;
  private historyUntil = -1;
  private price: PricePoint | null = null;
  private sent: TrackedJob[] = [];
  private loaded = false;
  /** The stored chain's tip, last 11 times and epoch start: what every new block is judged on. */
  private chain = new ChainContextTracker();
  private readonly gate: BlockGate;

  constructor(private readonly d: ChainSyncDeps) {
    this.gate = new BlockGate({
      logger: d.logger,
      metrics: d.metrics,
      now: d.now,
      authority: d.authority,
      signal: d.signal,
      limits: { ...DEFAULT_HOLD_LIMITS, ...d.holdLimits },
    });
  }

  /** When a held block (future time, node not agreeing yet) should be looked at again. */
  nextRecheckMs(): number | null {
    return this.gate.nextRecheckMs();
  }

  /** Judges again the held blocks that are due: taken, held on, or rejected; superseded ones go. */
  async recheckHeld(dueByMs?: number): Promise<void> {
    if (!this.loaded) await this.load();
    for (const b of this.gate.due(dueByMs)) {
      const c = this.cursor;
      if (c && b.height <= c.height) {
        this.gate.release(b.id); // taken meanwhile, or another block holds that height
        continue;
      }
      await this.onBlock(b);
      if (this.cursor?.hash === b.id) await this.sync(); // what came after it at the source
    }
  }

  get tip(): ChainCursor | null {
    return this.cursor;
  }

  setPrice(p: PricePoint): void {
    if (!this.price || p.timeSec >= this.price.timeSec) this.price = p;
  }

  /** Loads cursor and price, rebuilds the builder, and resends jobs a kill left pending. */
  async load(): Promise<void> {
    const s = this.d.state;
    this.cursor = await s.getCursor();
    this.correctUntil = await s.getCorrectUntil();
    this.historyUntil = await s.getHistoryUntil();
    await this.clearPassedMarks();
    const stored = await s.getPrice();
    if (stored) this.setPrice(stored);
    const history = this.d.history;
    const refill = history !== undefined && (await historyLags(history, this.cursor));
    const rebuilt = await this.rebuild(refill);
    if (history && refill && rebuilt.length > 0) {
      this.d.logger.info(
        { points: Math.min(rebuilt.length, HISTORY_REFILL_BLOCKS), to: this.cursor?.height },
        'chart history behind chain state: refilling it',
      );
      await recordHistory(history, rebuilt.slice(-HISTORY_REFILL_BLOCKS), this.d.logger);
    }
    const pending = await s.pendingJobs();
    for (const job of pending) await this.send(job);
    await this.flushSent();
    this.loaded = true;
  }

  /**
   * A live block: append if it links onto our tip (after the gate), else a full sync towards it.
   * A frame without a parent link is first confirmed over REST.
   */
  async onBlock(b: Block): Promise<void> {
    if (!this.loaded) await this.load();
    const c = this.cursor;
    if (c && b.height === c.height && b.id === c.hash) return;
    if (c && b.height === c.height + 1 && b.previousHash === c.hash) {
      await this.append([b], true);
      return;
    }
    if (c && b.height === c.height + 1 && b.previousHash === undefined) {
      await this.resolveUnlinked(b);
      return;
    }
    if (c && b.height < c.height && (await this.d.state.hashAt(b.height)) === b.id) return;
    await this.sync(b);
  }

  /** Brings state to the source's tip: cold start, fork repair, backfill; `hint` appended last. */
  async sync(hint?: Block): Promise<void> {
    if (!this.loaded) await this.load();
    const tip = await this.d.source.tipHeight(this.d.signal);
    if (!this.cursor) await this.coldStart(tip);
    else {
      const probe = Math.min(tip, this.cursor.height);
      const fork = await this.findFork(probe);
      if (!fork) {
        this.d.logger.error(
          { cursor: this.cursor, maxReorgDepth: this.d.maxReorgDepth },
          'no common ancestor within the reorg limit; resetting chain state',
        );
        await this.d.state.clear();
        this.cursor = null;
        this.chain.reset();
        this.correctUntil = -1;
        this.historyUntil = -1;
        await this.coldStart(tip);
      } else if (fork.height < probe) {
        // (fork at `probe` below our tip means the source merely lags: nothing to undo)
        await this.rollback(fork);
      }
      await this.forward(tip);
    }
    const c = this.cursor;
    if (hint && c && hint.height === c.height + 1 && hint.previousHash === c.hash) await this.append([hint], true);
  }

  /** Confirms sent jobs in Redis (normally folded into the next commit). */
  async flushSent(): Promise<void> {
    const sent = this.sent;
    this.sent = [];
    await this.d.state.markSent(sent);
  }

  /** Forces a rebuild from Redis before the next block (after a failed write). */
  invalidate(): void {
    this.loaded = false;
  }

  private async coldStart(tip: number): Promise<void> {
    const from = Math.max(0, tip - this.d.coldStartBlocks + 1);
    this.d.logger.info({ from, to: tip }, 'cold start: loading chain history');
    // Marked first, so a cold start cut short resumes as history, not as a storm of jobs.
    this.historyUntil = tip;
    await this.d.state.setHistoryUntil(tip);
    this.builder = this.d.builder.create();
    this.chain.reset();
    await this.forward(tip, from);
  }

  /**
   * A frame at the next height that names no parent: REST must confirm it (same hash there, with
   * its link). REST behind → held (bounded); REST has another block → the frame is dropped and
   * REST's chain followed.
   */
  private async resolveUnlinked(b: Block): Promise<void> {
    if (this.gate.judgeIntrinsic(b).kind === 'reject') return;
    const tip = await this.d.source.tipHeight(this.d.signal);
    if (tip < b.height) {
      this.gate.unconfirmed(b, `the websocket frame names no parent and ${this.d.source.name} REST is at ${tip}`);
      return;
    }
    const [confirmed] = await this.d.source.blocks(b.height, b.height, this.d.signal);
    this.gate.release(b.id);
    if (confirmed && confirmed.id === b.id) {
      if (confirmed.previousHash === undefined) await this.append([confirmed], true);
      else await this.onBlock(confirmed);
      return;
    }
    this.gate.reject(
      b,
      'unconfirmed',
      `block ${b.height} ${b.id}: the websocket frame names no parent and ${this.d.source.name} REST has ${confirmed?.id ?? 'nothing'} at that height`,
    );
    await this.sync();
  }

  private async forward(tip: number, coldFrom?: number): Promise<void> {
    const start = coldFrom ?? (this.cursor ? this.cursor.height + 1 : null);
    if (start === null || tip < start) return;
    const firstJob = Math.max(tip - this.d.maxCatchUpJobs + 1, this.historyUntil);
    if (tip - start > 0) this.d.logger.info({ from: start, to: tip, firstJob }, 'backfilling heights');
    for (let h = start; h <= tip; h += CHUNK) {
      const blocks = await this.d.source.blocks(h, Math.min(tip, h + CHUNK - 1), this.d.signal);
      if (!(await this.append(blocks, (b) => b.height >= firstJob))) return; // a block rejected or held: stop there
    }
  }

  /** Highest height ≤ `from` where the source and our state agree, or null beyond the limit. */
  private async findFork(from: number): Promise<ChainCursor | null> {
    const low = Math.max(0, from - this.d.maxReorgDepth);
    const stored = new Map((await this.d.state.getBlocks(low, from)).map((s) => [s.block.height, s.block.id]));
    const [first] = await this.d.source.blocks(from, from, this.d.signal);
    if (first && stored.get(from) === first.id) return { height: from, hash: first.id };
    for (let hi = from - 1; hi >= low; hi -= 15) {
      const page = await this.d.source.blocks(Math.max(low, hi - 14), hi, this.d.signal);
      for (const b of [...page].reverse()) {
        if (stored.get(b.height) === b.id) return { height: b.height, hash: b.id };
      }
    }
    return null;
  }

  private async rollback(fork: ChainCursor): Promise<void> {
    const old = this.cursor;
    if (!old) return;
    const depth = old.height - fork.height;
    this.d.logger.warn({ depth, fork, oldTip: old }, 'reorg: rolling back to the fork point and replaying');
    this.d.metrics.reorgs.inc({ source: this.d.source.name });
    this.d.metrics.reorgDepth.observe({ source: this.d.source.name }, depth);
    await this.d.state.rollback(fork, old.height);
    this.cursor = fork;
    this.correctUntil = Math.max(this.correctUntil, old.height);
    await this.rebuild();
  }

  /** Rebuilds the builder from stored blocks; returns the snapshots when `keep` (history refill). */
  private async rebuild(keep = false): Promise<Snapshot[]> {
    this.builder = this.d.builder.create();
    this.chain = new ChainContextTracker();
    const c = this.cursor;
    const out: Snapshot[] = [];
    if (!c) return out;
    const stored = await this.d.state.getBlocks(c.height - this.d.builder.requiredHistoryBlocks + 1, c.height);
    const resumeAt = await this.resumeDropState(c);
    for (const s of stored) {
      this.chain.accept(s.block); // stored blocks passed the gate (or predate it): trusted history
      const snap = this.builder.push(s.block, {
        nowSec: s.nowSec,
        price: s.price,
        source: this.d.source.name,
        correction: false,
      });
      if (keep) out.push(snap);
    }
    if (resumeAt !== null && this.builder.resumedAtHeight !== resumeAt)
      this.d.logger.warn(
        { checkpoint: resumeAt, tip: c.height },
        'builder checkpoint did not fit: the drop detector warmed up again',
      );
    return out;
  }

  /**
   * Hands the fresh builder the newest stored checkpoint at or below the tip, so its sequential
   * state (the drop detector's) continues exactly where the uninterrupted builder was (after a
   * restart, and after a reorg: checkpoints above the fork went with the rollback).
   */
  private async resumeDropState(c: ChainCursor): Promise<number | null> {
    const useful = this.d.builder.checkpointUsefulBlocks;
    if (useful === undefined || !this.builder?.resumeFrom) return null;
    const cp = await this.d.state.getCheckpoint(c.height - useful, c.height);
    if (cp) this.builder.resumeFrom(cp);
    else this.d.logger.info({ tip: c.height }, 'no builder checkpoint near the tip: the drop detector warms up again');
    return cp?.height ?? null;
  }

  /** Gate, snapshot and commit `blocks` (ascending, on the tip); false when the gate stopped it short. */
  private async append(all: readonly Block[], wantJob: boolean | ((b: Block) => boolean)): Promise<boolean> {
    if (all.length === 0) return true;
    const n = await admitBlocks(all, this.chain, this.gate, this.d.source, this.d.signal);
    const blocks = n === all.length ? all : all.slice(0, n);
    if (blocks.length === 0) return false;
    const builder = this.builder ?? (this.builder = this.d.builder.create());
    const nowSec = Math.floor(this.d.now() / 1000);
    const entries: CommitEntry[] = [];
    const snapshots: Snapshot[] = [];
    const committed: Snapshot[] = [];
    for (const b of blocks) {
      const correction = b.height <= this.correctUntil;
      const snapshot = builder.push(b, { nowSec, price: this.price, source: this.d.source.name, correction });
      const job = (typeof wantJob === 'function' ? wantJob(b) : wantJob)
        ? { height: b.height, hash: b.id, correction }
        : null;
      entries.push({
        stored: { block: b, price: this.price, nowSec },
        snapshot: job ? snapshot : null,
        job,
        checkpoint: builder.checkpoint?.() ?? null,
      });
      if (job) snapshots.push(snapshot);
      if (this.d.history) committed.push(snapshot);
    }
    let jobs: Array<CommitJob | null>;
    try {
      jobs = await this.d.state.commit(entries, this.sent);
    } catch (err) {
      this.loaded = false; // builder ran ahead of Redis: rebuild before the next block
      throw err;
    }
    this.sent = [];
    for (const b of blocks) this.chain.accept(b);
    const top = blocks[blocks.length - 1]!;
    const prevTop = this.cursor?.height ?? top.height;
    this.cursor = { height: top.height, hash: top.id };
    if (this.d.history && committed.length > 0) await recordHistory(this.d.history, committed, this.d.logger);
    for (const j of jobs) {
      if (!j) continue;
      if (j.already) this.sent.push(j.job);
      else await this.send(j.job);
    }
    await this.flushSent(); // after the jobs are in Redis: off the latency path
    const src = this.d.source.name;
    this.d.metrics.blocksSeen.inc({ source: src }, blocks.length);
    this.d.metrics.sourceLagSeconds.set({ source: src }, nowSec - top.timestamp);
    await this.clearPassedMarks();
    if (Math.floor(top.height / 144) !== Math.floor(prevTop / 144)) await this.d.state.prune(top.height);
    for (const s of snapshots) this.d.onSnapshot?.(s);
    return n === all.length;
  }

  /** Ends a cold start's history and a reorg's corrections once the tip is past them (also after a kill). */
  private async clearPassedMarks(): Promise<void> {
    const top = this.cursor?.height ?? -1;
    if (this.historyUntil >= 0 && top >= this.historyUntil) {
      this.historyUntil = -1;
      await this.d.state.clearHistoryUntil();
    }
    if (this.correctUntil >= 0 && top >= this.correctUntil) {
      this.correctUntil = -1;
      await this.d.state.clearCorrectUntil();
    }
  }

  private async send(t: TrackedJob): Promise<void> {
    const { resend, ...job } = t;
    if (resend !== undefined)
      this.d.logger.info(
        { height: job.height, hash: job.hash, generation: resend },
        'reorg: a block evaluated before is back on the main chain; re-evaluating it as a correction',
      );
    await this.d.queue.add('evaluate', job, { ...EVALUATE_JOB_OPTS, jobId: evaluateJobId(sendKey(job.hash, resend)) }); // eval-<hash>[-r<n>]
    this.d.metrics.evaluateJobsEnqueued.inc({ correction: String(job.correction) });
    this.sent.push(t);
  }
}
