/**
 * The watcher's gate in front of chain state: every block, from any source path (websocket frame,
 * REST backfill, Bitcoin Core, a resync), is judged by the node's header rules
 * (src/domain/consensus.ts) against the stored chain before it is stored, snapshotted, charted or
 * evaluated. An invalid block is logged once with its reason and counted
 * (`hashbell_blocks_rejected_total{reason}`); the caller simply does not take it and keeps
 * following the valid chain.
 *
 * Some blocks are held rather than judged at once, as a node would:
 * - a header up to `futureHoldMs` beyond the 2-hour limit waits until it is no longer in the
 *   future and is judged again (further ahead than that: rejected `time-too-new` at once);
 * - with a Bitcoin Core authority (cross-check mode), a block the node does not have at that
 *   height waits, re-asked every `recheckMs`, up to `nodeHoldMs`; if the node never agrees the
 *   block is rejected (`node-disagrees`) and that decision is logged: the node is the authority;
 * - a websocket frame without a parent link that REST cannot confirm yet waits up to
 *   `unconfirmedHoldMs` (then `unconfirmed`).
 * Holds never block the watcher: the caller stops at the held block and asks again when
 * {@link BlockGate.nextRecheckMs} comes.
 */
import {
  checkIntrinsic,
  MAX_FUTURE_BLOCK_TIME_SEC,
  type ChainContextTracker,
  type RejectReason,
} from '../domain/consensus.ts';
import type { Block } from '../domain/types.ts';
import type { ChainSource } from './ports.ts';
import { ChainMovedError } from './chain-sync-deps.ts';
import type { Logger } from 'pino';

/** Reasons beyond the header rules: the node never agreed, or REST never confirmed a frame. */
export type GateReason = RejectReason | 'node-disagrees' | 'unconfirmed';

/** The node that has the last word on which block is at a height (BitcoindSource). */
export interface BlockAuthority {
  readonly name: string;
  /** The node's block hash at each height of [from, to]; null where the node has no block yet. */
  hashesAt(fromHeight: number, toHeight: number, signal?: AbortSignal): Promise<Array<string | null>>;
}

export interface HoldLimits {
  /** Longest wait for a header just beyond the 2-hour future limit (default 15 min). */
  readonly futureHoldMs: number;
  /** Longest wait for the node to agree on a block (default 2 min). */
  readonly nodeHoldMs: number;
  /** How often a held block's node or REST is asked again meanwhile (default 2 s). */
  readonly recheckMs: number;
  /** Longest wait for REST to confirm a websocket frame that came without its parent (default 1 min). */
  readonly unconfirmedHoldMs: number;
}

export const DEFAULT_HOLD_LIMITS: HoldLimits = {
  futureHoldMs: 15 * 60_000,
  nodeHoldMs: 120_000,
  recheckMs: 2_000,
  unconfirmedHoldMs: 60_000,
};

export type Verdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'reject'; readonly reason: GateReason }
  | { readonly kind: 'hold'; readonly reason: GateReason };

interface Held {
  readonly block: Block;
  readonly reason: GateReason;
  readonly firstMs: number;
  readonly deadlineMs: number;
  recheckAtMs: number;
}

const SEEN_LIMIT = 1_000;

export class BlockGate {
  private readonly held = new Map<string, Held>();
  private readonly reported = new Set<string>();

  constructor(
    private readonly d: {
      readonly logger: Logger;
      /** Only the rejection counter (`hashbell_blocks_rejected_total{reason}`) is written here. */
      readonly metrics: { readonly blocksRejected: { inc(labels: { reason: string }): void } };
      readonly now: () => number;
      readonly authority?: BlockAuthority | undefined;
      readonly limits: HoldLimits;
      readonly signal?: AbortSignal | undefined;
    },
  ) {}

  get hasAuthority(): boolean {
    return this.d.authority !== undefined;
  }

