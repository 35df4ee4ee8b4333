/**
 * mes — minimum error substitution: each weight takes the measured level nearest to it.
 *   ŵ = sign(w)·c_{k*}, c_k = α·(G_k − G₀), k* = argmin_k ||w| − c_k|
 *   α = α_max = m/(G_{L−1} − G₀) (scale 'max'), or the α of least Σ(|w| − c_{k*})² ('mse')
 * (bias: w itself against α·(G_k − G_ref)).
 */
import { chooseSingleLevel, nearest } from './single-level';
import { levelValues, type Quantizer } from './quantizer';

export const mes: Quantizer = {
  id: 'mes',
  label: 'MES',
  color: '#388bfd',
  marker: 'circle',
  description: 'minimum error substitution: the measured level nearest to each weight',
  perChip: true,
  schemes: ['differential', 'bias'],
  choose: (input) => chooseSingleLevel(input, { alpha: (f) => f.mesAlpha(), chooser: nearest }),
  realizable: levelValues,
};
