/** A crossbar configuration is grouped by hardware part and checked once, when it is planned. */
import { describe, expect, it } from 'vitest';
import { selectLevels } from '../../src/shared/levels/level-table';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { crossbarOptions, planCrossbar, type FlatCrossbarOptions } from '../../src/shared/rca/transform';
import { gemmModel } from '../helpers/onnx-models';

const table = selectLevels(builtinProfiles('test').find((p) => p.name === 'AlOx/HfO2')!.tables[0]!, 3);
const flat: FlatCrossbarOptions = {
  method: 'mes',
  scheme: 'differential',
  scale: 'mse',
  levels: table,
  tile: { rows: 4, cols: 4 },
  adcBits: 8,
  dacBits: null,
  readNoise: 0.01,
  sigmaScale: 1,
  seed: 2,
};
const model = gemmModel(
  6,
  3,
  Array.from({ length: 18 }, (_, k) => (k % 7) / 7 - 0.4),
);

describe('crossbar options by hardware part', () => {
  it('groups the flat form: mapping, device, array, read, ADC, DAC', () => {
    const grouped = crossbarOptions({ ...flat, forceTiles: true });
    expect(grouped.mapping).toEqual({ method: 'mes', scheme: 'differential', scale: 'mse', levels: table });
    expect(grouped.device).toEqual({ sigmaScale: 1, seed: 2 });
    expect(grouped.array).toEqual({ tile: { rows: 4, cols: 4 }, forceTiles: true });
    expect(grouped.read).toEqual({ noise: 0.01 });
    expect(grouped.adc).toEqual({ bits: 8 });
    expect(grouped.dac).toEqual({ bits: null });
    // Planned as given: 6 rows in tiles of 4 → 2 row tiles, each with its read-noise variance.
    const plan = planCrossbar(model, grouped);
    expect(plan.layers[0]!.tiles.map((t) => [t.r0, t.r1, t.variance !== undefined])).toEqual([
      [0, 4, true],
      [4, 6, true],
    ]);
  });

  it.each([
    [{ adcBits: 1 }, 'The ADC needs a whole number of bits, at least 2.'],
    [{ adcBits: 6.5 }, 'The ADC needs a whole number of bits, at least 2.'],
    [{ dacBits: 0 }, 'The DAC needs a whole number of bits, at least 1.'],
    [{ tile: { rows: 0, cols: 4 } }, 'A tile needs at least one row and one column.'],
    [{ readNoise: -0.1 }, 'Read noise and the σ scale cannot be negative.'],
    [{ sigmaScale: Number.NaN }, 'Read noise and the σ scale cannot be negative.'],
  ] as Array<[Partial<FlatCrossbarOptions>, string]>)(
    'refuses %j before anything is built',
    (bad, message) => {
      expect(() => planCrossbar(model, crossbarOptions({ ...flat, ...bad }))).toThrow(message);
    },
  );
});
