/**
 * Accuracy after drift, at the cell level: each programmed conductance times (t/t₀)^−ν, with ν per
 * cell from its level's law, and aihwkit-style global compensation, checked against arithmetic
 * done here on the quantizer's own level choices.
 */
import { mesCrossbar } from '../helpers/crossbar-options';
import { describe, expect, it } from 'vitest';
import { driftAt, driftFactor } from '../../src/shared/levels/drift';
import type { LevelTable } from '../../src/shared/levels/level-table';
import { Rng } from '../../src/shared/random';
import { driftFor } from '../../src/shared/rca/predict';
import { PredictSettings } from '../../src/shared/rca/report';
import {
  drawChip,
  planCrossbar,
  type CrossbarOptions,
  type FlatCrossbarOptions,
} from '../../src/shared/rca/transform';
import { parseSI } from '../../src/shared/units';
import { matmulModel } from '../helpers/onnx-models';

const K = 48;
const N = 3;
const levels = Array.from({ length: 8 }, (_, k) => 1e-6 * (1 + 2 * k));
const table: LevelTable = {
  name: 'linear',
  levels: levels.map((g) => ({ g, sigma: 0, n: 0 })),
  gMin: levels[0]!,
  gMax: levels.at(-1)!,
  readVoltage: 0.1,
  fits: [],
  provenance: { runIds: [], createdAt: '', softwareVersion: '', method: 'test', warnings: [] },
};
const rng = new Rng(7);
const model = matmulModel(
  K,
  N,
  Array.from({ length: K * N }, () => rng.normal() * 0.2),
);
const options = (overrides: Partial<FlatCrossbarOptions>): CrossbarOptions =>
  mesCrossbar(table, { sigmaScale: 0, ...overrides });
const weightsOf = (o: CrossbarOptions, seed = 1) => {
  const plan = planCrossbar(model, o);
  return { plan, w: drawChip(plan, seed)[0]!.data };
};

describe('retention drift on a chip', () => {
  const t = 86_400;
  const nu = levels.map((_, k) => 0.02 + 0.01 * k); // higher levels drift faster
  const drift = (compensate: boolean, nuSigma = 0) => ({
    t,
    t0: 1,
    nu,
    nuSigma: levels.map(() => nuSigma),
    compensate,
  });

  it('each cell is its level times (t/t₀)^−ν; compensation rescales each layer by Σ|Σ W₀| / Σ|Σ W_t|', () => {
    const fresh = weightsOf(options({}));
    const aged = weightsOf(options({ drift: drift(false) })).w;
    const q = fresh.plan.layers[0]!.quantized!;
    const expected = Array.from({ length: K * N }, (_, i) => {
      const p = q.plus[i]!;
      const m = q.minus[i]!;
      return q.alpha * (levels[p]! * driftFactor(t, nu[p]!, 1) - levels[m]! * driftFactor(t, nu[m]!, 1));
    });
    // Float32 tensors: equal to their 7 significant digits.
    aged.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 6));
    // A day shrinks the top level to 86400^−0.09 ≈ 36 %: the chip is visibly not the fresh one.
    expect(driftFactor(t, nu.at(-1)!, 1)).toBeCloseTo(86_400 ** -0.09, 12);
    const column = (w: ArrayLike<number>, c: number) => Array.from({ length: K }, (_, r) => w[r * N + c]!);
    const sumAbs = (w: ArrayLike<number>) =>
      [0, 1, 2].reduce((s, c) => s + Math.abs(column(w, c).reduce((a, b) => a + b, 0)), 0);
    const alpha = sumAbs(fresh.w) / sumAbs(expected);
    const compensated = weightsOf(options({ drift: drift(true) })).w;
    compensated.forEach((x, i) => expect(x).toBeCloseTo(alpha * expected[i]!, 6));
    expect(alpha).toBeGreaterThan(1);
  });

  it('one ν for every level and compensation: the fresh chip comes back exactly', () => {
    const uniform = { t, t0: 1, nu: levels.map(() => 0.05), nuSigma: levels.map(() => 0), compensate: true };
    const fresh = weightsOf(options({})).w;
    const restored = weightsOf(options({ drift: uniform })).w;
    restored.forEach((x, i) => expect(x).toBeCloseTo(fresh[i]!, 12));
  });

  it('before t₀ nothing drifts, and the chip is bit-identical to one without drift; a ν spread differs from chip to chip', () => {
    const fresh = weightsOf(options({ sigmaScale: 0 }));
    const early = weightsOf(options({ drift: { ...drift(false), t: 1 } }));
    expect(Array.from(early.w)).toEqual(Array.from(fresh.w));
    const spread = options({ drift: drift(false, 0.02) });
    expect(Array.from(weightsOf(spread, 1).w)).not.toEqual(Array.from(weightsOf(spread, 2).w));
    expect(Array.from(weightsOf(spread, 3).w)).toEqual(Array.from(weightsOf(spread, 3).w));
  });

  it('the law between measured points is linear in ln G; outside them it is the nearest point', () => {
    const points = [
      { g: 1e-6, nu: 0.01, nuSigma: 0.001 },
      { g: 100e-6, nu: 0.05, nuSigma: 0.005 },
    ];
    expect(driftAt(points, 10e-6).nu).toBeCloseTo(0.03, 12);
    expect(driftAt(points, 10e-6).nuSigma).toBeCloseTo(0.003, 12);
    expect(driftAt(points, 1e-9)).toEqual({ nu: 0.01, nuSigma: 0.001 });
    expect(driftAt(points, 1)).toEqual({ nu: 0.05, nuSigma: 0.005 });
  });

  it('a time without a law is refused, with what to do; durations read as 1h, 1d, 1y', () => {
    const settings = PredictSettings.parse({ after: 86_400 });
    expect(() => driftFor(table, settings)).toThrow(/no measured drift law.*retention.*--drift-nu/);
    expect(driftFor(table, PredictSettings.parse({ after: 0 }))).toBeUndefined();
    const given = driftFor(table, PredictSettings.parse({ after: 3600, driftNu: 0.04 }))!;
    expect(given.nu).toEqual(levels.map(() => 0.04));
    expect(parseSI('1h', 's')).toBe(3600);
    expect(parseSI('1 d', 's')).toBe(86_400);
    expect(parseSI('1y', 's')).toBe(31_557_600);
    expect(parseSI('10 min', 's')).toBe(600);
    expect(parseSI('10m', 's')).toBe(0.01);
  });
});

