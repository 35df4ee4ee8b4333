/**
 * What every quantizer shares (docs/methods.md): the types, the input checks, the scale searches
 * (least squared error, least expected error) and the lower envelope of expected errors. The
 * methods themselves are one file each in ./methods/.
 */
import { invalidInput, ReramError } from '../errors';

import type { QuantMethod } from './methods';

export type { QuantMethod };
export const MAPPING_SCHEMES = ['differential', 'bias'] as const;
export type MappingScheme = (typeof MAPPING_SCHEMES)[number];
export const SCALE_MODES = ['max', 'mse'] as const;
export type ScaleMode = (typeof SCALE_MODES)[number];

export interface QuantOptions {
  method: QuantMethod;
  scheme?: MappingScheme;
  /** MES only; default 'mse'. */
  scale?: ScaleMode;
  /** Programming σ of each level (S), for the σ-aware methods and the expected error; default 0. */
  sigma?: readonly number[];
}

/** The cell a bias-scheme weight's minus side is: the shared reference column. */
export const REFERENCE = -1;

export interface QuantizedLayer {
  name: string;
  method: QuantMethod;
  scheme: MappingScheme;
  /** Weight per siemens. */
  alpha: number;
  /** Level index of G⁺ per weight. */
  plus: Int32Array;
  /** Level index of G⁻ per weight (REFERENCE in the bias scheme). */
  minus: Int32Array;
  /** The weight's programmed level (the non-G₀ side; the bias scheme's cell), for histograms. */
  levelIndex: Int32Array;
  realized: Float64Array;
  /** Squared error of the realised weights (σ = 0). */
  mse: number;
  /** Expected squared error under the levels' σ: mse plus α²·mean(σ⁺² + σ⁻²). */
  expectedMse: number;
  /**
   * Least-squares gain of the realised weights on the weights, Σw·ŵ / Σw². Below 1 the layer
   * shrinks its signal; a deep network multiplies the shrinkage layer after layer.
   */
  gain: number;
  maxError: number;
  /** Weights per level index. */
  histogram: number[];
}

export class QuantizationError extends ReramError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', message, details);
    this.name = 'QuantizationError';
  }
}

export function checkLevels(levels: readonly number[]): void {
  if (levels.length < 2) throw invalidInput(`A level table needs at least 2 levels, got ${levels.length}.`);
  for (let k = 0; k < levels.length; k++) {
    if (!Number.isFinite(levels[k]!)) throw invalidInput(`Level ${k} is not a finite conductance.`);
    if (k > 0 && !(levels[k]! > levels[k - 1]!))
      throw invalidInput(`Levels must ascend strictly (level ${k}).`);
  }
}

/**
 * Largest |weight| whose squared error over a layer stays finite in double precision (sums of
 * squares of up to 2^27 weights): beyond it MSE and α would overflow to Infinity or NaN.
 */
export const MAX_ABS_WEIGHT = 1e150;

export function checkWeights(name: string, weights: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (Number.isFinite(w) && Math.abs(w) > MAX_ABS_WEIGHT) {
      throw new QuantizationError(
        `Layer '${name}' has a weight of ${w} at index ${i}: beyond ±${MAX_ABS_WEIGHT} its squared error overflows. Rescale the layer.`,
        { layer: name, index: i },
      );
    }
    if (!Number.isFinite(w)) {
      throw new QuantizationError(
        `Layer '${name}' has a non-finite weight at index ${i} (${w}); refusing to quantize it.`,
        { layer: name, index: i },
      );
    }
    m = Math.max(m, Math.abs(w));
  }
  return m;
}

/** Index of the candidate nearest to t in an ascending array; ties go to the higher index. */
export function nearestIndex(candidates: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = candidates.length - 1;
  if (t <= candidates[0]!) return 0;
  if (t >= candidates[hi]!) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (candidates[mid]! < t) lo = mid;
    else hi = mid;
  }
  return candidates[hi]! - t <= t - candidates[lo]! ? hi : lo;
}

