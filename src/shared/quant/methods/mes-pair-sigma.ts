/**
 * mes-pair-sigma — the pair and α of least expected squared error under σ:
 *   (w − α(G_i − G_j))² + α²(σ_i² + σ_j²)
 * α is searched from MES's, mes-pair's and MES-σ's own α, so it is never worse than those. With
 * every σ = 0 it is mes-pair exactly. Needs the differential scheme.
 */
import { ExpectedErrorEnvelope, expectedScale, mseScale, pairCandidates, uniquePairs } from '../core';
import { choosePairs, pairValues } from './pairs';
import type { Quantizer } from './quantizer';

export const mesPairSigma: Quantizer = {
  id: 'mes-pair-sigma',
  label: 'MES pair-σ',
  color: '#db61a2',
  marker: 'diamond',
  dash: '4 2',
  description: 'pairs chosen for the least expected error under σ',
  perChip: true,
  schemes: ['differential'],
  schemeNote: 'chooses both cells of a pair',
  atSigmaZero: 'mes-pair',
  choose: (input) =>
    choosePairs(input, (f) => {
      const { levels, sigma, weights } = input;
      const { d, v } = pairCandidates(levels, sigma);
      const plain = uniquePairs(levels, sigma);
      const singleVariance = sigma.map((x) => x * x + sigma[0]! ** 2);
      const alpha = expectedScale(weights, d, v, f.alphaMax, [
        f.mesAlpha,
        mseScale(weights, plain.values, f.alphaMax, [f.mesAlpha]),
        expectedScale(f.magnitudes, f.single, singleVariance, f.alphaMax, [f.mesAlpha]),
      ]);
      const envelope = new ExpectedErrorEnvelope(d, v, alpha);
      return { alpha, pairOf: (w) => envelope.best(w) };
    }),
  realizable: (_scheme, alpha, levels) => pairValues(alpha, levels),
};
