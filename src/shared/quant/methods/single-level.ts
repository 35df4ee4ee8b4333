/**
 * The frame of every one-cell-per-weight method (ideal-linear, linear, mes, mes-sigma): each
 * weight takes one level k, realised as α·d_k with d_k = G_k − G₀ (differential: the sign goes to
 * the pair's side, G₀ on the other) or d_k = G_k − G_ref, G_ref = (G₀ + G_{L−1})/2 (bias column).
 * A method gives only its α and its choice of k (and, for ideal-linear, the value realised).
 *
 *   differential: x = |w|, α_max = m/(G_{L−1} − G₀), grid Δ = m/(L−1), v_k = σ_k² + σ₀²
 *   bias:         x = w,   α_max = 2m/(G_{L−1} − G₀), grid over [−m, m], v_k = σ_k² + σ_ref²
 */
import { ExpectedErrorEnvelope, mseScale, nearestIndex, REFERENCE } from '../core';
import { emptyChoice, type Choice, type LayerInput } from './quantizer';

export interface SingleLevelFrame {
  input: LayerInput;
  d: number[];
  v: number[];
  alphaMax: number;
  /** What is matched to a level: |w| (differential) or w (bias). */
  x: ArrayLike<number>;
  /** MES's α: the least squared error (scale 'mse') or α_max. */
  mesAlpha(): number;
  /** The level an evenly spaced grid puts x on. */
  gridIndex(x: number): number;
  /** What a perfectly linear device realises at level k. */
  gridValue(k: number): number;
}

export interface SingleLevelRule {
  alpha(frame: SingleLevelFrame): number;
  /** The level for x, given α and the candidates α·d. */
  chooser(frame: SingleLevelFrame, alpha: number, candidates: number[]): (x: number) => number;
  /** The value realised at level k (default: the candidate α·d_k). */
  value?(frame: SingleLevelFrame, k: number, candidates: number[]): number;
}

export function chooseSingleLevel(input: LayerInput, rule: SingleLevelRule): Choice {
  const { weights, n, m, levels, sigma, L, g0, span, scale } = input;
  const out = emptyChoice(n);
  if (input.scheme === 'differential') {
    const d = levels.map((g) => g - g0);
    const v = sigma.map((s) => s * s + sigma[0]! ** 2);
    const alphaMax = m / span;
    const delta = m / (L - 1);
    const magnitudes = Float64Array.from({ length: n }, (_, i) => Math.abs(weights[i]!));
    const frame: SingleLevelFrame = {
      input,
      d,
      v,
      alphaMax,
      x: magnitudes,
      mesAlpha: () => (scale === 'mse' ? mseScale(magnitudes, d, alphaMax) : alphaMax),
      gridIndex: (x) => (m === 0 ? 0 : Math.min(L - 1, Math.max(0, Math.round(x / delta)))),
      gridValue: (k) => k * delta,
    };
    const alpha = rule.alpha(frame);
    const candidates = d.map((x) => alpha * x);
    const choose = rule.chooser(frame, alpha, candidates);
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      const k = choose(magnitudes[i]!);
      const s = w < 0 ? -1 : 1;
      out.plus[i] = s > 0 ? k : 0;
      out.minus[i] = s > 0 ? 0 : k;
      out.levelIndex[i] = k;
      out.realized[i] = s * (rule.value ? rule.value(frame, k, candidates) : candidates[k]!);
    }
    return { alpha, ...out };
  }
  const gRef = (g0 + levels[L - 1]!) / 2;
  const sigmaRef = sigma.reduce((x, y) => x + y, 0) / L;
  const d = levels.map((g) => g - gRef);
  const v = sigma.map((s) => s * s + sigmaRef * sigmaRef);
  const alphaMax = (2 * m) / span;
  const frame: SingleLevelFrame = {
    input,
    d,
    v,
    alphaMax,
    x: weights,
    mesAlpha: () => (scale === 'mse' ? mseScale(weights, d, alphaMax) : alphaMax),
    gridIndex: (x) =>
      m === 0
        ? Math.round((L - 1) / 2)
        : Math.min(L - 1, Math.max(0, Math.round(((x + m) / (2 * m)) * (L - 1)))),
    gridValue: (k) => (m === 0 ? 0 : -m + (k * 2 * m) / (L - 1)),
  };
  const alpha = rule.alpha(frame);
  const candidates = d.map((x) => alpha * x);
  const choose = rule.chooser(frame, alpha, candidates);
  for (let i = 0; i < n; i++) {
    const k = choose(weights[i]!);
    out.plus[i] = k;
    out.minus[i] = REFERENCE;
    out.levelIndex[i] = k;
    out.realized[i] = rule.value ? rule.value(frame, k, candidates) : candidates[k]!;
  }
  return { alpha, ...out };
}

/** MES's choice: the candidate nearest to x. */
export const nearest = (_frame: SingleLevelFrame, _alpha: number, candidates: number[]) => (x: number) =>
  nearestIndex(candidates, x);

/** The least-expected-error choice under the levels' σ. */
export const leastExpected = (frame: SingleLevelFrame, alpha: number) => {
  const envelope = new ExpectedErrorEnvelope(frame.d, frame.v, alpha);
  return (x: number) => envelope.best(x);
};
