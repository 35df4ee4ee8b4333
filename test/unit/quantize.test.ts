import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/shared/random';
import {
  candidateWeights,
  ExpectedErrorEnvelope,
  nearestIndex,
  quantizeLayer,
  type MappingScheme,
} from '../../src/shared/quant/quantize';

// A strongly non-linear 4-level table (S) and its linear twin with the same window.
const G = [1e-6, 4e-6, 6e-6, 7e-6];
const LINEAR = [1e-6, 3e-6, 5e-6, 7e-6];

describe('quantizers, hand-computed cases (differential)', () => {
  const w = [0.6, -0.3, 0.1, 0];
  // m = 0.6, Δ = 0.2, k = round(|w|/Δ) = [3, 2, 1, 0] (0.1/0.2 = 0.5 rounds up), α = 0.6/6e-6 = 1e5.
  it('ideal-linear: s·k·Δ', () => {
    const q = quantizeLayer('l', w, G, { method: 'ideal-linear' });
    expect(Array.from(q.levelIndex)).toEqual([3, 2, 1, 0]);
    expect(Array.from(q.realized)).toEqual(
      [0.6, -0.4, 0.2, 0].map((x, i) => (i === 1 ? -0.4 : x)).map((x) => expect.closeTo(x, 12)),
    );
  });

  it('linear: the same k written to the real levels, s·α·(G_k − G₀)', () => {
    const q = quantizeLayer('l', w, G, { method: 'linear' });
    expect(q.alpha).toBeCloseTo(1e5, 6);
    expect(Array.from(q.levelIndex)).toEqual([3, 2, 1, 0]);
    // α(G − G₀) = [0, 0.3, 0.5, 0.6]
    expect(Array.from(q.realized)).toEqual([0.6, -0.5, 0.3, 0].map((x) => expect.closeTo(x, 12)));
    expect(q.maxError).toBeCloseTo(0.2, 12);
    expect(q.mse).toBeCloseTo((0 + 0.04 + 0.04 + 0) / 4, 12);
    expect(q.histogram).toEqual([1, 1, 1, 1]);
  });

  it('mes with --scale max: the nearest of α(G_k − G₀)', () => {
    const q = quantizeLayer('l', w, G, { method: 'mes', scale: 'max' });
    // candidates [0, 0.3, 0.5, 0.6]: 0.6→3, 0.3→1, 0.1→0 (0.1 < 0.15), 0→0
    expect(Array.from(q.levelIndex)).toEqual([3, 1, 0, 0]);
    expect(Array.from(q.realized)).toEqual([0.6, -0.3, 0, 0].map((x) => expect.closeTo(x, 12)));
    expect(q.mse).toBeCloseTo(0.01 / 4, 12);
    expect(candidateWeights('mes', 'differential', q.alpha, G)).toEqual(
      [0, 0.3, 0.5, 0.6].map((x) => expect.closeTo(x, 12)),
    );
  });

  it('mes with --scale mse: α minimises the squared error, never worse than max', () => {
    // Nine weights at 0.15 sit exactly between the max-scale candidates 0 and 0.3; halving α
    // puts a level on them at the cost of clipping the single 0.6.
    const weights = [...new Array<number>(9).fill(0.15), 0.6];
    const max = quantizeLayer('l', weights, G, { method: 'mes', scale: 'max' });
    const mse = quantizeLayer('l', weights, G, { method: 'mes', scale: 'mse' });
    expect(max.mse).toBeCloseTo((9 * 0.15 ** 2) / 10, 12);
    expect(mse.mse).toBeLessThan(max.mse);
    // α is a local optimum: nudging it either way does not lower the error.
    const errorAt = (alpha: number) =>
      weights.reduce((s, x) => {
        const c = G.map((g) => alpha * (g - G[0]!));
        return s + (Math.abs(x) - c[nearestIndex(c, Math.abs(x))]!) ** 2;
      }, 0) / weights.length;
    expect(errorAt(mse.alpha)).toBeCloseTo(mse.mse, 15);
    expect(errorAt(mse.alpha * 1.01)).toBeGreaterThanOrEqual(mse.mse - 1e-15);
    expect(errorAt(mse.alpha * 0.99)).toBeGreaterThanOrEqual(mse.mse - 1e-15);
  });
});

