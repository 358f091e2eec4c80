/**
 * Every Redis key the alert engine uses, built in one place so a prefix isolates tests, benches
 * and deployments sharing one Redis, and so nobody invents a key shape elsewhere. Keys are short
 * on purpose: with a million subscriptions every byte of a key name is paid a million times.
 */

/**
 * Redis Cluster: one hash slot for the whole engine, by design. Every engine and chain key is
 * built from one prefix; on a cluster that prefix carries a hash tag (`hb:` → `{hb}:`), so every
 * key of the engine (subscriptions, rules, states, the threshold index, the notification log,
 * held events, chain state, chart history) hashes to the same slot. That is what lets an
 * evaluation batch commit many subscriptions' states together with their index positions in one
 * MULTI, a rule be added with its index entry in one Lua script, and a subscription be renamed
 * with its index members in one transaction: no multi-key operation can ever cross slots.
 *
 * The price is load spreading: the engine's state lives on ONE master (its replicas give
 * failover, not throughput). It is small (≈200 bytes per rule, ≈200 MB at a million rules) and
 * touched about once per block; what is large and busy during a mass firing are the BullMQ
 * queues, and those are spread: each queue gets its own tag (`queuePrefixFor`), so the evaluate
 * queue and each platform's deliver queue can sit on different masters. Sharding the engine
 * itself (a shard tag per subscription, an index per shard, one MULTI per shard) is the next step
 * if one master's memory ever bounds it.
 *
 * A single server keeps the untagged names, so an install upgraded in place finds its data
 * exactly where it was (no migration). Moving an install from one server onto a cluster means
 * renaming its keys to the tagged prefix (`{hb}:…`) on the way.
 */
const TAG = /\{[^}]*\}/;

/** The key prefix to use on this connection: `prefix` on a single server, hash-tagged on a cluster. */
export function keyPrefixFor(prefix: string, redis: { readonly isCluster: boolean }): string {
  return redis.isCluster ? slotPrefix(prefix) : prefix;
}

/**
 * `prefix` with a hash tag (`hb:` → `{hb}:`, `hb-test-x:` → `{hb-test-x}:`); a prefix that already
 * has a non-empty tag is kept as it is.
 */
export function slotPrefix(prefix: string): string {
  const m = TAG.exec(prefix);
  if (m !== null && m[0].length > 2) return prefix;
  const stem = prefix.replace(/:$/, '');
  if (stem === '' || /[{}]/.test(stem)) throw new Error(`cannot hash-tag the key prefix ${JSON.stringify(prefix)}`);
  return `{${stem}}:`;
}

/**
 * BullMQ's key prefix for queue `queueName`: `base` (default BullMQ's own, `bull`) on a single
 * server; on a cluster a tag per queue (`{bull-hashbell-evaluate}`), as BullMQ requires (a
 * queue's Lua scripts touch several of its keys) and so that different queues can land on
 * different masters.
 */
export function queuePrefixFor(
  queueName: string,
  base: string | undefined,
  redis: { readonly isCluster: boolean },
): string | undefined {
  if (!redis.isCluster) return base;
  return `{${base ?? 'bull'}-${queueName}}`;
}

/** Separates subscription id and rule id in a rule key / index member ('/' never occurs in a subscription id). */
export const RULE_KEY_SEP = '/';

/** `subId/ruleId`: how a rule is named across subscriptions (state store, index members). */
export function ruleKey(subscriptionId: string, ruleId: string): string {
  return `${subscriptionId}${RULE_KEY_SEP}${ruleId}`;
}

/** Inverse of ruleKey; null when the key is not one. */
export function splitRuleKey(key: string): { subscriptionId: string; ruleId: string } | null {
  const i = key.lastIndexOf(RULE_KEY_SEP);
  if (i <= 0 || i === key.length - 1) return null;
  return { subscriptionId: key.slice(0, i), ruleId: key.slice(i + 1) };
}

/**
 * Key builders bound to one prefix (e.g. `hb:` in production, `hb-test-engine-x:` in tests; on a
 * cluster the tagged form from keyPrefixFor, which every key below inherits).
 */
