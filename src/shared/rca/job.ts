/**
 * A prediction job: the model prepared, the settings parsed, the configurations listed, the test
 * and calibration sets cut, and what each chip and configuration draws (seeds, drift, devices).
 * Every evaluator (in this thread or in a worker) starts from the same job.
 */
import { ReramError } from '../errors';
import { DRIFT_T0_S, driftAt } from '../levels/drift';
import type { LevelTable } from '../levels/level-table';
import { checkDatasetShape, limitDataset, type Dataset } from '../nn/datasets';
import { checkSupported, crossbarLayers, foldBatchNorm } from '../nn/graph';
import { decodeModel, inputShape, ModelError, type ModelProto } from '../nn/onnx';
import { METHODS } from '../quant/methods';
import { PredictSettings, type PredictSettingsInput } from './report';
import type { DeviceOptions, DriftOptions, PredictMethod } from './transform';

export interface PredictInput {
  model: Uint8Array;
  modelName: string;
  dataset: Dataset;
  table: LevelTable;
  profileName: string;
  settings: PredictSettingsInput;
}

/** Decodes, checks and prepares a model: unsupported operators fail here, batch norm is folded. */
export function prepareModel(bytes: Uint8Array, name: string): ModelProto {
  const model = decodeModel(bytes, name);
  try {
    checkSupported(model);
    foldBatchNorm(model);
    const layers = crossbarLayers(model);
    if (layers.length === 0)
      throw new ModelError(`${name} has no Conv, Gemm or MatMul layer to map onto a crossbar.`);
    const empty = layers.find((layer) => layer.rows === 0 || layer.cols === 0);
    if (empty)
      throw new ModelError(
        `Layer '${empty.name}' of ${name} has an empty weight [${empty.weightDims.join(', ')}].`,
      );
    return model;
  } catch (error) {
    // A graph that decodes but does not hang together: say so, not a TypeError from deep inside.
    if (error instanceof ReramError) throw error;
    throw new ModelError(`${name} is not a well-formed model: ${(error as Error).message}`);
  }
}

/** One method at one bit width (bits null for float). */
export interface Configuration {
  method: PredictMethod;
  bits: number | null;
}

/** The configurations of a prediction, in a fixed order (the index is shared with evaluators). */
export function configurations(settings: PredictSettings): Configuration[] {
  return settings.methods.flatMap((method): Configuration[] =>
    method === 'float' ? [{ method, bits: null }] : settings.bits.map((bits) => ({ method, bits })),
  );
}

/** Whether a configuration differs from chip to chip under these settings. */
export function variesPerChip(settings: PredictSettings, method: PredictMethod): boolean {
  return METHODS[method].perChip && (settings.sigmaScale > 0 || settings.readNoise > 0 || settings.after > 0);
}

/**
 * The drift a prediction applies to these levels: the table's measured law, or the settings' one ν
 * for a table without one; undefined at t = 0. A time without a law is refused, never ignored.
 */
export function driftFor(table: LevelTable, settings: PredictSettings): DriftOptions | undefined {
  if (!(settings.after > 0)) return undefined;
  const law = table.drift;
  if (settings.driftNu !== undefined) {
    return {
      t: settings.after,
      t0: law?.t0 ?? DRIFT_T0_S,
      nu: table.levels.map(() => settings.driftNu!),
      nuSigma: table.levels.map(() => settings.driftNuSigma),
      compensate: settings.driftCompensation,
    };
  }
  if (!law)
    throw new ReramError(
      'INVALID_INPUT',
      `'${table.name}' has no measured drift law, so it cannot be aged by ${settings.after} s: run retention on the sample's cells and build the profile from them (profile build), or give one ν for every level (--drift-nu).`,
    );
  const at = table.levels.map((l) => driftAt(law.points, l.g));
  return {
    t: settings.after,
    t0: law.t0,
    nu: at.map((d) => d.nu),
    nuSigma: at.map((d) => d.nuSigma),
    compensate: settings.driftCompensation,
  };
}

/**
 * Devices from the measured cells of a many-cell table: each cell's offsets from the table's
 * levels, and each level's cycle-to-cycle σ (the table's σ holds √(C2C² + D2D²) in a 'c2c+d2d'
 * table, the C2C part alone in a 'c2c' one). A table without its cells is refused.
 */
export function devicesFor(table: LevelTable): DeviceOptions {
  const spread = table.cellSpread;
  if (!spread?.perCell?.length)
    throw new ReramError(
      'INVALID_INPUT',
      `'${table.name}' does not hold its cells' own levels, so devices cannot be drawn from them: build the profile from many cells (profile build, or the Statistics page), or draw devices as a Gaussian.`,
    );
  return {
    offsets: spread.perCell.map((c) => c.g.map((g, k) => g - table.levels[k]!.g)),
    c2cSigma: table.levels.map((l) =>
      spread.sigma === 'c2c+d2d' ? Math.sqrt(Math.max(0, l.sigma ** 2 - (l.d2dSigma ?? 0) ** 2)) : l.sigma,
    ),
  };
}

/** A prepared prediction job, the same for every evaluator. */
export interface Job {
  base: ModelProto;
  input: PredictInput;
  settings: PredictSettings;
  configs: Configuration[];
  evaluation: Dataset;
  calibrationSet: Dataset;
}

/**
 * What a prediction refuses, checked before any worker starts (the model, its fit to the data
 * set, the settings, a drift law where one is needed): a worker stopped while it loads ONNX
 * Runtime can take the process down with it.
 */
export function checkPredictInput(input: PredictInput): void {
  const job = prepareJob(input);
  if (job.settings.after > 0) driftFor(input.table, job.settings);
  if (job.settings.deviceDraw === 'measured-cells') devicesFor(input.table);
}

export function prepareJob(input: PredictInput): Job {
  const settings = PredictSettings.parse(input.settings);
  const base = prepareModel(input.model, input.modelName);
  checkDatasetShape(input.dataset, inputShape(base).dims);
  return {
    base,
    input,
    settings,
    configs: configurations(settings),
    evaluation: limitDataset(input.dataset, settings.limit),
    calibrationSet: limitDataset(input.dataset, Math.min(settings.calibration, input.dataset.count)),
  };
}

/** The chip seed: chip k is the same physical chip for every method (common random numbers). */
export function chipSeed(settings: PredictSettings, chip: number, configIndex: number): number {
  return settings.seed * 7919 + chip + (settings.commonChips ? 0 : 104_729 * (configIndex + 1));
}