describe('quantizers, bias-column scheme (G_ref = (G₀ + G_{L−1})/2)', () => {
  // m = 0.6; grid −0.6 + k·0.4; α = 2m/(G₃ − G₀) = 2e5; α(G − G_ref) = [−0.6, 0, 0.4, 0.6].
  const w = [0.6, -0.6, 0.1, -0.1];
  it('ideal-linear: k = round((w + m)/(2m)·(L − 1))', () => {
    const q = quantizeLayer('l', w, G, { method: 'ideal-linear', scheme: 'bias' });
    expect(Array.from(q.levelIndex)).toEqual([3, 0, 2, 1]);
    expect(Array.from(q.realized)).toEqual([0.6, -0.6, 0.2, -0.2].map((x) => expect.closeTo(x, 12)));
  });
  it('linear and mes', () => {
    const linear = quantizeLayer('l', w, G, { method: 'linear', scheme: 'bias' });
    expect(linear.alpha).toBeCloseTo(2e5, 6);
    expect(Array.from(linear.realized)).toEqual([0.6, -0.6, 0.4, 0].map((x) => expect.closeTo(x, 12)));
    const mes = quantizeLayer('l', w, G, { method: 'mes', scheme: 'bias', scale: 'max' });
    expect(Array.from(mes.realized)).toEqual([0.6, -0.6, 0, 0].map((x) => expect.closeTo(x, 12)));
  });
});

describe('quantizer properties', () => {
  const levels = fc
    .array(fc.double({ min: 1e-9, max: 1e-3, noNaN: true }), { minLength: 2, maxLength: 32 })
    .map((xs) => [...new Set(xs)].sort((a, b) => a - b))
    .filter((xs) => xs.length >= 2 && xs.every((x, i) => i === 0 || x > xs[i - 1]! * (1 + 1e-9)));
  const weights = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 200 });
  const scheme = fc.constantFrom<MappingScheme>('differential', 'bias');

  it('MES error ≤ linear error on every input (per weight with --scale max, in MSE with --scale mse)', () => {
    fc.assert(
      fc.property(levels, weights, scheme, (g, w, s) => {
        const linear = quantizeLayer('l', w, g, { method: 'linear', scheme: s });
        const mesMax = quantizeLayer('l', w, g, { method: 'mes', scheme: s, scale: 'max' });
        const mesMse = quantizeLayer('l', w, g, { method: 'mes', scheme: s, scale: 'mse' });
        w.forEach((x, i) =>
          expect(Math.abs(x - mesMax.realized[i]!)).toBeLessThanOrEqual(
            Math.abs(x - linear.realized[i]!) + 1e-12,
          ),
        );
        expect(mesMse.mse).toBeLessThanOrEqual(mesMax.mse * (1 + 1e-12) + 1e-30);
        expect(mesMse.mse).toBeLessThanOrEqual(linear.mse * (1 + 1e-12) + 1e-30);
      }),
    );
  });

  it('on a perfectly linear table, mes with --scale max equals ideal-linear', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 64 }),
        fc.double({ min: 1e-8, max: 1e-5, noNaN: true }),
        weights,
        scheme,
        (L, step, w, s) => {
          const g = Array.from({ length: L }, (_, k) => 1e-7 + k * step);
          const ideal = quantizeLayer('l', w, g, { method: 'ideal-linear', scheme: s });
          const mes = quantizeLayer('l', w, g, { method: 'mes', scheme: s, scale: 'max' });
          const m = Math.max(...w.map(Math.abs));
          const tolerance = 1e-9 * m + 1e-300;
          w.forEach((x, i) => {
            const mesError = Math.abs(x - mes.realized[i]!);
            const idealError = Math.abs(x - ideal.realized[i]!);
            // The same value, except at an exact tie between two levels, where both are equally near.
            if (Math.abs(mes.realized[i]! - ideal.realized[i]!) > tolerance)
              expect(Math.abs(mesError - idealError)).toBeLessThanOrEqual(tolerance);
          });
        },
      ),
    );
  });

  it('outputs are monotone in w and signs are preserved', () => {
    fc.assert(
      fc.property(
        levels,
        weights,
        fc.constantFrom('ideal-linear' as const, 'linear' as const, 'mes' as const),
        scheme,
        (g, w, method, s) => {
          const sorted = [...w].sort((a, b) => a - b);
          const q = quantizeLayer('l', sorted, g, { method, scheme: s, scale: 'max' });
          for (let i = 1; i < sorted.length; i++)
            expect(q.realized[i]!).toBeGreaterThanOrEqual(q.realized[i - 1]! - 1e-12);
          if (s === 'differential')
            sorted.forEach((x, i) => expect(q.realized[i]! * x).toBeGreaterThanOrEqual(0));
        },
      ),
    );
  });

  it('NaN or infinite weights are errors, not zeros', () => {
    expect(() => quantizeLayer('fc1', [0.1, Number.NaN], G, { method: 'mes' })).toThrow(
      /Layer 'fc1' has a non-finite weight at index 1/,
    );
    expect(() => quantizeLayer('fc1', [Infinity], G, { method: 'linear' })).toThrow(/non-finite/);
    expect(() => quantizeLayer('fc1', [0.1], [1e-6], { method: 'mes' })).toThrow(/at least 2 levels/);
    expect(() => quantizeLayer('fc1', [0.1], [2e-6, 1e-6], { method: 'mes' })).toThrow(/ascend/);
  });

  it('linear differs from ideal-linear exactly by the level non-linearity', () => {
    const q = quantizeLayer('l', [0.2, 0.4], LINEAR, { method: 'linear' });
    const ideal = quantizeLayer('l', [0.2, 0.4], LINEAR, { method: 'ideal-linear' });
    expect(Array.from(q.realized)).toEqual(Array.from(ideal.realized).map((x) => expect.closeTo(x, 12)));
  });
});