/** Squared error of mapping targets onto α·d (nearest candidate), for a scale search. */
function errorAt(targets: ArrayLike<number>, d: readonly number[], alpha: number): number {
  const scaled = d.map((x) => alpha * x);
  let sum = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    sum += (t - scaled[nearestIndex(scaled, t)]!) ** 2;
  }
  return sum;
}

/** α candidates around the max-scale α: a log grid from 0.25× to 1.5×. */
function alphaGrid(alphaMax: number): number[] {
  const steps = 48;
  return Array.from(
    { length: steps + 1 },
    (_, s) => alphaMax * Math.exp(Math.log(0.25) + (s / steps) * (Math.log(1.5) - Math.log(0.25))),
  );
}

/**
 * α minimising Σ(t − α·d_{k*})²: a log grid around the max-scale α, then Lloyd refinement
 * (assign → closed-form α = Σt·d/Σd² → reassign). The max-scale α is a candidate, so the result
 * is never worse than `--scale max`.
 */
export function mseScale(
  targets: ArrayLike<number>,
  d: readonly number[],
  alphaMax: number,
  seeds: readonly number[] = [],
): number {
  if (!(alphaMax > 0)) return alphaMax;
  let bestAlpha = alphaMax;
  let bestError = errorAt(targets, d, alphaMax);
  for (const alpha of [...seeds, ...alphaGrid(alphaMax)]) {
    if (!(alpha > 0)) continue;
    const e = errorAt(targets, d, alpha);
    if (e < bestError) {
      bestError = e;
      bestAlpha = alpha;
    }
  }
  for (let iteration = 0; iteration < 50; iteration++) {
    const scaled = d.map((x) => bestAlpha * x);
    let num = 0;
    let den = 0;
    for (let i = 0; i < targets.length; i++) {
      const dk = d[nearestIndex(scaled, targets[i]!)]!;
      num += targets[i]! * dk;
      den += dk * dk;
    }
    if (!(den > 0)) break;
    const next = num / den;
    const e = errorAt(targets, d, next);
    if (!(e < bestError * (1 - 1e-12))) break;
    bestError = e;
    bestAlpha = next;
  }
  return bestAlpha;
}

/**
 * The expected squared error of realising t with candidate k at scale α,
 * (t − α·d_k)² + α²·v_k, as a function of t is a parabola t² plus the line −2α·d_k·t + α²(d_k² + v_k).
 * The best k for every t is therefore read off the lower envelope of those lines (convex-hull
 * trick): built once per α, then a binary search per weight.
 */
export class ExpectedErrorEnvelope {
  private readonly slope: Float64Array;
  private readonly intercept: Float64Array;
  private readonly index: Int32Array;
  /** t from which hull line h wins (breaks[0] = −∞). */
  private readonly breaks: Float64Array;

  constructor(
    d: ArrayLike<number>,
    v: ArrayLike<number>,
    readonly alpha: number,
  ) {
    // Lines sorted by slope descending (d ascending); for equal d keep the smaller variance.
    const order = Array.from({ length: d.length }, (_, k) => k).sort(
      (a, b) => d[a]! - d[b]! || v[a]! - v[b]! || a - b,
    );
    const slopes: number[] = [];
    const intercepts: number[] = [];
    const ids: number[] = [];
    const breaks: number[] = [];
    for (const k of order) {
      const m = -2 * alpha * d[k]!;
      const b = alpha * alpha * (d[k]! * d[k]! + v[k]!);
      if (slopes.length && m === slopes[slopes.length - 1]) continue; // same d, larger variance: never better
      // Pop lines that the new one makes useless (it takes over before they start).
      while (slopes.length) {
        const top = slopes.length - 1;
        const x = (b - intercepts[top]!) / (slopes[top]! - m);
        if (x <= breaks[top]!) {
          slopes.pop();
          intercepts.pop();
          ids.pop();
          breaks.pop();
        } else {
          breaks.push(x);
          break;
        }
      }
      if (slopes.length === 0) breaks.push(Number.NEGATIVE_INFINITY);
      slopes.push(m);
      intercepts.push(b);
      ids.push(k);
    }
    this.slope = Float64Array.from(slopes);
    this.intercept = Float64Array.from(intercepts);
    this.index = Int32Array.from(ids);
    this.breaks = Float64Array.from(breaks);
  }

