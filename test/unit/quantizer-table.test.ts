/**
 * The quantizers as declared parts (src/shared/quant/methods/): every method's chosen weights are
 * among the values its `realizable` lists at its α; the σ-aware methods at σ = 0 are exactly their
 * declared σ-free methods; a scheme a method does not declare is refused with its reason. Fixed
 * seeds, random layers and level tables.
 */
import { describe, expect, it } from 'vitest';
import { QUANTIZERS, QUANT_METHODS, worksIn } from '../../src/shared/quant/methods';
import { candidateWeights, MAPPING_SCHEMES, quantizeLayer } from '../../src/shared/quant/quantize';
import { Rng } from '../../src/shared/random';

function layer(seed: number) {
  const rng = new Rng(seed);
  const L = 4 + Math.floor(rng.next() * 6);
  const levels: number[] = [];
  let g = 1e-6 * (1 + rng.next());
  for (let k = 0; k < L; k++) levels.push((g += 1e-6 * (0.2 + rng.next())));
  const sigma = levels.map(() => 1e-7 * rng.next());
  const weights = Array.from({ length: 200 }, () => rng.normal() * 0.1);
  return { levels, sigma, weights };
}

describe('the quantizer table', () => {
  it('every method realises only values its realizable() lists, in every scheme it declares', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { levels, sigma, weights } = layer(seed);
      for (const method of QUANT_METHODS)
        for (const scheme of MAPPING_SCHEMES) {
          if (!worksIn(method, scheme)) continue;
          const q = quantizeLayer('x', weights, levels, { method, scheme, sigma });
          const values = candidateWeights(method, scheme, q.alpha, levels);
          for (const w of q.realized) {
            const target = scheme === 'differential' ? Math.abs(w) : w;
            const nearest = Math.min(...values.map((v) => Math.abs(v - target)));
            expect(nearest, `${method} ${scheme} seed ${seed}`).toBeLessThan(
              1e-12 * Math.max(1, Math.abs(target)),
            );
          }
        }
    }
  });

  it('at σ = 0 a σ-aware method is its declared σ-free method, exactly', () => {
    const aware = QUANT_METHODS.filter((m) => QUANTIZERS[m].atSigmaZero !== undefined);
    expect(aware).toEqual(['mes-sigma', 'mes-pair-sigma']);
    for (let seed = 1; seed <= 5; seed++) {
      const { levels, weights } = layer(seed);
      for (const method of aware) {
        const plain = QUANTIZERS[method].atSigmaZero!;
        const a = quantizeLayer('x', weights, levels, { method });
        const b = quantizeLayer('x', weights, levels, { method: plain });
        expect({ ...a, method: plain }).toEqual(b);
      }
    }
  });

  it('a scheme a method does not declare is refused with its reason', () => {
    const { levels, weights } = layer(3);
    expect(QUANT_METHODS.filter((m) => !worksIn(m, 'bias'))).toEqual(['mes-pair', 'mes-pair-sigma']);
    expect(() => quantizeLayer('x', weights, levels, { method: 'mes-pair', scheme: 'bias' })).toThrow(
      'mes-pair chooses both cells of a pair: it needs the differential scheme.',
    );
  });
});