describe('layer gain Σw·ŵ / Σw²', () => {
  it('is exactly 1 when every weight is realisable, and is the slope of ŵ on w', () => {
    const G = [1e-6, 2e-6, 4e-6, 8e-6];
    // α = 1/(G₃ − G₀) maps weight 1 to (G₃, G₀); each weight below is a difference of two levels.
    const alpha = 1 / (8e-6 - 1e-6);
    const exact = [1, -1, (4e-6 - 1e-6) * alpha, (2e-6 - 1e-6) * -alpha, 0];
    const q = quantizeLayer('l', exact, G, { method: 'mes', scale: 'max' });
    expect(q.mse).toBeLessThan(1e-20);
    expect(q.gain).toBeCloseTo(1, 12);
    const w = [0.3, -0.7, 0.9, 0.05, -0.2];
    const r = quantizeLayer('l', w, G, { method: 'linear' });
    const slope = w.reduce((a, x, i) => a + x * r.realized[i]!, 0) / w.reduce((a, x) => a + x * x, 0);
    expect(r.gain).toBeCloseTo(slope, 12);
  });

  it('mes-sigma buys its lower expected MSE with shrinkage when σ is large (gain below mes)', () => {
    const g = Array.from({ length: 8 }, (_, k) => 1e-6 * (1 + 7 * Math.sqrt(k / 7)));
    const sigma = g.map(() => 0.25 * (g[7]! - g[0]!));
    const w = Array.from({ length: 400 }, (_, i) => Math.sin(i * 12.9898) * 0.8);
    const mes = quantizeLayer('l', w, g, { method: 'mes', sigma });
    const sigmaAware = quantizeLayer('l', w, g, { method: 'mes-sigma', sigma });
    expect(sigmaAware.expectedMse).toBeLessThan(mes.expectedMse);
    expect(sigmaAware.gain).toBeLessThan(mes.gain);
  });
});

