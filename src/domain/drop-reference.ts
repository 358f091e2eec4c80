/**
 * The drop detector's reference window: the mean μ of y over the lookback, ending
 * {@link DROP_GAP_BLOCKS} back, so a drop does not pollute its own reference for two weeks. A ring
 * of the last lookback + gap values and a running sum, re-summed at fixed heights (no float
 * drift, and a rebuilt window agrees with a continuous one).
 */
import { DROP_GAP_BLOCKS } from './drop-cells.ts';

/** Reference windows are re-summed at these heights (no float drift; rebuilds agree). */
const RESUM_EVERY = 2016;

export class DropReference {
  readonly lookbackBlocks: number;
  private readonly ys: Float64Array;
  private pushed = 0;
  private refSum = 0;
  private mu = Number.NaN;

  constructor(lookbackBlocks: number) {
    this.lookbackBlocks = lookbackBlocks;
    this.ys = new Float64Array(lookbackBlocks + DROP_GAP_BLOCKS + 2);
  }

  /** Reference mean of y: NaN until the window is full. */
  get mean(): number {
    return this.mu;
  }

  /** True once the window is full. */
  get ready(): boolean {
    return Number.isFinite(this.mu);
  }

  /**
   * Adds the y of block `height`; returns the reference mean this block is judged against, or NaN
   * while the window is not full yet.
   */
  push(height: number, y: number): number {
    const size = this.ys.length;
    const k = this.pushed;
    const L = this.lookbackBlocks;
    // Reference for the block at index k: indices k−G−L … k−G−1 (the ring holds k−G−L−1 … k).
    const enter = k - DROP_GAP_BLOCKS - 1;
    const leave = enter - L;
    if (leave >= 0) this.refSum -= this.ys[leave % size]!;
    if (enter >= 0) this.refSum += this.ys[enter % size]!;
    this.ys[k % size] = y;
    this.pushed = k + 1;
    if (enter + 1 < L) return Number.NaN;
    if (height % RESUM_EVERY === 0) {
      let s = 0;
      for (let j = enter - L + 1; j <= enter; j++) s += this.ys[j % size]!;
      this.refSum = s;
    }
    this.mu = this.refSum / L;
    return this.mu;
  }

  /** How much of the ring holds values (a saved state only fits a ring refilled as far). */
  get filled(): number {
    return Math.min(this.pushed, this.ys.length);
  }

  /** The running sum and mean, without the ring (which stored blocks refill). */
  save(): { readonly refSum: number; readonly mu: number | null } {
    return { refSum: this.refSum, mu: Number.isFinite(this.mu) ? this.mu : null };
  }

  restore(refSum: number, mu: number | null): void {
    this.refSum = refSum;
    this.mu = mu ?? Number.NaN;
  }
}
