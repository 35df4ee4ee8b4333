/**
 * Weight quantization onto a device's level table (DESIGN.md §6), exactly as defined there.
 *
 * Differential pair (default): w = α·(G⁺ − G⁻), one side at G₀.
 *   ideal-linear  Δ = m/(L−1), k = clamp(round(|w|/Δ)), ŵ = s·k·Δ         (a perfectly linear device)
 *   linear        same k, ŵ = s·α·(G_k − G₀), α = m/(G_{L−1} − G₀)          (the baseline)
 *   mes           ŵ = s·c_{k*}, c_k = α·(G_k − G₀), k* = argmin_k ||w| − c_k|
 * Bias column: w = α·(G_k − G_ref), G_ref = (G₀ + G_{L−1})/2, grids over [−m, m].
 *   ideal-linear  k = round((w + m)/(2m)·(L−1)), ŵ = −m + k·2m/(L−1)
 *   linear        same k, ŵ = α·(G_k − G_ref), α = 2m/(G_{L−1} − G₀)
 *   mes           nearest of α·(G_k − G_ref)
 * with m = max|w| per layer. MES picks α by `max` (as above) or `mse` (minimum squared error).
 */
import { invalidInput, ReramError } from '../errors';

export const QUANT_METHODS = ['ideal-linear', 'linear', 'mes'] as const;
export type QuantMethod = (typeof QUANT_METHODS)[number];
export const MAPPING_SCHEMES = ['differential', 'bias'] as const;
export type MappingScheme = (typeof MAPPING_SCHEMES)[number];
export const SCALE_MODES = ['max', 'mse'] as const;
export type ScaleMode = (typeof SCALE_MODES)[number];

export interface QuantOptions {
  method: QuantMethod;
  scheme?: MappingScheme;
  /** MES only; default 'mse'. */
  scale?: ScaleMode;
}

export interface QuantizedLayer {
  name: string;
  method: QuantMethod;
  scheme: MappingScheme;
  /** Weight per siemens. */
  alpha: number;
  /** Level index per weight: the programmed level of G⁺ (w ≥ 0) or G⁻ (w < 0), or of the bias-scheme cell. */
  levelIndex: Int32Array;
  /** Differential: +1 when G⁺ carries the level, −1 when G⁻ does. Bias scheme: all +1. */
  sign: Int8Array;
  realized: Float64Array;
  mse: number;
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

function checkLevels(levels: readonly number[]): void {
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

function checkWeights(name: string, weights: ArrayLike<number>): number {
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
        {
          layer: name,
          index: i,
        },
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

/**
 * α minimising Σ(t − α·d_{k*})²: a log grid around the max-scale α, then Lloyd refinement
 * (assign → closed-form α = Σt·d/Σd² → reassign). The max-scale α is a candidate, so the result
 * is never worse than `--scale max`.
 */
export function mseScale(targets: ArrayLike<number>, d: readonly number[], alphaMax: number): number {
  if (!(alphaMax > 0)) return alphaMax;
  let bestAlpha = alphaMax;
  let bestError = errorAt(targets, d, alphaMax);
  const steps = 48;
  for (let s = 0; s <= steps; s++) {
    const alpha = alphaMax * Math.exp(Math.log(0.25) + (s / steps) * (Math.log(1.5) - Math.log(0.25)));
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

export function quantizeLayer(
  name: string,
  weights: ArrayLike<number>,
  levels: readonly number[],
  options: QuantOptions,
): QuantizedLayer {
  checkLevels(levels);
  const m = checkWeights(name, weights);
  const scheme = options.scheme ?? 'differential';
  const scale = options.scale ?? 'mse';
  const L = levels.length;
  const n = weights.length;
  const g0 = levels[0]!;
  const span = levels[L - 1]! - g0;
  const levelIndex = new Int32Array(n);
  const sign = new Int8Array(n).fill(1);
  const realized = new Float64Array(n);
  let alpha: number;

  if (scheme === 'differential') {
    const d = levels.map((g) => g - g0);
    const alphaMax = m / span;
    const delta = m / (L - 1);
    const magnitudes = Float64Array.from({ length: n }, (_, i) => Math.abs(weights[i]!));
    alpha = options.method === 'mes' && scale === 'mse' ? mseScale(magnitudes, d, alphaMax) : alphaMax;
    const candidates = d.map((x) => alpha * x);
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      const s = w < 0 ? -1 : 1;
      const k =
        options.method === 'mes'
          ? nearestIndex(candidates, magnitudes[i]!)
          : m === 0
            ? 0
            : Math.min(L - 1, Math.max(0, Math.round(magnitudes[i]! / delta)));
      levelIndex[i] = k;
      sign[i] = s;
      realized[i] = s * (options.method === 'ideal-linear' ? k * delta : candidates[k]!);
    }
  } else {
    const gRef = (g0 + levels[L - 1]!) / 2;
    const d = levels.map((g) => g - gRef);
    const alphaMax = (2 * m) / span;
    alpha = options.method === 'mes' && scale === 'mse' ? mseScale(weights, d, alphaMax) : alphaMax;
    const candidates = d.map((x) => alpha * x);
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      const k =
        options.method === 'mes'
          ? nearestIndex(candidates, w)
          : m === 0
            ? Math.round((L - 1) / 2)
            : Math.min(L - 1, Math.max(0, Math.round(((w + m) / (2 * m)) * (L - 1))));
      levelIndex[i] = k;
      realized[i] =
        options.method === 'ideal-linear' ? (m === 0 ? 0 : -m + (k * 2 * m) / (L - 1)) : candidates[k]!;
    }
  }

  let sse = 0;
  let maxError = 0;
  const histogram = new Array<number>(L).fill(0);
  for (let i = 0; i < n; i++) {
    const e = Math.abs(weights[i]! - realized[i]!);
    sse += e * e;
    maxError = Math.max(maxError, e);
    histogram[levelIndex[i]!]!++;
  }
  return {
    name,
    method: options.method,
    scheme,
    alpha,
    levelIndex,
    sign,
    realized,
    mse: n ? sse / n : 0,
    maxError,
    histogram,
  };
}

/**
 * The weight values a layer's levels can realise (the non-negative side for the differential
 * scheme, whose negative weights mirror them), for plotting levels over a weight histogram.
 */
export function candidateWeights(
  method: QuantMethod,
  scheme: MappingScheme,
  alpha: number,
  levels: readonly number[],
): number[] {
  const L = levels.length;
  const g0 = levels[0]!;
  const span = levels[L - 1]! - g0;
  if (method === 'ideal-linear') {
    // A perfectly linear device over the same window: evenly spaced.
    const step = (alpha * span) / (L - 1);
    return levels.map((_, k) => (scheme === 'differential' ? k * step : -(alpha * span) / 2 + k * step));
  }
  const reference = scheme === 'differential' ? g0 : (g0 + levels[L - 1]!) / 2;
  return levels.map((g) => alpha * (g - reference));
}
