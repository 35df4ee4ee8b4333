/**
 * linear — the baseline: weights rounded on an evenly spaced grid, then written to the measured
 * levels, so the grid's level k realises α·d_k however far the device's G_k is from the grid.
 *   k as ideal-linear's, ŵ = sign(w)·α·(G_k − G₀), α = m/(G_{L−1} − G₀)   (bias: G_ref for G₀, 2m)
 */
import { chooseSingleLevel } from './single-level';
import { levelValues, type Quantizer } from './quantizer';

export const linear: Quantizer = {
  id: 'linear',
  label: 'linear',
  color: '#f85149',
  marker: 'square',
  description: 'levels chosen on a linear grid, written to the real device (the baseline)',
  perChip: true,
  schemes: ['differential', 'bias'],
  choose: (input) => chooseSingleLevel(input, { alpha: (f) => f.alphaMax, chooser: (f) => f.gridIndex }),
  realizable: levelValues,
};
