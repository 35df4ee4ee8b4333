import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NL_LABELS, NORMALIZED_A } from '../../src/shared/levels/nl-table.data';
import {
  amplitudeB,
  conductanceAfter,
  modelFromNl,
  nlFromNormalizedA,
  normalizedAFromNl,
  pulsesAt,
} from '../../src/shared/levels/pulse-model';

describe('NeuroSim NL → A/Pmax table', () => {
  it('is the published CSV, number for number (resources/ and ../shared/data)', () => {
    for (const path of ['resources/data/neurosim-nl-to-normalized-a.csv']) {
      const rows = readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((r) => r.split(',').map(Number));
      expect(rows.map((r) => r[0])).toEqual(NL_LABELS);
      expect(rows.map((r) => r[1])).toEqual(NORMALIZED_A);
    }
  });

  it('interpolation returns table values at the grid points and is its own inverse between them', () => {
    expect(normalizedAFromNl(2.4)).toBeCloseTo(NORMALIZED_A[239]!, 10);
    expect(normalizedAFromNl(-4.88)).toBeCloseTo(NORMALIZED_A[487]!, 10);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 9, noNaN: true }), (nl) => {
        expect(nlFromNormalizedA(normalizedAFromNl(nl)).nl).toBeCloseTo(nl, 8);
      }),
    );
    expect(nlFromNormalizedA(500)).toEqual({ nl: 0.01, clamped: true });
    expect(nlFromNormalizedA(0.001)).toEqual({ nl: 9, clamped: true });
    expect(() => normalizedAFromNl(12)).toThrow(RangeError);
  });
});

describe('pulse-response model', () => {
  const model = modelFromNl({ gMin: 13.4e-6, gMax: 59.2e-6, nl: 1.94, pMax: 40 });

  it('spans Gmin…Gmax over Pmax pulses in both directions, as the closed form says', () => {
    expect(conductanceAfter(model, 0, 'ltp')).toBe(13.4e-6);
    expect(conductanceAfter(model, 40, 'ltp')).toBeCloseTo(59.2e-6, 15);
    expect(conductanceAfter(model, 40, 'ltd')).toBeCloseTo(13.4e-6, 15);
    const b = (59.2e-6 - 13.4e-6) / (1 - Math.exp(-40 / model.a));
    expect(amplitudeB(model)).toBeCloseTo(b, 18);
    expect(conductanceAfter(model, 10, 'ltp')).toBeCloseTo(13.4e-6 + b * (1 - Math.exp(-10 / model.a)), 18);
  });

  it('pulsesAt inverts conductanceAfter', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.constantFrom('ltp' as const, 'ltd' as const),
        (n, direction) => {
          expect(pulsesAt(model, conductanceAfter(model, n, direction), direction)).toBeCloseTo(n, 6);
        },
      ),
    );
  });
});
