import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normalisedMagnitudes,
  placeLevels,
  placementError,
  tableSigma,
  verifySigma,
} from '../../src/shared/quant/placement';
import { Rng } from '../../src/shared/random';

const noSigma = (targets: readonly number[]) => targets.map(() => 0);

/** Mean squared distance of t to the nearest normalised target: the σ = 0 error, computed directly. */
function directError(t: readonly number[], targets: readonly number[]): number {
  const g0 = targets[0]!;
  const span = targets[targets.length - 1]! - g0;
  const d = targets.map((g) => (g - g0) / span);
  return t.reduce((sum, x) => sum + Math.min(...d.map((c) => (x - c) ** 2)), 0) / t.length;
}

describe('level placement (Lloyd–Max with σ)', () => {
  it('σ = 0: the expected error is the nearest-target squared error', () => {
    const rng = new Rng(2);
    const t = Array.from({ length: 500 }, () => rng.next());
    const targets = [1e-6, 1.3e-6, 2.9e-6, 4e-6];
    expect(placementError(t, targets, [0, 0, 0, 0])).toBeCloseTo(directError(t, targets), 12);
  });

  it('uniform magnitudes and σ = 0: even spacing is the optimum, and placement keeps it', () => {
    const t = Array.from({ length: 7001 }, (_, i) => i / 7000);
    const p = placeLevels([t], { gMin: 0, gMax: 1, count: 8, sigma: noSigma, margin: 0 });
    p.targets.forEach((g, k) => expect(Math.abs(g - k / 7)).toBeLessThan(2e-3));
    expect(p.expectedError).toBeCloseTo(p.evenExpectedError, 6);
  });

  it('matches a brute-force search for the one free target of three (exponential magnitudes, σ = 0)', () => {
    const rng = new Rng(5);
    const t = Array.from({ length: 2000 }, () => Math.min(1, -Math.log(1 - rng.next()) / 5));
    const p = placeLevels([t], { gMin: 0, gMax: 1, count: 3, sigma: noSigma, margin: 0, iterations: 500 });
    let best = { x: 0, error: Infinity };
    for (let i = 1; i < 4000; i++) {
      const x = i / 4000;
      const error = directError(t, [0, x, 1]);
      if (error < best.error) best = { x, error };
    }
    expect(Math.abs(p.targets[1]! - best.x)).toBeLessThan(2e-3);
    expect(p.expectedError).toBeLessThan(best.error * 1.0005);
    // Far from even: the free target moves down to where the weights are.
    expect(p.targets[1]!).toBeLessThan(0.35);
  });

  it('the verify σ is band/√3 with the band a fraction of the gap to the nearest neighbour', () => {
    const sigma = verifySigma(0.2)([0, 1, 3, 7]);
    expect(sigma).toEqual([0.2, 0.2, 0.4, 0.8].map((b) => expect.closeTo(b / Math.sqrt(3), 12)));
    // A uniform spread over ± b has that σ.
    const rng = new Rng(1);
    const xs = Array.from({ length: 200_000 }, () => (2 * rng.next() - 1) * 0.4);
    const sd = Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    expect(sd).toBeCloseTo(0.4 / Math.sqrt(3), 3);
  });

  it('property: never worse than even targets; targets ascend inside the window with the ends pinned', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 20, maxLength: 300 }),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 10, maxLength: 100 }),
        fc.integer({ min: 2, max: 5 }),
        fc.constantFrom('verify', 'table', 'none'),
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        (a, b, bits, sigmaKind, margin) => {
          const gMin = 1e-6;
          const gMax = 5e-5;
          const sigma =
            sigmaKind === 'verify'
              ? verifySigma(0.2)
              : sigmaKind === 'table'
                ? tableSigma(
                    Array.from({ length: 8 }, (_, k) => ({
                      g: gMin + ((gMax - gMin) * k) / 7,
                      sigma: 1e-7 * (1 + k * k),
                    })),
                  )
                : noSigma;
          const p = placeLevels([a, b], { gMin, gMax, count: 2 ** bits, sigma, margin });
          expect(p.expectedError).toBeLessThanOrEqual(p.evenExpectedError * (1 + 1e-12));
          const low = gMin + margin * (gMax - gMin);
          const high = gMax - margin * (gMax - gMin);
          expect(p.targets[0]).toBeCloseTo(low, 15);
          expect(p.targets[p.targets.length - 1]).toBeCloseTo(high, 15);
          for (let k = 1; k < p.targets.length; k++) expect(p.targets[k]!).toBeGreaterThan(p.targets[k - 1]!);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('pools layers each scaled by its own largest |w|', () => {
    expect(
      Array.from(
        normalisedMagnitudes([
          [2, -4],
          [0.5, 0.25],
        ]),
      ),
    ).toEqual([0.5, 1, 1, 0.5]);
    expect(Array.from(normalisedMagnitudes([[0, 0]]))).toEqual([0, 0]);
  });

  it('rejects impossible requests with a clear error', () => {
    expect(() => placeLevels([[1]], { gMin: 0, gMax: 1, count: 1, sigma: noSigma })).toThrow(/2 to 4096/);
    expect(() => placeLevels([[1]], { gMin: 2, gMax: 1, count: 4, sigma: noSigma })).toThrow(/Gmin < Gmax/);
    expect(() => placeLevels([[1]], { gMin: 0, gMax: 1, count: 4, sigma: noSigma, margin: 0.5 })).toThrow(
      /margin/,
    );
  });
});
