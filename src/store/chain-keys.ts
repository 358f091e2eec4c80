/** Redis key builders for chain state (one place, so a prefix change or audit is one file). */
export function chainKeys(prefix: string) {
  const p = `${prefix}chain:`;
  return {
    /** ZSET score=height member=StoredBlock JSON: the main chain's recent blocks. */
    blocks: `${p}blocks`,
    /** STRING JSON {height, hash}: last processed block. */
    cursor: `${p}cursor`,
    /** HASH hash → Snapshot JSON. */
    snapshots: `${p}snap`,
    /** ZSET score=height member=hash: which snapshots exist (for latest/pruning). */
    snapshotIndex: `${p}snap-idx`,
    /** HASH sendKey → TrackedJob JSON: stored but not yet confirmed in the queue. */
    pending: `${p}pending`,
    /** ZSET score=height member=sendKey: evaluate jobs that went out (each key never twice). */
    enqueued: `${p}enqueued`,
    /** STRING int: reorg generation, bumped by every rollback (names re-evaluations of old hashes). */
    generation: `${p}reorg-gen`,
    /** STRING JSON PricePoint: newest price seen. */
    price: `${p}price`,
    /** STRING int: a cold start is loading history up to this height (no jobs below it). */
    historyUntil: `${p}history-until`,
    /** STRING int: heights up to this one are being replayed after a reorg (corrections). */
    correctUntil: `${p}correct-until`,
    /** ZSET score=height member=BuilderCheckpoint JSON: the drop detector's state, one a day. */
    checkpoints: `${p}checkpoints`,
  } as const;
}
export type ChainKeys = ReturnType<typeof chainKeys>;

/**
 * Identity of one evaluate job in the enqueued set and the pending hash: the block hash for its
 * first job, `<hash>-r<n>` when a reorg brings an already-evaluated block back in generation n
 * (so a returning branch is evaluated again, once per generation). Bare hashes stay valid for
 * state written before generations existed. Never contains ':' (it is also the job id's tail).
 */
export function sendKey(hash: string, resend?: number): string {
  return resend === undefined ? hash : `${hash}-r${resend}`;
}
