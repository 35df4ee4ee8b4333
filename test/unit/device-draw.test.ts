/**
 * Devices drawn from the measured cells of a many-cell table (PredictSettings.deviceDraw
 * 'measured-cells'): each physical cell of the chip is one of the measured cells at random, its
 * own level conductances, with the cycle-to-cycle σ on top. Checked on the programmed weights
 * against arithmetic done here: a die of two cells ±0.5 µS off the mean and no C2C spread gives
 * pairs whose difference is off by exactly −1, 0 or +1 µS, in proportions 1:2:1.
 */
import { mesCrossbar } from '../helpers/crossbar-options';
import { describe, expect, it } from 'vitest';
import { selectLevels, type LevelTable } from '../../src/shared/levels/level-table';
import { Rng } from '../../src/shared/random';
import { devicesFor } from '../../src/shared/rca/predict';
import {
  drawChip,
  planCrossbar,
  type CrossbarOptions,
  type FlatCrossbarOptions,
} from '../../src/shared/rca/transform';
import { matmulModel } from '../helpers/onnx-models';

const K = 64;
const N = 8;
const g = [1e-6, 3e-6, 5e-6, 7e-6];
const d2d = 0.5e-6;
const manyCell = (c2c: number, cells: number[][]): LevelTable => ({
  name: 'two cells',
  levels: g.map((gk) => ({ g: gk, sigma: Math.hypot(c2c, d2d), n: 10, d2dSigma: d2d })),
  gMin: g[0]!,
  gMax: g.at(-1)!,
  readVoltage: 0.1,
  fits: [],
  cellSpread: {
    cells: cells.map((_, j) => j),
    excluded: [],
    sigma: 'c2c+d2d',
    d2dOverC2c: c2c > 0 ? d2d / c2c : 0,
    perCell: cells.map((gs, j) => ({ cell: j, g: gs })),
  },
  provenance: { runIds: [], createdAt: '', softwareVersion: '', method: 'test', warnings: [] },
});
const rng = new Rng(5);
const model = matmulModel(
  K,
  N,
  Array.from({ length: K * N }, () => rng.normal() * 0.3),
);
const options = (table: LevelTable, overrides: Partial<FlatCrossbarOptions> = {}): CrossbarOptions =>
  mesCrossbar(table, overrides);

describe('devices drawn from the measured cells', () => {
  it('every G⁺ and G⁻ is one of the cells’ own levels: differences off by −1, 0, +1 µS in proportion 1:2:1', () => {
    const table = manyCell(0, [g.map((x) => x + d2d), g.map((x) => x - d2d)]);
    const devices = devicesFor(table);
    expect(devices.c2cSigma.every((s) => Math.abs(s) < 1e-15)).toBe(true);
    const plan = planCrossbar(model, options(table, { devices }));
    const w = drawChip(plan, 3)[0]!.data;
    const q = plan.layers[0]!.quantized!;
    const counts = new Map<number, number>();
    for (let i = 0; i < K * N; i++) {
      const nominal = g[q.plus[i]!]! - g[q.minus[i]!]!;
      // The weight tensor is float32: recover the conductance difference to 0.01 µS.
      const off = Math.round((w[i]! / q.alpha - nominal) / d2d);
      expect(Math.abs(w[i]! / q.alpha - nominal - off * d2d)).toBeLessThan(1e-8);
      counts.set(off, (counts.get(off) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([-2, 0, 2]);
    // 512 pairs: 1/4, 1/2, 1/4 each within 4 binomial σ.
    const n = K * N;
    for (const [off, p] of [
      [-2, 0.25],
      [0, 0.5],
      [2, 0.25],
    ] as const)
      expect(Math.abs(counts.get(off)! - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    // The Gaussian draw of the same table spreads the pairs continuously instead.
    const gaussian = drawChip(planCrossbar(model, options(table)), 3)[0]!.data;
    const onGrid = Array.from(gaussian).filter((x, i) => {
      const r = (x / q.alpha - (g[q.plus[i]!]! - g[q.minus[i]!]!)) / d2d;
      return Math.abs(r - Math.round(r)) < 0.01;
    });
    expect(onGrid.length).toBeLessThan(0.05 * n);
  });

  it('cells without offsets are the Gaussian draw with the C2C σ, bit for bit (the same deviates)', () => {
    const c2c = 0.2e-6;
    const table = manyCell(c2c, [g, g, g]);
    const devices = devicesFor(table);
    devices.c2cSigma.forEach((s) => expect(s).toBeCloseTo(c2c, 18));
    const asCells = drawChip(planCrossbar(model, options(table, { devices })), 9)[0]!.data;
    const c2cOnly: LevelTable = { ...table, levels: table.levels.map((l) => ({ ...l, sigma: c2c })) };
    const asGaussian = drawChip(planCrossbar(model, options(c2cOnly)), 9)[0]!.data;
    expect(Array.from(asCells)).toEqual(Array.from(asGaussian));
  });

  it('a 1-bit selection keeps each cell’s own levels in step; a table without its cells is refused', () => {
    const table = manyCell(0.1e-6, [g.map((x) => x * 1.1), g.map((x) => x * 0.9)]);
    const one = selectLevels(table, 1);
    expect(one.levels.map((l) => l.g)).toEqual([g[0], g[3]]);
    expect(one.cellSpread!.perCell!.map((c) => c.g)).toEqual([
      [g[0]! * 1.1, g[3]! * 1.1],
      [g[0]! * 0.9, g[3]! * 0.9],
    ]);
    const { perCell: _perCell, ...withoutCells } = table.cellSpread!;
    expect(() => devicesFor({ ...table, cellSpread: withoutCells })).toThrow(
      /does not hold its cells' own levels/,
    );
  });
});
