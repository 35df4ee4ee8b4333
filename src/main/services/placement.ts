/** Level placement for a network on a level table's window (CLI `place`, API `levels.place`). */
import { selectLevels, type LevelTable } from '../../shared/levels/level-table';
import { crossbarLayers, initializerMap } from '../../shared/nn/graph';
import { tensorValues } from '../../shared/nn/onnx';
import {
  normalisedMagnitudes,
  placeLevels,
  placementError,
  tableSigma,
  verifySigma,
} from '../../shared/quant/placement';
import { prepareModel } from '../../shared/rca/predict';
import { loadModel } from '../nn/resources';

export interface PlaceOptions {
  model: string;
  bits: number;
  /** σ of a placed level: after write-verify with this band, or the table's own. */
  sigma: 'verify' | 'table';
  tolerance: number;
  margin: number;
}

export interface PlacementResult {
  method: string;
  sigmaModel: string;
  model: string;
  table: string;
  bits: number;
  margin: number;
  tolerance: number;
  targets: number[];
  sigma: number[];
  expectedError: { placed: number; evenlySpaced: number; tableLevels: number | null };
  iterations: number;
}

/** Weights of every crossbar layer of a model (batch norm folded, as predict sees them). */
function crossbarWeights(bytes: Uint8Array, name: string): Float32Array[] {
  const model = prepareModel(bytes, name);
  const inits = initializerMap(model.graph!);
  return crossbarLayers(model).map((layer) => tensorValues(inits.get(layer.weightName)!));
}

export function placeOnTable(table: LevelTable, options: PlaceOptions): PlacementResult {
  const model = loadModel(options.model);
  const layers = crossbarWeights(model.bytes, model.name);
  const sigma = options.sigma === 'verify' ? verifySigma(options.tolerance) : tableSigma(table.levels);
  const placement = placeLevels(layers, {
    gMin: table.gMin,
    gMax: table.gMax,
    count: 2 ** options.bits,
    sigma,
    margin: options.margin,
  });
  let tableLevels: number | null = null;
  if (2 ** options.bits <= table.levels.length) {
    const own = selectLevels(table, options.bits).levels;
    tableLevels = placementError(
      normalisedMagnitudes(layers),
      own.map((l) => l.g),
      own.map((l) => l.sigma),
    );
  }
  return {
    method:
      'Lloyd–Max over the pooled weight magnitudes (each layer scaled by its max |w|), expected error with σ',
    sigmaModel:
      options.sigma === 'verify'
        ? `after write-verify: ± ${options.tolerance} × the gap to the nearest target, σ = band/√3`
        : `the σ of table '${table.name}' at each target`,
    model: model.name,
    table: table.name,
    bits: options.bits,
    margin: options.margin,
    tolerance: options.tolerance,
    targets: placement.targets,
    sigma: placement.sigma,
    expectedError: {
      placed: placement.expectedError,
      evenlySpaced: placement.evenExpectedError,
      tableLevels,
    },
    iterations: placement.iterations,
  };
}
