/**
 * mes-sigma — MES under the levels' programming σ: k* and α minimise the expected squared error
 *   E[(w − α(G_k + ε_k − G₀ − ε₀))²] = (|w| − c_k)² + α²(σ_k² + σ₀²)
 * (bias: σ_ref, the mean level σ, for σ₀). k* is read off the lower envelope of those parabolas;
 * α is searched from MES's own α, so the expected error is never above MES's. With every σ = 0 it
 * is MES exactly.
 */
import { chooseSingleLevel, leastExpected } from './single-level';
import { expectedScale } from '../core';
import { levelValues, type Quantizer } from './quantizer';

export const mesSigma: Quantizer = {
  id: 'mes-sigma',
  label: 'MES-σ',
  color: '#3fb950',
  marker: 'triangle',
  dash: '6 3',
  description: 'MES minimising the expected error under each level’s programming σ',
  perChip: true,
  schemes: ['differential', 'bias'],
  atSigmaZero: 'mes',
  choose: (input) =>
    chooseSingleLevel(input, {
      alpha: (f) => expectedScale(f.x, f.d, f.v, f.alphaMax, [f.mesAlpha()]),
      chooser: leastExpected,
    }),
  realizable: levelValues,
};
