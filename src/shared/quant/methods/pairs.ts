/**
 * The frame of the pair methods (mes-pair, mes-pair-sigma): both cells of a differential pair
 * are free, so a weight is realised as α·(G_i − G_j) over all L² pairs (i, j). MES's own α, from
 * one-cell-per-weight candidates, is always among the α tried, so over this superset of candidates
 * a pair method cannot do worse than MES.
 */
import { mseScale } from '../core';
import { emptyChoice, type Choice, type LayerInput } from './quantizer';

export interface PairFrame {
  input: LayerInput;
  alphaMax: number;
  /** |w|, and the one-cell candidates G_k − G₀ with their variances σ_k² + σ₀². */
  magnitudes: Float64Array;
  single: number[];
  /** MES's α: the least squared error (scale 'mse') or α_max. */
  mesAlpha: number;
}

/** A pair method's α and, per weight, the index i·L + j of its pair. */
export type PairRule = (frame: PairFrame) => { alpha: number; pairOf: (w: number) => number };

export function choosePairs(input: LayerInput, rule: PairRule): Choice {
  const { weights, n, m, levels, L, g0, span, scale } = input;
  const alphaMax = m / span;
  const magnitudes = Float64Array.from({ length: n }, (_, i) => Math.abs(weights[i]!));
  const single = levels.map((g) => g - g0);
  const mesAlpha = scale === 'mse' ? mseScale(magnitudes, single, alphaMax) : alphaMax;
  const { alpha, pairOf } = rule({ input, alphaMax, magnitudes, single, mesAlpha });
  const out = emptyChoice(n);
  for (let i = 0; i < n; i++) {
    const pair = pairOf(weights[i]!);
    out.plus[i] = Math.floor(pair / L);
    out.minus[i] = pair % L;
  }
  for (let i = 0; i < n; i++) {
    out.realized[i] = alpha * (levels[out.plus[i]!]! - levels[out.minus[i]!]!);
    out.levelIndex[i] = out.realized[i]! >= 0 ? out.plus[i]! : out.minus[i]!;
  }
  return { alpha, ...out };
}

/** The values α·(G_i − G_j) ≥ 0 a pair can realise (negative weights mirror them). */
export function pairValues(alpha: number, levels: readonly number[]): number[] {
  const values = new Set<number>();
  for (const a of levels) for (const b of levels) if (a >= b) values.add(alpha * (a - b));
  return [...values].sort((x, y) => x - y);
}
