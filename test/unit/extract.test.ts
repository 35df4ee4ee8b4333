import { describe, expect, it } from 'vitest';
import { levelTableFromPulseTrain, levelTableFromWriteVerify } from '../../src/shared/levels/extract';
import { LevelTable, selectLevels } from '../../src/shared/levels/level-table';
import { assessLevelTable } from '../../src/shared/levels/quality';
import { conductanceAfter, modelFromNl } from '../../src/shared/levels/pulse-model';
import { Rng } from '../../src/shared/random';
import type { Point } from '../../src/shared/run';
import { mean, sampleStd } from '../../src/shared/stats';
import { makePoint } from '../helpers/points';

const provenance = { runIds: [7], createdAt: '2026-01-01T00:00:00Z', softwareVersion: 'test' };

/** A pulse train as the runner records it: reads after 0…N pulses per phase, per cycle. */
function pulseTrainPoints(cycles: number, pMax: number, noise: number, seed = 1): Point[] {
  const model = modelFromNl({ gMin: 10e-6, gMax: 50e-6, nl: 2, pMax });
  const rng = new Rng(seed);
  const points: Point[] = [];
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (const phase of ['ltp', 'ltd'] as const) {
      for (let n = 0; n <= pMax; n++) {
        const g = conductanceAfter(model, n, phase) * (1 + noise * rng.normal());
        points.push(
          makePoint({ seq: points.length, v: 0.1, i: 0.1 * g, g, pulse: n, phase, kind: 'read', cycle }),
        );
        if (n < pMax)
          points.push(
            makePoint({
              seq: points.length,
              v: phase === 'ltp' ? 1.5 : -1.5,
              i: 1e-4,
              g: 1e-4 / 1.5,
              pulse: n + 1,
              phase,
              kind: 'pulse',
              cycle,
            }),
          );
      }
    }
  }
  return points;
}

describe('b-bit level tables from pulse trains', () => {
  it('spaced in conductance: the states nearest to evenly spaced conductances on the fitted curve (analytic pulse counts)', () => {
    // NL 2 over 40 pulses, noise-free: by pulse count, the top gaps shrink; in conductance they do not.
    const points = pulseTrainPoints(2, 40, 0);
    const byPulses = levelTableFromPulseTrain(points, 3, { name: 'p', provenance });
    const byG = levelTableFromPulseTrain(points, 3, { name: 'g', provenance, spacing: 'conductance' });
    const gaps = (t: LevelTable) => t.levels.slice(1).map((l, k) => l.g - t.levels[k]!.g);
    const spread = (xs: number[]) => Math.max(...xs) / Math.min(...xs);
    expect(spread(gaps(byPulses))).toBeGreaterThan(3);
    expect(spread(gaps(byG))).toBeLessThan(1.6);
    // The pulse counts are the analytic inverse of the model, rounded: n_k = −A·ln(1 − (G_k − Gmin)/B).
    const model = modelFromNl({ gMin: 10e-6, gMax: 50e-6, nl: 2, pMax: 40 });
    byG.levels.forEach((level, k) => {
      const target = 10e-6 + (40e-6 * k) / 7;
      const b = 40e-6 / -Math.expm1(-40 / model.a);
      const n = Math.round(-model.a * Math.log1p(-(target - 10e-6) / b));
      expect(level.g).toBeCloseTo(conductanceAfter(model, n, 'ltp'), 12);
    });
    expect(byG.provenance.method).toBe('pulse-train (3-bit, spaced in conductance)');
    // More levels than distinct pulse counts: refused with the reason.
    expect(() =>
      levelTableFromPulseTrain(pulseTrainPoints(2, 8, 0), 3, {
        name: 'x',
        provenance,
        spacing: 'conductance',
      }),
    ).toThrow(/only \d+\. Use fewer bits/);
  });

  it('takes each level at k·Pmax/(2^b − 1) pulses, mean and σ over every cycle', () => {
    const points = pulseTrainPoints(4, 30, 0.02);
    const table = levelTableFromPulseTrain(points, 2, { name: 'x', provenance });
    expect(table.levels).toHaveLength(4);
    [0, 10, 20, 30].forEach((n, k) => {
      const values = points
        .filter((p) => p.phase === 'ltp' && p.kind === 'read' && p.pulse === n)
        .map((p) => p.g!);
      expect(values).toHaveLength(4);
      expect(table.levels[k]!.g).toBeCloseTo(mean(values), 18);
      expect(table.levels[k]!.sigma).toBeCloseTo(sampleStd(values), 18);
      expect(table.levels[k]!.n).toBe(4);
    });
    expect(table.readVoltage).toBe(0.1);
    expect(table.fits.map((f) => f.direction)).toEqual(['ltp', 'ltd']);
    expect(table.provenance.runIds).toEqual([7]);
    expect(LevelTable.safeParse(table).success).toBe(true);
  });

  it('without bits, every measured state is a level; with one cycle σ comes from the local scatter', () => {
    const table = levelTableFromPulseTrain(pulseTrainPoints(1, 20, 0.01), undefined, {
      name: 'all',
      provenance,
    });
    expect(table.levels).toHaveLength(21);
    expect(table.levels.every((l) => l.sigma > 0 && l.n === 1)).toBe(true);
    expect(table.provenance.warnings.join(' ')).toMatch(/One cycle only/);
  });

  it('refuses more bits than the curve has states', () => {
    expect(() => levelTableFromPulseTrain(pulseTrainPoints(1, 10, 0), 4, { name: 'x', provenance })).toThrow(
      /11 states.*4 bits need 16/,
    );
  });

  it('selectLevels picks equally spaced pulse counts from a full table', () => {
    const full = levelTableFromPulseTrain(pulseTrainPoints(3, 30, 0), undefined, {
      name: 'full',
      provenance,
    });
    const three = selectLevels(full, 2);
    expect(three.levels.map((l) => l.g)).toEqual([0, 10, 20, 30].map((k) => full.levels[k]!.g));
    expect(() => selectLevels(full, 5)).toThrow(/31 levels; 5 bits need 32/);
  });
});

