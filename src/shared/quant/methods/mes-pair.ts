/**
 * mes-pair — any pair of levels realises a weight: ŵ = the value nearest to w among
 * α·(G_i − G_j) over all i, j (the pair of least variance where several make the same value);
 * α of least squared error, searched from MES's α too. Needs the differential scheme.
 */
import { mseScale, nearestIndex, uniquePairs } from '../core';
import { choosePairs, pairValues } from './pairs';
import type { Quantizer } from './quantizer';

export const mesPair: Quantizer = {
  id: 'mes-pair',
  label: 'MES pair',
  color: '#d29922',
  marker: 'cross',
  dash: '8 3 2 3',
  description: 'any pair of levels realises a weight: G⁺ − G⁻ over all pairs',
  perChip: true,
  schemes: ['differential'],
  schemeNote: 'chooses both cells of a pair',
  choose: (input) =>
    choosePairs(input, (f) => {
      const { values, pairs } = uniquePairs(input.levels, input.sigma);
      const alpha =
        input.scale === 'mse' ? mseScale(input.weights, values, f.alphaMax, [f.mesAlpha]) : f.alphaMax;
      const candidates = values.map((x) => alpha * x);
      return { alpha, pairOf: (w) => pairs[nearestIndex(candidates, w)]! };
    }),
  realizable: (_scheme, alpha, levels) => pairValues(alpha, levels),
};