  /** The candidate minimising the expected error for target t. */
  best(t: number): number {
    let lo = 0;
    let hi = this.breaks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.breaks[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.index[lo]!;
  }

  /** Its expected squared error. */
  error(t: number, k: number, d: ArrayLike<number>, v: ArrayLike<number>): number {
    return (t - this.alpha * d[k]!) ** 2 + this.alpha * this.alpha * v[k]!;
  }
}

function expectedTotal(
  targets: ArrayLike<number>,
  d: ArrayLike<number>,
  v: ArrayLike<number>,
  alpha: number,
): number {
  const envelope = new ExpectedErrorEnvelope(d, v, alpha);
  let sum = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    sum += envelope.error(t, envelope.best(t), d, v);
  }
  return sum;
}

/**
 * α minimising the expected squared error Σ min_k[(t − α·d_k)² + α²v_k]: the given α (those mes
 * and linear use) and a log grid, then Lloyd refinement with the closed form
 * α = Σ t·d_k / Σ (d_k² + v_k).
 */
export function expectedScale(
  targets: ArrayLike<number>,
  d: ArrayLike<number>,
  v: ArrayLike<number>,
  alphaMax: number,
  seeds: readonly number[],
): number {
  if (!(alphaMax > 0)) return alphaMax;
  let bestAlpha = alphaMax;
  let bestError = Number.POSITIVE_INFINITY;
  for (const alpha of [...seeds, alphaMax, ...alphaGrid(alphaMax)]) {
    if (!(alpha > 0)) continue;
    const e = expectedTotal(targets, d, v, alpha);
    if (e < bestError) {
      bestError = e;
      bestAlpha = alpha;
    }
  }
  for (let iteration = 0; iteration < 50; iteration++) {
    const envelope = new ExpectedErrorEnvelope(d, v, bestAlpha);
    let num = 0;
    let den = 0;
    for (let i = 0; i < targets.length; i++) {
      const k = envelope.best(targets[i]!);
      num += targets[i]! * d[k]!;
      den += d[k]! * d[k]! + v[k]!;
    }
    if (!(den > 0)) break;
    const next = num / den;
    const e = expectedTotal(targets, d, v, next);
    if (!(e < bestError * (1 - 1e-12))) break;
    bestError = e;
    bestAlpha = next;
  }
  return bestAlpha;
}

/** Every pair's difference G_i − G_j and variance σ_i² + σ_j², as flat candidate arrays. */
export function pairCandidates(levels: readonly number[], sigma: readonly number[]) {
  const L = levels.length;
  const d = new Float64Array(L * L);
  const v = new Float64Array(L * L);
  for (let i = 0; i < L; i++)
    for (let j = 0; j < L; j++) {
      d[i * L + j] = levels[i]! - levels[j]!;
      v[i * L + j] = sigma[i]! ** 2 + sigma[j]! ** 2;
    }
  return { d, v };
}

/** Sorted, distinct pair differences, each with the pair of least variance that makes it. */
export function uniquePairs(levels: readonly number[], sigma: readonly number[]) {
  const { d, v } = pairCandidates(levels, sigma);
  const order = Array.from({ length: d.length }, (_, k) => k).sort(
    (a, b) => d[a]! - d[b]! || v[a]! - v[b]! || a - b,
  );
  const values: number[] = [];
  const pairs: number[] = [];
  for (const k of order) {
    if (values.length && d[k] === values[values.length - 1]) continue;
    values.push(d[k]!);
    pairs.push(k);
  }
  return { values, pairs };
}