describe('level tables from write-verify', () => {
  it('averages the accepted reads per target over the repeats', () => {
    const points: Point[] = [];
    const targets = [10e-6, 20e-6, 30e-6];
    const rng = new Rng(3);
    for (let repeat = 0; repeat < 5; repeat++) {
      targets.forEach((t, k) => {
        points.push(
          makePoint({
            seq: points.length,
            phase: 'verify',
            kind: 'read',
            g: t * 0.5,
            i: 0.05 * t,
            cycle: repeat,
            target: k,
          }),
        );
        const g = t * (1 + 0.02 * rng.normal());
        points.push(
          makePoint({
            seq: points.length,
            phase: 'verify',
            kind: 'final',
            g,
            i: 0.1 * g,
            cycle: repeat,
            target: k,
          }),
        );
      });
    }
    const table = levelTableFromWriteVerify(points, { name: 'wv', provenance });
    targets.forEach((_, k) => {
      const finals = points.filter((p) => p.kind === 'final' && p.target === k).map((p) => p.g!);
      expect(table.levels[k]).toEqual({ g: mean(finals), sigma: sampleStd(finals), n: 5 });
    });
  });

  it('reports targets that did not converge', () => {
    const points = [0, 1].flatMap((cycle) =>
      [0, 1].flatMap((k) =>
        cycle === 1 && k === 1
          ? []
          : [makePoint({ seq: 0, phase: 'verify', kind: 'final', g: (k + 1) * 1e-5, cycle, target: k })],
      ),
    );
    points.forEach((p, seq) => (p.seq = seq));
    const table = levelTableFromWriteVerify(points, { name: 'wv', provenance });
    expect(table.provenance.warnings.join(' ')).toMatch(/Target 1: 1 of 2 attempts did not converge/);
  });
});

describe('fit quality, before a table is saved', () => {
  it('a clean pulse train over several cycles is good', () => {
    const table = levelTableFromPulseTrain(pulseTrainPoints(6, 40, 0.01), undefined, {
      name: 'x',
      provenance,
    });
    const quality = assessLevelTable(table);
    expect(quality.reasons).toEqual([expect.stringMatching(/apart/)]);
    expect(quality.verdict).toBe('good');
    expect(quality.suggestions).toEqual([]);
    expect(quality.reasons.join(' ')).toMatch(/apart .* up to 5 bits/);
  });

  it('a noisy one-cycle train fails, with the reasons and what to do', () => {
    const table = levelTableFromPulseTrain(pulseTrainPoints(1, 40, 0.35, 3), 3, { name: 'x', provenance });
    const quality = assessLevelTable(table);
    expect(quality.verdict).toBe('failed');
    expect(quality.reasons.join(' ')).toMatch(/R² .* below 0\.9|explains little/);
    expect(quality.reasons.join(' ')).toMatch(/one cycle/);
    expect(quality.suggestions.join(' ')).toMatch(/more cycles/);
    expect(quality.suggestions.join(' ')).toMatch(/write-verify/);
    expect(quality.suggestions.join(' ')).toMatch(/σ × 0/);
  });

  it('write-verify levels inside their bands are good; overlapping ones are not', () => {
    const verify = (spread: number): LevelTable => ({
      name: 'wv',
      levels: [10e-6, 20e-6, 30e-6, 40e-6].map((g) => ({ g, sigma: spread, n: 5 })),
      gMin: 10e-6,
      gMax: 40e-6,
      readVoltage: 0.1,
      programming: 'write-verify',
      fits: [],
      provenance: { ...provenance, method: 'write-verify', warnings: [] },
    });
    expect(assessLevelTable(verify(1e-6)).verdict).toBe('good');
    expect(assessLevelTable(verify(15e-6)).verdict).toBe('failed');
  });
});
