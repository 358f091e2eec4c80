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
    /** HASH hash → EvaluateJob JSON: stored but not yet confirmed in the queue. */
    pending: `${p}pending`,
    /** ZSET score=height member=hash: blocks whose evaluate job went out (never twice). */
    enqueued: `${p}enqueued`,
    /** STRING JSON PricePoint: newest price seen. */
    price: `${p}price`,
    /** STRING int: a cold start is loading history up to this height (no jobs below it). */
    historyUntil: `${p}history-until`,
    /** STRING int: heights up to this one are being replayed after a reorg (corrections). */
    correctUntil: `${p}correct-until`,
  } as const;
}
export type ChainKeys = ReturnType<typeof chainKeys>;
