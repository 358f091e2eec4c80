/**
 * Bounded, allocation-free containers for the SnapshotBuilder's per-block state: a ring of recent
 * blocks in typed arrays and monotonic deques for sliding min/max. They are what makes the
 * per-block cost independent of history length.
 */

/** The last `capacity` blocks' numeric fields, addressed by height. */
export class BlockRing {
  readonly capacity: number;
  private readonly time: Float64Array;
  private readonly bits: Uint32Array;
  private readonly fees: Float64Array;
  private readonly feesKnown: Uint8Array;
  /** Running max of timestamps up to each height (monotone, for "block time ≤ t" searches). */
  private readonly maxTime: Float64Array;
  /** Hash price USD/PH/day at each height, NaN when no price was known. */
  private readonly usdPerPhDay: Float64Array;
  private first = -1;
  private last = -1;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.time = new Float64Array(capacity);
    this.bits = new Uint32Array(capacity);
    this.fees = new Float64Array(capacity);
    this.feesKnown = new Uint8Array(capacity);
    this.maxTime = new Float64Array(capacity);
    this.usdPerPhDay = new Float64Array(capacity);
  }

  /** Lowest height still held, −1 when empty. */
  get firstHeight(): number {
    return this.first;
  }

  /** Height of the newest block, −1 when empty. */
  get lastHeight(): number {
    return this.last;
  }

  has(height: number): boolean {
    return this.first >= 0 && height >= this.first && height <= this.last;
  }

  /** Appends the block at lastHeight + 1 (or any height when empty), evicting the oldest. */
  push(height: number, time: number, bits: number, fees: number, feesKnown: boolean): void {
    const i = height % this.capacity;
    const prevMax = this.last >= 0 ? this.maxTime[this.last % this.capacity]! : -Infinity;
    this.time[i] = time;
    this.bits[i] = bits;
    this.fees[i] = fees;
    this.feesKnown[i] = feesKnown ? 1 : 0;
    this.maxTime[i] = Math.max(prevMax, time);
    this.usdPerPhDay[i] = Number.NaN;
    if (this.first < 0) this.first = height;
    this.last = height;
    if (this.last - this.first >= this.capacity) this.first = this.last - this.capacity + 1;
  }

  timeAt(height: number): number {
    return this.time[height % this.capacity]!;
  }

  /** Running maximum of block times up to `height` (a time that never goes backwards). */
  maxTimeAt(height: number): number {
    return this.maxTime[height % this.capacity]!;
  }

  bitsAt(height: number): number {
    return this.bits[height % this.capacity]!;
  }

  feesAt(height: number): number {
    return this.fees[height % this.capacity]!;
  }

  feesKnownAt(height: number): boolean {
    return this.feesKnown[height % this.capacity] === 1;
  }

  setUsdPerPhDay(height: number, value: number | null): void {
    this.usdPerPhDay[height % this.capacity] = value ?? Number.NaN;
  }

  usdPerPhDayAt(height: number): number | null {
    const v = this.usdPerPhDay[height % this.capacity]!;
    return Number.isNaN(v) ? null : v;
  }

  /**
   * Highest held height whose running-max timestamp is ≤ t, i.e. the newest block such that no
   * block up to it claims a later time; null when even the oldest held block is later.
   */
  lastHeightAtOrBefore(t: number, hint = -1): number | null {
    if (this.first < 0 || this.maxTime[this.first % this.capacity]! > t) return null;
    let lo = this.first;
    let hi = this.last;
    if (hint >= lo && hint <= hi) {
      // Near a hint (the previous block's answer, usually 0–2 heights away): a few steps instead of
      // a binary search. Same answer: maxTime is monotone, so the steps stop where the search would.
      const cap = this.capacity;
      const mt = this.maxTime;
      let h = hint;
      if (mt[h % cap]! <= t) {
        for (let k = 0; k < HINT_STEPS && h < hi && mt[(h + 1) % cap]! <= t; k++) h++;
        if (h === hi || mt[(h + 1) % cap]! > t) return h;
        lo = h;
      } else {
        for (let k = 0; k < HINT_STEPS && h > lo && mt[h % cap]! > t; k++) h--;
        if (mt[h % cap]! <= t) return h;
        hi = h;
      }
    }
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.maxTime[mid % this.capacity]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Steps {@link BlockRing.lastHeightAtOrBefore} walks from its hint before it falls back to bisection. */
const HINT_STEPS = 8;

/**
 * Sliding-window extreme (max, or min with a negated key) over a stream keyed by height:
 * amortised O(1) per push, memory bounded by the window.
 */
export class MonotonicDeque<T> {
  // Parallel arrays, not an object per entry: three windows × six deques take a push per block.
  private heights: number[] = [];
  private keys: number[] = [];
  private values: T[] = [];
  private head = 0;

  /** Adds a value; any older value with a key ≤ this one can never be the extreme again. */
  push(height: number, key: number, value: T): void {
    const keys = this.keys;
    while (keys.length > this.head && keys[keys.length - 1]! <= key) {
      keys.pop();
      this.heights.pop();
      this.values.pop();
    }
    keys.push(key);
    this.heights.push(height);
    this.values.push(value);
  }

  /** Drops entries at heights < minHeight. */
  evictBefore(minHeight: number): void {
    const heights = this.heights;
    while (this.head < heights.length && heights[this.head]! < minHeight) this.head++;
    if (this.head > 1024 && this.head * 2 > heights.length) {
      this.heights = heights.slice(this.head);
      this.keys = this.keys.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }

  /** The extreme entry, or undefined when empty (allocates; the hot path uses frontKey etc.). */
  front(): { height: number; key: number; value: T } | undefined {
    return this.size > 0
      ? { height: this.heights[this.head]!, key: this.keys[this.head]!, value: this.values[this.head]! }
      : undefined;
  }

  /** Key of the extreme entry; NaN when empty. */
  frontKey(): number {
    return this.size > 0 ? this.keys[this.head]! : Number.NaN;
  }

  /** Height of the extreme entry; −1 when empty. */
  frontHeight(): number {
    return this.size > 0 ? this.heights[this.head]! : -1;
  }

  /** Value of the extreme entry; undefined when empty. */
  frontValue(): T | undefined {
    return this.size > 0 ? this.values[this.head] : undefined;
  }

  get size(): number {
    return this.keys.length - this.head;
  }
}
