/**
 * ideal-linear — what a perfectly linear device would give: evenly spaced levels over the layer's
 * range, no programming spread (a reference, not a device).
 *   differential: Δ = m/(L−1), k = clamp(round(|w|/Δ)), ŵ = sign(w)·k·Δ
 *   bias:         k = clamp(round((w + m)/(2m)·(L−1))), ŵ = −m + k·2m/(L−1)
 */
import { chooseSingleLevel } from './single-level';
import type { Quantizer } from './quantizer';

export const idealLinear: Quantizer = {
  id: 'ideal-linear',
  label: 'ideal linear',
  color: '#a371f7',
  marker: 'diamond',
  dash: '2 3',
  description: 'evenly spaced levels: what a perfectly linear device would give',
  perChip: false,
  ideal: true,
  schemes: ['differential', 'bias'],
  choose: (input) =>
    chooseSingleLevel(input, {
      alpha: (f) => f.alphaMax,
      chooser: (f) => f.gridIndex,
      value: (f, k) => f.gridValue(k),
    }),
  realizable: (scheme, alpha, levels) => {
    const L = levels.length;
    const span = levels[L - 1]! - levels[0]!;
    const step = (alpha * span) / (L - 1);
    return levels.map((_, k) => (scheme === 'differential' ? k * step : -(alpha * span) / 2 + k * step));
  },
};
