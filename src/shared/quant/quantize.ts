/**
 * Weight quantization onto a device's level table (docs/methods.md): validate the layer, pick
 * the method (its σ-free equivalent when every σ is 0), let it choose, then the statistics. The
 * methods and their formulas are one file each in ./methods/ (differential pair w = α·(G⁺ − G⁻);
 * bias column w = α·(G_k − G_ref), G_ref = (G₀ + G_{L−1})/2; m = max|w| per layer).
 *
 * With σ = 0 mes-sigma is mes exactly, and mes-pair-sigma is mes-pair; with σ > 0 their expected
 * squared error is never above mes's or linear's on the same table (the α those use is among the
 * candidates, with the assignment optimal for it, and the refinement only lowers the error).
 */
import { invalidInput } from '../errors';
import {
  checkLevels,
  checkWeights,
  REFERENCE,
  type MappingScheme,
  type QuantizedLayer,
  type QuantMethod,
  type QuantOptions,
} from './core';
import { QUANTIZERS } from './methods';
import { layerGain } from './methods/mes-sigma-gain';

export * from './core';
export { QUANT_METHODS } from './methods';

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
  const sigma = options.sigma ?? new Array<number>(L).fill(0);
  if (sigma.length !== L || sigma.some((s) => !(s >= 0) || !Number.isFinite(s)))
    throw invalidInput(`σ must give one finite, non-negative value per level (${L}).`);
  const asked = QUANTIZERS[options.method];
  // With σ = 0 the σ-aware methods are their plain counterparts, exactly.
  const method = asked.atSigmaZero && sigma.every((s) => s === 0) ? QUANTIZERS[asked.atSigmaZero] : asked;
  if (!method.schemes.includes(scheme))
    throw invalidInput(
      `${options.method} ${method.schemeNote ?? 'does not work'}: it needs the ${method.schemes.join(' or ')} scheme.`,
    );
  const n = weights.length;
  const g0 = levels[0]!;
  const span = levels[L - 1]! - g0;
  const { alpha, plus, minus, levelIndex, realized } = method.choose({
    weights,
    n,
    m,
    levels,
    sigma,
    L,
    g0,
    span,
    scheme,
    scale,
  });

  const sigmaRef = sigma.reduce((x, y) => x + y, 0) / L;
  let sse = 0;
  let variance = 0;
  let maxError = 0;
  const histogram = new Array<number>(L).fill(0);
  for (let i = 0; i < n; i++) {
    const e = Math.abs(weights[i]! - realized[i]!);
    sse += e * e;
    maxError = Math.max(maxError, e);
    histogram[levelIndex[i]!]!++;
    // A perfect device (ideal-linear) has no programming spread.
    if (!method.ideal) {
      const sMinus = minus[i] === REFERENCE ? sigmaRef : sigma[minus[i]!]!;
      variance += sigma[plus[i]!]! ** 2 + sMinus ** 2;
    }
  }
  return {
    name,
    method: options.method,
    scheme,
    alpha,
    plus,
    minus,
    levelIndex,
    realized,
    mse: n ? sse / n : 0,
    expectedMse: n ? (sse + alpha * alpha * variance) / n : 0,
    gain: layerGain(weights, realized),
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
  return QUANTIZERS[method].realizable(scheme, alpha, levels);
}
