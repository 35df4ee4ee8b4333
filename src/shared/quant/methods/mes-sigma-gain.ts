/**
 * mes-sigma-gain — MES-σ's levels with α raised so the layer keeps its gain:
 *   α ← α / g, ŵ ← ŵ / g, g = Σw·ŵ / Σw²
 * The expected-error optimum shrinks weights (g < 1) and a deep network multiplies the shrinkage
 * layer after layer while its biases stay put. With every σ = 0 it is MES's levels, gain-corrected.
 */
import { mes } from './mes';
import { mesSigma } from './mes-sigma';
import { levelValues, type Quantizer } from './quantizer';

/** Σw·ŵ / Σw²: the least-squares slope of the realised weights on the weights (1 for no weights). */
export function layerGain(weights: ArrayLike<number>, realized: Float64Array): number {
  let cross = 0;
  let power = 0;
  for (let i = 0; i < weights.length; i++) {
    cross += weights[i]! * realized[i]!;
    power += weights[i]! * weights[i]!;
  }
  return power > 0 ? cross / power : 1;
}

export const mesSigmaGain: Quantizer = {
  id: 'mes-sigma-gain',
  label: 'MES-σ gain 1',
  color: '#2ea8a0',
  marker: 'down',
  dash: '2 2',
  description:
    'MES-σ’s levels with α raised so each layer keeps its gain (Σw·ŵ = Σw²): no shrinkage to compound through a deep network',
  perChip: true,
  schemes: ['differential', 'bias'],
  choose: (input) => {
    const base = input.sigma.every((s) => s === 0) ? mes : mesSigma;
    const choice = base.choose(input);
    const gain = layerGain(input.weights, choice.realized);
    if (!(gain > 0)) return choice;
    for (let i = 0; i < input.n; i++) choice.realized[i] = choice.realized[i]! / gain;
    return { ...choice, alpha: choice.alpha / gain };
  },
  realizable: levelValues,
};