export interface EngineKeys {
  readonly prefix: string;
  /** Hash: the subscription's fields plus its rule-id counter. */
  subscription(subId: string): string;
  /** Hash: ruleId → compact JSON of the rule spec and creation time. */
  rules(subId: string): string;
  /** Hash: ruleId → compact encoded RuleState. */
  states(subId: string): string;
  /** Sorted set of rules waiting to fire on a series (score = fire level). */
  fireIndex(series: string): string;
  /** Sorted set of firing rules waiting to resolve on a series (score = resolve level). */
  resolveIndex(series: string): string;
  /**
   * Sorted set (every score 0, so ordered by member) of the rules that react to an event series
   * (every block, retarget) rather than a level: a fan-out walks it with ZRANGEBYLEX from the last
   * member it settled, which never repeats a member (issue 14 item 2).
   */
  eventIndex(series: string): string;
  /**
   * Sorted set (every score 0) of the retarget-estimate rules that are ok but still carry what
   * they told this epoch (eased): with the resolve set, all that an epoch's first block can close
   * (alerting/lifecycle-repeat.ts closeEpoch), so the sweep reads these two, not the fire set.
   */
  toldIndex(series: string): string;
  /** String: set once every eased estimate stored before the told index is in it (./told-index-upgrade.ts). */
  toldIndexUpgraded(): string;
  /** The plain set the event index was before the sorted one (read once by the upgrade, then gone). */
  legacyEventIndex(series: string): string;
  /**
   * Sorted sets of FIRING under-water rules (breakeven, hashprice-below, hashrate-below): 'due'
   * scored by when the next reminder is due (unix s), 'deeper' by the compared value at which
   * they escalate (alerting/lifecycle-repeat.ts).
   */
  repeatIndex(series: string, which: 'due' | 'deeper'): string;
  /** String with TTL: one delivered (or being delivered) notification. */
  notification(key: string): string;
  /** List of JSON AlertEvents held by quiet hours / mute until the digest goes out. */
  held(subId: string): string;
  /**
   * Hash: one walk (`<height>:<platform>`) of an event series' broadcast (issue 14 item 2): the notice stored once, its
   * block hash (a reorg replaces it in place), the fan-out cursor over the series' event index and
   * the evaluation's progress (store/redis-broadcasts.ts lists the fields).
   */
  broadcast(series: string, walk: string): string;
  /** Set: the recipients settled in the fan-out's current chunk (deleted when the cursor moves). */
  broadcastSent(series: string, walk: string): string;
  /** Hash: subscription → its own lines folded into the notice (a closed retarget estimate's score). */
  broadcastExtras(series: string, walk: string): string;
  /**
   * String: the newest height broadcast on a series and platform (`<series>:<platform>`): a newer
   * block's notice supersedes an older one's walk.
   */
  broadcastLatest(seriesOnPlatform: string): string;
  /** Set of the operator's broadcast subscriptions (alerting/broadcast.ts): evaluated before anyone else. */
  broadcastSubscriptions(): string;
  /**
   * Hash: ruleId → the rule's unsettled queued messages in queue order (freshness,
   * redis-freshness.ts); emptied and deleted as they are delivered.
   */
  queuedRules(subId: string): string;
  /** List of JSON AlertEvents of snoozed rules, held until their snooze ends. */
  snoozeHeld(subId: string): string;
  /** String: JSON PendingRelease, a digest or snooze release taken and not yet sent (one at a time). */
  releasePending(subId: string): string;
  /** String with TTL: a moved subscription's new id (Telegram group → supergroup). */
  migrationPointer(fromSubId: string): string;
  /** String: a one-time data upgrade ran under this prefix (value: the height it ran at). */
  upgradeFlag(name: string): string;
  /** String: the last block seen by the slow-blocks ticker (`height hash timeSec`). */
  slowBlocksMark(): string;
  /** Sorted set of compact per-block chart points (src/charts/redis-chart-history.ts). */
  chartHistory(): string;
  /** Prefix of the shared PNG cache entries (src/charts/redis-chart-cache.ts). */
  chartCachePrefix(): string;
  /**
   * String with TTL: where an uploaded chart can be found again on one platform (Telegram
   * file_id, Discord attachment URL), by the chart's picture key (src/platforms/picture-refs.ts).
   */
  pictureRef(platform: string, pictureKey: string): string;
  /** String with a short TTL: who is uploading that picture right now (the others wait for its ref). */
  pictureLock(platform: string, pictureKey: string): string;
  /** Set of Discord announcement channel ids (the notifier crossposts there; platforms/discord). */
  announcementChannels(): string;
  /**
   * Hash: a platform's send timeline shared by the notifiers (redis-send-slot.ts), per rate
   * (`telegram`, `telegram-paid`, `discord`). Named `sendw:` since it became a hash: the string
   * `pace:` of older processes is left alone during a rolling upgrade.
   */
  sendSlot(timeline: string): string;
  /** Glob matching every key under this prefix (tests and benches clean up with it). */
  all(): string;
}

export function engineKeys(prefix = 'hb:'): EngineKeys {
  const p = prefix;
  return {
    prefix: p,
    subscription: (s) => `${p}s:${s}`,
    rules: (s) => `${p}r:${s}`,
    states: (s) => `${p}st:${s}`,
    fireIndex: (series) => `${p}ix:${series}:f`,
    resolveIndex: (series) => `${p}ix:${series}:r`,
    eventIndex: (series) => `${p}ix:${series}:l`,
    legacyEventIndex: (series) => `${p}ix:${series}:e`,
    toldIndex: (series) => `${p}ix:${series}:t`,
    toldIndexUpgraded: () => `${p}ix:t-upgraded`,
    repeatIndex: (series, which) => `${p}ix:${series}:${which === 'due' ? 'w' : 'x'}`,
    notification: (k) => `${p}n:${k}`,
    held: (s) => `${p}h:${s}`,
    broadcast: (series, walk) => `${p}bc:${series}:${walk}`,
    broadcastSent: (series, walk) => `${p}bcs:${series}:${walk}`,
    broadcastExtras: (series, walk) => `${p}bcx:${series}:${walk}`,
    broadcastLatest: (s) => `${p}bcl:${s}`,
    broadcastSubscriptions: () => `${p}bsubs`,
    queuedRules: (s) => `${p}qr:${s}`,
    snoozeHeld: (s) => `${p}hz:${s}`,
    releasePending: (s) => `${p}hp:${s}`,
    migrationPointer: (s) => `${p}mv:${s}`,
    upgradeFlag: (name) => `${p}mig:${name}`,
    slowBlocksMark: () => `${p}slow`,
    chartHistory: () => `${p}chart-history`,
    chartCachePrefix: () => `${p}chart:`,
    pictureRef: (platform, k) => `${p}pic:${platform}:${k}`,
    pictureLock: (platform, k) => `${p}picl:${platform}:${k}`,
    announcementChannels: () => `${p}dc:ann`,
    sendSlot: (timeline) => `${p}sendw:${timeline}`,
    all: () => `${p}*`,
  };
}

// ── Chain state (the watcher's blocks, cursor, enqueued set, detector checkpoints) ──

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
