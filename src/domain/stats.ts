/**
 * The few distributions hashbell's intervals need, deterministic and dependency-free.
 *
 * Block arrivals under a constant hash rate are a Poisson process, so waiting times for n blocks
 * are Gamma(n) and ratios of two independent waits are Beta-prime. Exact quantiles of these make
 * the 90 % intervals honest for 1 block as for 2016, where a normal approximation is not.
 */
import { memoBounded } from './memo.ts';

const EPS = 1e-14;
const FPMIN = 1e-300;

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~1e-15 relative). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// Acklam's coefficients, built once (normalQuantile runs several times per block in replay).
const NQ_A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
] as const;
const NQ_B = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
] as const;
const NQ_C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const;
const NQ_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416] as const;

/**
 * Standard normal quantile: Acklam's rational approximation, relative error below 1.15e-9 over
 * (0, 1) (test/unit/domain/estimators.test.ts checks it against reference quantiles). The one
 * inverse normal of the project: every interval and simulation reads it from here.
 */
export function normalQuantile(p: number): number {
  assertProbability(p);
  const a = NQ_A;
  const b = NQ_B;
  const c = NQ_C;
  const d = NQ_D;
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x =
      -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}

/** The estimator asks the same three probabilities (5, 50, 95 %) six times a block: memoised. */
const normalQuantileCached = memoBounded(normalQuantile, 64);

function assertProbability(p: number): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${String(p)}`);
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`gammaP: shape must be > 0, got ${String(a)}`);
  if (x <= 0) return 0;
  const lnPre = a * Math.log(x) - x - lnGamma(a);
  if (x < a + 1) {
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < 100_000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return sum * Math.exp(lnPre);
  }
  // Continued fraction for Q (modified Lentz).
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return 1 - Math.exp(lnPre) * h;
}

/**
 * Quantile of Gamma(shape, scale 1): Wilson–Hilferty start, then Newton on P(a, x) (exact to
 * ~1e-12 for any shape, including the small ones of a window's first blocks).
 */
export function gammaQuantile(p: number, shape: number): number {
  assertProbability(p);
  if (!(shape > 0)) throw new RangeError(`gammaQuantile: shape must be > 0, got ${String(shape)}`);
  const z = normalQuantile(p);
  const k = 1 / (9 * shape);
  let x = shape * Math.max(1 - k + z * Math.sqrt(k), 0.05) ** 3;
  if (shape < 1) x = Math.exp((Math.log(p) + lnGamma(shape + 1)) / shape); // small-shape tail start
  let lo = 0;
  let hi = Infinity;
  const lnG = lnGamma(shape);
  for (let i = 0; i < 100; i++) {
    const err = gammaP(shape, x) - p;
    if (err > 0) hi = Math.min(hi, x);
    else lo = Math.max(lo, x);
    const dens = Math.exp((shape - 1) * Math.log(x) - x - lnG);
    let next = x - err / dens;
    if (Number.isFinite(next) && Math.abs(next - x) <= 1e-13 * x) return next;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = Number.isFinite(hi) ? (lo + hi) / 2 : x * 2;
    x = next;
  }
  return x;
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function betaI(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError('betaI: a and b must be > 0');
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnBt = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnBt) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnBt) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Quantile of Beta(a, b): a normal-based start (Numerical Recipes) and safeguarded Halley steps. */
export function betaQuantile(p: number, a: number, b: number): number {
  assertProbability(p);
  if (!(a > 0 && b > 0)) throw new RangeError('betaQuantile: a and b must be > 0');
  let x: number;
  if (a >= 1 && b >= 1) {
    const z = -normalQuantile(p);
    const al = (z * z - 3) / 6;
    const h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1));
    const w = (z * Math.sqrt(al + h)) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h));
    x = a / (a + b * Math.exp(2 * w));
  } else {
    const lna = Math.log(a / (a + b));
    const lnb = Math.log(b / (a + b));
    const t = Math.exp(a * lna) / a;
    const u = Math.exp(b * lnb) / b;
    const w = t + u;
    x = p < t / w ? (a * w * p) ** (1 / a) : 1 - (b * w * (1 - p)) ** (1 / b);
  }
  const afac = lnGamma(a + b) - lnGamma(a) - lnGamma(b);
  let lo = 0;
  let hi = 1;
  for (let j = 0; j < 60; j++) {
    if (x <= 0 || x >= 1) x = (lo + hi) / 2;
    const err = betaI(x, a, b) - p;
    if (err > 0) hi = x;
    else lo = x;
    const dens = Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x) + afac);
    const u = err / dens;
    const step = u / (1 - 0.5 * Math.min(1, u * ((a - 1) / x - (b - 1) / (1 - x))));
    let next = x - step;
    if (Number.isFinite(next) && Math.abs(next - x) <= 1e-13 * Math.min(x, 1 - x)) return next;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = (lo + hi) / 2;
    if (hi - lo < 1e-15) return next;
    x = next;
  }
  return x;
}

/**
 * Deterministic seeded PRNG (mulberry32) for simulations in tests and benches; production
 * estimates never draw random numbers.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shapes at or above which {@link betaPrimeQuantile} uses the Wilson–Hilferty (Paulson) form. */
export const WILSON_HILFERTY_MIN_SHAPE = 30;

/**
 * Quantile of G_a / G_b for independent Gamma(a,1), Gamma(b,1) (Beta-prime(a, b)): the ratio of
 * a future wait to the observed one. Exact inversion for small shapes; for a, b ≥ 30 Paulson's
 * cube-root normal approximation of F(2a, 2b) (relative error < 1e-3, ~20× faster, which keeps
 * the per-block cost of a replay low).
 */
export function betaPrimeQuantile(p: number, a: number, b: number): number {
  if (Math.min(a, b) < WILSON_HILFERTY_MIN_SHAPE) {
    const x = betaQuantile(p, a, b);
    return x / (1 - x);
  }
  const z = normalQuantileCached(p);
  const A = 2 / (9 * 2 * a);
  const B = 2 / (9 * 2 * b);
  const qa = (1 - B) ** 2 - z * z * B;
  const qb = (1 - A) * (1 - B);
  const qc = (1 - A) ** 2 - z * z * A;
  const disc = Math.sqrt(Math.max(0, qb * qb - qa * qc));
  const y = (qb + (z >= 0 ? disc : -disc)) / qa;
  return (a / b) * y ** 3;
}
