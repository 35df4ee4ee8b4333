import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitError, fitPulseCurve, type CurveSample } from '../../src/shared/levels/fit';
import { conductanceAfter, modelFromNl } from '../../src/shared/levels/pulse-model';
import { Rng } from '../../src/shared/random';

function synthetic(p: {
  gMin: number;
  gMax: number;
  nl: number;
  pMax: number;
  sigma: number;
  cycles: number;
  seed: number;
  direction: 'ltp' | 'ltd';
}): CurveSample[] {
  const model = modelFromNl(p);
  const rng = new Rng(p.seed);
  const samples: CurveSample[] = [];
  for (let cycle = 0; cycle < p.cycles; cycle++) {
    for (let n = 0; n <= p.pMax; n++) {
      samples.push({
        n,
        cycle,
        g: conductanceAfter(model, n, p.direction) + p.sigma * (p.gMax - p.gMin) * rng.normal(),
      });
    }
  }
  return samples;
}

const curve = fc.record({
  gMin: fc.double({ min: 1e-9, max: 1e-4, noNaN: true }),
  ratio: fc.double({ min: 1.5, max: 50, noNaN: true }),
  nl: fc.double({ min: 0.1, max: 6, noNaN: true }),
  pMax: fc.integer({ min: 16, max: 256 }),
  direction: fc.constantFrom('ltp' as const, 'ltd' as const),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
});

describe('pulse-response fit (Levenberg–Marquardt)', () => {
  it('recovers Gmin, Gmax and NL within 1 % from noiseless curves, NL 0.1–6', () => {
    fc.assert(
      fc.property(curve, (c) => {
        const truth = { ...c, gMax: c.gMin * c.ratio, sigma: 0, cycles: 1 };
        const fit = fitPulseCurve(synthetic(truth), c.direction);
        expect(Math.abs(fit.gMin - truth.gMin) / truth.gMin).toBeLessThanOrEqual(0.01);
        expect(Math.abs(fit.gMax - truth.gMax) / truth.gMax).toBeLessThanOrEqual(0.01);
        expect(Math.abs(fit.nl - truth.nl) / truth.nl).toBeLessThanOrEqual(0.01);
        expect(fit.r2).toBeGreaterThan(0.999999);
      }),
      { numRuns: 150 },
    );
  });

  it('with noise, the truth lies within the reported uncertainty (4 standard errors, every case)', () => {
    fc.assert(
      fc.property(
        curve,
        fc.double({ min: 0.005, max: 0.05, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        (c, sigma, cycles) => {
          const truth = { ...c, gMax: c.gMin * c.ratio, sigma, cycles };
          const fit = fitPulseCurve(synthetic(truth), c.direction);
          expect(Math.abs(fit.gMin - truth.gMin)).toBeLessThanOrEqual(4 * fit.uncertainty.gMin);
          expect(Math.abs(fit.gMax - truth.gMax)).toBeLessThanOrEqual(4 * fit.uncertainty.gMax);
          expect(Math.abs(fit.nl - truth.nl)).toBeLessThanOrEqual(4 * fit.uncertainty.nl);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the one-standard-error bars are calibrated: the truth is within ±1.96 SE about 95 % of the time', () => {
    const rng = new Rng(42);
    let inside = 0;
    const trials = 300;
    for (let k = 0; k < trials; k++) {
      const nl = 0.3 + 5 * rng.next();
      const fit = fitPulseCurve(
        synthetic({
          gMin: 1e-6,
          gMax: 1e-5,
          nl,
          pMax: 50,
          sigma: 0.02,
          cycles: 2,
          seed: k,
          direction: 'ltp',
        }),
        'ltp',
      );
      if (Math.abs(fit.nl - nl) <= 1.96 * fit.uncertainty.nl) inside++;
    }
    console.log(
      `NL 95 % interval coverage over ${trials} synthetic curves: ${((100 * inside) / trials).toFixed(1)} %`,
    );
    expect(inside / trials).toBeGreaterThan(0.9);
    expect(inside / trials).toBeLessThan(0.99);
  });

  it('the case a new seed once failed on (NL 4.15 SE off) is a tail draw: its bars cover the truth at that configuration', () => {
    // FC_SEED=779271653 found this curve with the NL estimate 4.15 standard errors from the truth.
    // Re-drawn 500 times at the same configuration, the bars are calibrated (slightly wide), so
    // the case is a 1-in-30,000 tail, not an under-estimate.
    const truth = {
      gMin: 1.1195131222619243e-5,
      gMax: 1.1195131222619243e-5 * 3.553157904420252,
      nl: 3.3731606650210635,
      pMax: 167,
      sigma: 0.022177661552165714,
      cycles: 3,
      direction: 'ltp' as const,
    };
    const z: number[] = [];
    for (let seed = 0; seed < 500; seed++) {
      const fit = fitPulseCurve(synthetic({ ...truth, seed }), 'ltp');
      z.push((fit.nl - truth.nl) / fit.uncertainty.nl);
    }
    const coverage = z.filter((v) => Math.abs(v) <= 1.96).length / z.length;
    expect(coverage).toBeGreaterThan(0.93);
    expect(coverage).toBeLessThan(0.985);
    expect(z.filter((v) => Math.abs(v) > 4)).toHaveLength(0);
  }, 30_000);

  it('reports the cycle-to-cycle σ from the residuals', () => {
    const fit = fitPulseCurve(
      synthetic({
        gMin: 1e-6,
        gMax: 1e-5,
        nl: 2,
        pMax: 100,
        sigma: 0.03,
        cycles: 5,
        seed: 1,
        direction: 'ltp',
      }),
      'ltp',
    );
    expect(fit.c2cSigma).toBeGreaterThan(0.025);
    expect(fit.c2cSigma).toBeLessThan(0.035);
  });

  describe('rejects data it cannot fit, with the reason', () => {
    const good = synthetic({
      gMin: 1e-6,
      gMax: 1e-5,
      nl: 2,
      pMax: 20,
      sigma: 0,
      cycles: 1,
      seed: 1,
      direction: 'ltp',
    });
    it.each([
      ['too few points', good.slice(0, 4), /Too few points/],
      ['a NaN', good.map((s, k) => (k === 5 ? { ...s, g: Number.NaN } : s)), /non-finite value \(point 5/],
      [
        'compliance-clipped reads',
        good.map((s, k) => (k > 15 ? { ...s, compliance: true } : s)),
        /hit the current compliance/,
      ],
      ['non-monotonic data', good.map((s) => ({ ...s, g: 1e-6 * (1 + Math.sin(s.n)) })), /not monotonic/],
      ['a falling curve fitted as potentiation', good.map((s) => ({ ...s, g: 2e-5 - s.g })), /not monotonic/],
      ['a single pulse count', good.map((s) => ({ ...s, n: 3 })), /distinct pulse counts/],
    ])('%s', (_name, samples, message) => {
      expect(() => fitPulseCurve(samples, 'ltp')).toThrow(FitError);
      expect(() => fitPulseCurve(samples, 'ltp')).toThrow(message);
    });
  });
});