describe('mes-sigma-gain', () => {
  it('keeps mes-sigma’s levels and restores a gain of exactly 1 (random tables, σ and weights)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-7, max: 1e-4, noNaN: true }), { minLength: 2, maxLength: 16 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 200 }),
        fc.constantFrom<MappingScheme>('differential', 'bias'),
        (xs, fraction, w, scheme) => {
          const g = [...new Set(xs)].sort((a, b) => a - b);
          fc.pre(g.length >= 2 && g[g.length - 1]! > g[0]! * 1.01 && w.some((x) => Math.abs(x) > 1e-3));
          const sigma = g.map(() => fraction * (g[g.length - 1]! - g[0]!));
          const plain = quantizeLayer('l', w, g, { method: 'mes-sigma', scheme, sigma });
          const kept = quantizeLayer('l', w, g, { method: 'mes-sigma-gain', scheme, sigma });
          expect(kept.method).toBe('mes-sigma-gain');
          expect([...kept.plus]).toEqual([...plain.plus]);
          expect([...kept.minus]).toEqual([...plain.minus]);
          if (plain.gain > 0) {
            expect(kept.gain).toBeCloseTo(1, 9);
            expect(kept.alpha).toBeCloseTo(
              plain.alpha / plain.gain,
              9 - Math.log10(plain.alpha / plain.gain),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('σ-aware and pair methods (docs/methods.md)', () => {
  // Levels and their σ, with σ up to 30 % of the window: levels that overlap, as real ones do.
  const table = fc
    .tuple(
      fc.array(fc.double({ min: 1e-7, max: 1e-4, noNaN: true }), { minLength: 2, maxLength: 24 }),
      fc.array(fc.double({ min: 0, max: 0.3, noNaN: true }), { minLength: 24, maxLength: 24 }),
    )
    .map(([xs, fractions]) => {
      const g = [...new Set(xs)]
        .sort((a, b) => a - b)
        .filter((x, i, a) => i === 0 || x > a[i - 1]! * (1 + 1e-6));
      const window = g[g.length - 1]! - g[0]!;
      return { g, sigma: g.map((_, k) => fractions[k]! * window) };
    })
    .filter(({ g }) => g.length >= 2);
  const weights = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 120 });
  const scheme = fc.constantFrom<MappingScheme>('differential', 'bias');
  const tolerance = (x: number) => x * (1 + 1e-9) + 1e-300;

  it('mes-sigma: expected MSE never above mes or linear on the same table and σ', () => {
    fc.assert(
      fc.property(table, weights, scheme, ({ g, sigma }, w, s) => {
        const q = (method: 'linear' | 'mes' | 'mes-sigma') =>
          quantizeLayer('l', w, g, { method, scheme: s, sigma });
        const sigmaAware = q('mes-sigma');
        expect(sigmaAware.expectedMse).toBeLessThanOrEqual(tolerance(q('mes').expectedMse));
        expect(sigmaAware.expectedMse).toBeLessThanOrEqual(tolerance(q('linear').expectedMse));
      }),
      { numRuns: 300 },
    );
  });

  it('with σ = 0, mes-sigma is mes and mes-pair-sigma is mes-pair, exactly', () => {
    fc.assert(
      fc.property(table, weights, scheme, ({ g }, w, s) => {
        const zero = g.map(() => 0);
        const a = quantizeLayer('l', w, g, { method: 'mes', scheme: s, sigma: zero });
        const b = quantizeLayer('l', w, g, { method: 'mes-sigma', scheme: s, sigma: zero });
        expect([b.alpha, Array.from(b.plus), Array.from(b.minus), Array.from(b.realized)]).toEqual([
          a.alpha,
          Array.from(a.plus),
          Array.from(a.minus),
          Array.from(a.realized),
        ]);
        if (s === 'differential') {
          const c = quantizeLayer('l', w, g, { method: 'mes-pair', sigma: zero });
          const d = quantizeLayer('l', w, g, { method: 'mes-pair-sigma', sigma: zero });
          expect(Array.from(d.realized)).toEqual(Array.from(c.realized));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('mes-pair (any pair of levels) never does worse than mes, with or without σ', () => {
    fc.assert(
      fc.property(table, weights, ({ g, sigma }, w) => {
        const q = (method: 'mes' | 'mes-sigma' | 'mes-pair' | 'mes-pair-sigma', withSigma = true) =>
          quantizeLayer('l', w, g, { method, ...(withSigma ? { sigma } : {}) });
        expect(q('mes-pair', false).mse).toBeLessThanOrEqual(tolerance(q('mes', false).mse));
        expect(q('mes-pair-sigma').expectedMse).toBeLessThanOrEqual(tolerance(q('mes-sigma').expectedMse));
        expect(q('mes-pair-sigma').expectedMse).toBeLessThanOrEqual(tolerance(q('mes-pair').expectedMse));
        // The pair really is a pair of programmed levels.
        const pair = q('mes-pair', false);
        w.forEach((_, i) =>
          expect(pair.realized[i]!).toBeCloseTo(pair.alpha * (g[pair.plus[i]!]! - g[pair.minus[i]!]!), 12),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('the expected error is the squared error plus α²(σ⁺² + σ⁻²), checked by sampling the cells', () => {
    const g = [1e-6, 3e-6, 4e-6, 4.5e-6];
    const sigma = [0.1e-6, 0.3e-6, 0.4e-6, 0.2e-6];
    const w = [0.9, -0.5, 0.2, 0, -0.05, 0.7];
    const q = quantizeLayer('l', w, g, { method: 'mes-sigma', sigma });
    const rng = new Rng(11);
    let sum = 0;
    const draws = 200_000;
    for (let t = 0; t < draws; t++) {
      for (let i = 0; i < w.length; i++) {
        const plus = g[q.plus[i]!]! + sigma[q.plus[i]!]! * rng.normal();
        const minus = g[q.minus[i]!]! + sigma[q.minus[i]!]! * rng.normal();
        sum += (w[i]! - q.alpha * (plus - minus)) ** 2;
      }
    }
    expect(sum / draws / w.length).toBeCloseTo(q.expectedMse, 3);
  });

  it('the convex-hull envelope picks the same level as an exhaustive search', () => {
    fc.assert(
      fc.property(
        table,
        fc.double({ min: 0.1, max: 1e6, noNaN: true }),
        weights,
        ({ g, sigma }, alpha, w) => {
          const d = g.map((x) => x - g[0]!);
          const v = sigma.map((x) => x * x + sigma[0]! ** 2);
          const envelope = new ExpectedErrorEnvelope(d, v, alpha);
          for (const x of w) {
            const t = Math.abs(x) * alpha * d[d.length - 1]!;
            const costs = d.map((dk, k) => (t - alpha * dk) ** 2 + alpha * alpha * v[k]!);
            const best = Math.min(...costs);
            expect(costs[envelope.best(t)]!).toBeLessThanOrEqual(best * (1 + 1e-9) + 1e-300);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the pair methods need the differential scheme', () => {
    expect(() => quantizeLayer('l', [0.1], [1e-6, 2e-6], { method: 'mes-pair', scheme: 'bias' })).toThrow(
      /needs the differential scheme/,
    );
  });
});
