/** The crossbar the tests and benchmarks start from: MES, differential pairs, no converters. */
import type { LevelTable } from '../../src/shared/levels/level-table';
import {
  crossbarOptions,
  type CrossbarOptions,
  type FlatCrossbarOptions,
} from '../../src/shared/rca/transform';

/** MES on these levels, 128×128 tiles, ideal ADC and DAC, no read noise, σ × 1, seed 1; then overrides. */
export function mesCrossbar(
  levels: LevelTable,
  overrides: Partial<FlatCrossbarOptions> = {},
): CrossbarOptions {
  return crossbarOptions({
    method: 'mes',
    scheme: 'differential',
    scale: 'mse',
    levels,
    tile: { rows: 128, cols: 128 },
    adcBits: null,
    dacBits: null,
    readNoise: 0,
    sigmaScale: 1,
    seed: 1,
    ...overrides,
  });
}