describe('the accuracy-against-time chart', () => {
  const result = (method: 'float' | 'linear' | 'mes' | 'ideal-linear', mean: number) => ({
    method,
    bits: method === 'float' ? null : 3,
    mean,
    ci95: 0.01,
    accuracies: [mean],
  });
  it('a log time axis labelled by the timeline, solid and dashed lines per method, one line for the ideal device', async () => {
    const { accuracyTimeChart, TIMELINE } = await import('../../src/shared/charts/prediction');
    const at = (after: number, compensated: boolean, drop: number) => ({
      after,
      compensated,
      results: [
        result('float', 0.99),
        result('ideal-linear', 0.98),
        result('linear', 0.95 - drop),
        result('mes', 0.97 - drop),
      ],
    });
    const chart = accuracyTimeChart([at(1, false, 0), at(86_400, false, 0.1), at(86_400, true, 0.05)]);
    expect(chart.xTicks).toEqual([0, Math.log10(86_400)]);
    expect(chart.xTicks.map((x) => chart.xFormat!(x))).toEqual(['fresh', '1 d']);
    expect(TIMELINE.map((t) => t.label)).toEqual(['fresh', '1 min', '1 h', '1 d', '1 mo', '1 y', '10 y']);
    const series = chart.panels[0]!.series;
    expect(series.map((s) => s.label)).toEqual([
      'float (99.0 %)',
      'ideal linear',
      'linear',
      'linear, compensated',
      'MES',
      'MES, compensated',
    ]);
    // Both lines of a method start at the fresh chip; the compensated one is dashed.
    const mes = series.find((s) => s.label === 'MES')!;
    const mesCompensated = series.find((s) => s.label === 'MES, compensated')!;
    expect(mes.points.map((p) => Number(p.y.toFixed(6)))).toEqual([97, 87]);
    expect(mesCompensated.points.map((p) => Number(p.y.toFixed(6)))).toEqual([97, 92]);
    expect(mesCompensated.dash).toBeDefined();
  });
});