  /** The header rules on top of `chain`, with the future-time hold. Synchronous and O(1). */
  judge(b: Block, chain: ChainContextTracker): Verdict {
    const nowMs = this.d.now();
    const nowSec = Math.floor(nowMs / 1000);
    const v = chain.check(b, nowSec);
    if (v.ok) {
      if (this.held.get(b.id)?.reason === 'time-too-new') this.release(b.id); // no longer in the future
      return { kind: 'accept' };
    }
    if (v.reason === 'time-too-new') {
      const readyMs = (b.timestamp - MAX_FUTURE_BLOCK_TIME_SEC) * 1000;
      const prior = this.held.get(b.id);
      const deadline = prior?.deadlineMs ?? nowMs + this.d.limits.futureHoldMs;
      if (readyMs <= deadline && nowMs < deadline) {
        this.hold(
          b,
          'time-too-new',
          deadline,
          readyMs + 1_000,
          `block ${b.height} is ${b.timestamp - nowSec} s ahead of the local clock: held until it is no longer more than 2 h in the future`,
        );
        return { kind: 'hold', reason: 'time-too-new' };
      }
    }
    this.reject(b, v.reason, v.message);
    return { kind: 'reject', reason: v.reason };
  }

  /** The field and clock rules alone (a frame whose parent is not known yet). */
  judgeIntrinsic(b: Block): Verdict {
    const v = checkIntrinsic(b, Math.floor(this.d.now() / 1000));
    if (v.ok) return { kind: 'accept' };
    if (v.reason === 'time-too-new') {
      // Same hold policy as judge(): decided on the full check once the parent is known.
      const readyMs = (b.timestamp - MAX_FUTURE_BLOCK_TIME_SEC) * 1000;
      if (readyMs <= (this.held.get(b.id)?.deadlineMs ?? this.d.now() + this.d.limits.futureHoldMs))
        return { kind: 'accept' };
    }
    this.reject(b, v.reason, v.message);
    return { kind: 'reject', reason: v.reason };
  }

  /**
   * How many of `blocks` (consecutive, already valid by the header rules) the node agrees with,
   * counted from the first. The first one it lacks is held (or, past its wait, rejected).
   */
  async confirmWithNode(blocks: readonly Block[]): Promise<number> {
    const a = this.d.authority;
    if (!a || blocks.length === 0) return blocks.length;
    const hashes = await a.hashesAt(blocks[0]!.height, blocks[blocks.length - 1]!.height, this.d.signal);
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      const theirs = hashes[i] ?? null;
      if (theirs === b.id) {
        const was = this.held.get(b.id);
        if (was?.reason === 'node-disagrees')
          this.d.logger.info(
            { height: b.height, hash: b.id, waitedMs: this.d.now() - was.firstMs },
            `${a.name} now has the block: taking it`,
          );
        this.release(b.id);
        continue;
      }
      const nowMs = this.d.now();
      const prior = this.held.get(b.id);
      const deadline = prior?.deadlineMs ?? nowMs + this.d.limits.nodeHoldMs;
      const detail =
        theirs === null
          ? `${a.name} has no block at height ${b.height} yet`
          : `${a.name} has ${theirs} at height ${b.height}`;
      if (nowMs < deadline) {
        this.hold(
          b,
          'node-disagrees',
          deadline,
          nowMs + this.d.limits.recheckMs,
          `block ${b.height} ${b.id}: ${detail}; held until the node agrees`,
        );
      } else {
        this.reject(
          b,
          'node-disagrees',
          `block ${b.height} ${b.id}: ${detail} after ${Math.round((nowMs - (prior?.firstMs ?? nowMs)) / 1000)} s; not taking it (the node is the authority)`,
        );
      }
      return i;
    }
    return blocks.length;
  }

  /** A websocket frame REST has not confirmed: hold it (bounded), then give it up. */
  unconfirmed(b: Block, detail: string): Verdict {
    const nowMs = this.d.now();
    const deadline = this.held.get(b.id)?.deadlineMs ?? nowMs + this.d.limits.unconfirmedHoldMs;
    if (nowMs < deadline) {
      this.hold(
        b,
        'unconfirmed',
        deadline,
        Math.min(deadline, nowMs + this.d.limits.recheckMs),
        `block ${b.height} ${b.id}: ${detail}; held until REST confirms it`,
      );
      return { kind: 'hold', reason: 'unconfirmed' };
    }
    this.reject(b, 'unconfirmed', `block ${b.height} ${b.id}: ${detail}; given up`);
    return { kind: 'reject', reason: 'unconfirmed' };
  }

  /** Logs (once per block and reason) and counts a block that will not be taken. */
  reject(b: Block, reason: GateReason, message: string): void {
    this.release(b.id);
    const key = `${b.id}:${reason}`;
    if (this.reported.has(key)) return;
    if (this.reported.size >= SEEN_LIMIT) this.reported.clear();
    this.reported.add(key);
    this.d.metrics.blocksRejected.inc({ reason });
    this.d.logger.warn({ height: b.height, hash: b.id, reason }, `invalid block rejected (${reason}): ${message}`);
  }

  /** When the earliest held block should be looked at again (ms epoch), or null. */
  nextRecheckMs(): number | null {
    let next: number | null = null;
    for (const h of this.held.values()) next = next === null ? h.recheckAtMs : Math.min(next, h.recheckAtMs);
    return next;
  }

  /**
   * Held blocks due for another look by `upToMs` (default now; the watcher passes the time its
   * timer was set for), lowest height first. They stay held until judged again.
   */
  due(upToMs = this.d.now()): Block[] {
    return [...this.held.values()]
      .filter((h) => h.recheckAtMs <= upToMs)
      .sort((x, y) => x.block.height - y.block.height)
      .map((h) => h.block);
  }

  /** Forgets a held block (taken, superseded by another block at its height, or rejected). */
  release(id: string): void {
    this.held.delete(id);
  }

  /** Held blocks at or below `height` that are not `keepId` are superseded: forget them. */
  dropSuperseded(height: number, keepId: string): void {
    for (const [id, h] of this.held) if (h.block.height <= height && id !== keepId) this.held.delete(id);
  }

  private hold(b: Block, reason: GateReason, deadlineMs: number, recheckAtMs: number, message: string): void {
    const prior = this.held.get(b.id);
    if (!prior) this.d.logger.warn({ height: b.height, hash: b.id, reason }, message);
    this.held.set(b.id, {
      block: b,
      reason,
      firstMs: prior?.firstMs ?? this.d.now(),
      deadlineMs,
      recheckAtMs: Math.min(recheckAtMs, deadlineMs),
    });
    if (this.held.size > 64) {
      const oldest = [...this.held.values()].sort((x, y) => x.firstMs - y.firstMs)[0]!;
      this.held.delete(oldest.block.id);
    }
  }
}

/**
 * How many of `blocks` (ascending, on top of `chain`) pass the gate, from the first: the header
 * rules on a trial copy of the context, then (cross-check mode) the node. A block that does not
 * link to the one below it is a race if the source has since changed that one (ChainMovedError:
 * the caller syncs again), else it is invalid (`bad-link`).
 */
export async function admitBlocks(
  blocks: readonly Block[],
  chain: ChainContextTracker,
  gate: BlockGate,
  source: ChainSource,
  signal?: AbortSignal,
): Promise<number> {
  const trial = chain.clone();
  let n = 0;
  for (const b of blocks) {
    const parent = trial.tip;
    if (parent && b.height === parent.height + 1 && b.previousHash !== undefined && b.previousHash !== parent.id) {
      const [below] = await source.blocks(parent.height, parent.height, signal);
      if (below?.id !== parent.id)
        throw new ChainMovedError(
          `block ${b.height} does not link to ${parent.id}; the source changed block ${parent.height}`,
        );
    }
    if (gate.judge(b, trial).kind !== 'accept') break;
    trial.accept(b);
    n++;
  }
  return n > 0 ? gate.confirmWithNode(blocks.slice(0, n)) : 0;
}
