/**
 * Predict: the accuracy of a trained network on a ReRAM crossbar built from a device's level
 * table, for float / ideal-linear / linear / MES at each bit width, over seeded chip instances.
 */
import { ReramError, throwIfCancelled, type CancelToken } from '../errors';
import { selectLevels, type LevelTable } from '../levels/level-table';
import { checkDatasetShape, limitDataset, type Dataset } from '../nn/datasets';
import { evaluateAccuracy } from '../nn/evaluate';
import { checkSupported, crossbarLayers, foldBatchNorm, initializerMap, summarizeModel } from '../nn/graph';
import { decodeModel, encodeModel, inputShape, ModelError, tensorValues, type ModelProto } from '../nn/onnx';
import type { OrtRuntime } from '../nn/runtime';
import { candidateWeights } from '../quant/quantize';
import { meanCi95 } from '../stats';
import { calibrate } from './calibrate';
import {
  PredictSettings,
  type LayerReport,
  type MethodResult,
  type PredictionReport,
  type PredictSettingsInput,
  type WeightHistogram,
} from './report';
import { buildCrossbarModel, type CrossbarOptions, type PredictMethod } from './transform';

export interface PredictInput {
  model: Uint8Array;
  modelName: string;
  dataset: Dataset;
  table: LevelTable;
  profileName: string;
  settings: PredictSettingsInput;
}

export interface PredictProgress {
  /** 0…1 over all evaluations. */
  fraction: number;
  message: string;
  /** Results so far, for live plots. */
  partial: MethodResult[];
}

export interface PredictHooks {
  cancel?: CancelToken;
  onProgress?(progress: PredictProgress): void;
  /** Receives each configuration's first simulated model (to save it as .onnx). */
  onModel?(method: PredictMethod, bits: number, model: ModelProto): void;
  now?(): number;
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

function weightHistograms(model: ModelProto, bins = 60): WeightHistogram[] {
  const inits = initializerMap(model.graph!);
  return crossbarLayers(model).map((layer) => {
    const w = tensorValues(inits.get(layer.weightName)!);
    let min = Infinity;
    let max = -Infinity;
    for (const v of w) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const counts = new Array<number>(bins).fill(0);
    const width = (max - min) / bins || 1;
    for (const v of w) counts[Math.min(bins - 1, Math.floor((v - min) / width))]!++;
    return { name: layer.name, min, max, counts };
  });
}

export async function predict(
  runtime: OrtRuntime,
  input: PredictInput,
  hooks: PredictHooks = {},
): Promise<PredictionReport> {
  const now = hooks.now ?? (() => Date.now());
  const started = now();
  const settings = PredictSettings.parse(input.settings);
  const base = prepareModel(input.model, input.modelName);
  const shape = inputShape(base);
  checkDatasetShape(input.dataset, shape.dims);
  const evaluation = limitDataset(input.dataset, settings.limit);
  const calibrationSet = limitDataset(input.dataset, Math.min(settings.calibration, input.dataset.count));
  const converters = settings.adcBits !== null || settings.dacBits !== null;
  const stochastic = (method: PredictMethod) =>
    method === 'linear' || method === 'mes' ? settings.sigmaScale > 0 || settings.readNoise > 0 : false;
  const configs: Array<{ method: PredictMethod; bits: number | null; trials: number }> = [];
  for (const method of settings.methods) {
    if (method === 'float') configs.push({ method, bits: null, trials: 1 });
    else
      for (const bits of settings.bits)
        configs.push({ method, bits, trials: stochastic(method) ? settings.trials : 1 });
  }
  const totalEvaluations = configs.reduce((sum, c) => sum + c.trials, 0);
  let doneEvaluations = 0;
  const results: MethodResult[] = [];
  const layers: LayerReport[] = [];

  for (const config of configs) {
    const accuracies: number[] = [];
    const levels = config.bits === null ? input.table : selectLevels(input.table, config.bits);
    for (let trial = 0; trial < config.trials; trial++) {
      throwIfCancelled(hooks.cancel);
      const label = `${config.method}${config.bits !== null ? ` ${config.bits}-bit` : ''}${config.trials > 1 ? `, chip ${trial + 1}/${config.trials}` : ''}`;
      const options: CrossbarOptions = {
        method: config.method,
        scheme: settings.scheme,
        scale: settings.scale,
        levels,
        tile: settings.tile,
        adcBits: settings.adcBits,
        dacBits: settings.dacBits,
        readNoise: settings.readNoise,
        sigmaScale: settings.sigmaScale,
        // Common random numbers: chip k has the same draws for linear and MES.
        seed: settings.seed * 7919 + trial,
      };
      const ranges =
        converters && config.method !== 'float'
          ? await calibrate(runtime, base, options, calibrationSet, hooks.cancel)
          : undefined;
      const built = config.method === 'float' ? undefined : buildCrossbarModel(base, options, ranges);
      if (built && trial === 0 && config.bits !== null) {
        hooks.onModel?.(config.method, config.bits, built.model);
        const g = levels.levels.map((l) => l.g);
        for (const q of built.quantized) {
          layers.push({
            method: config.method,
            bits: config.bits,
            name: q.name,
            alpha: q.alpha,
            mse: q.mse,
            maxError: q.maxError,
            histogram: q.histogram,
            candidates: candidateWeights(q.method, q.scheme, q.alpha, g),
          });
        }
      }
      const session = await runtime.createSession(built ? encodeModel(built.model) : encodeModel(base));
      try {
        accuracies.push(
          await evaluateAccuracy(runtime, session, evaluation, {
            batchSize: settings.batchSize,
            ...(hooks.cancel ? { cancel: hooks.cancel } : {}),
            onBatch: (done, total) =>
              hooks.onProgress?.({
                fraction: (doneEvaluations + done / total) / totalEvaluations,
                message: label,
                partial: [...results],
              }),
          }),
        );
      } finally {
        await session.release?.();
      }
      doneEvaluations++;
    }
    const stats = meanCi95(accuracies);
    const ci95 =
      accuracies.length > 1
        ? stats.ci95
        : 1.96 * Math.sqrt((stats.mean * (1 - stats.mean)) / Math.max(1, evaluation.count));
    results.push({ method: config.method, bits: config.bits, mean: stats.mean, ci95, accuracies });
    hooks.onProgress?.({
      fraction: doneEvaluations / totalEvaluations,
      message: `${config.method} done`,
      partial: [...results],
    });
  }

  const summary = summarizeModel(base, shape);
  const tile = settings.tile;
  return {
    schemaVersion: 1,
    model: {
      name: input.modelName,
      parameters: summary.parameters,
      layers: summary.layers.map((l) => ({
        name: l.name,
        op: l.op,
        rows: l.rows,
        cols: l.cols,
        rowTiles: Math.ceil(l.rows / tile.rows),
        colTiles: Math.ceil(l.cols / tile.cols),
      })),
    },
    dataset: {
      name: input.dataset.name,
      evaluated: evaluation.count,
      calibration: converters ? calibrationSet.count : 0,
    },
    device: {
      profile: input.profileName,
      table: input.table.name,
      levels: input.table.levels.length,
      gMin: input.table.gMin,
      gMax: input.table.gMax,
    },
    settings,
    runtime: runtime.description,
    results,
    layers,
    weightHistograms: weightHistograms(base),
    elapsedS: (now() - started) / 1000,
    createdAt: new Date(started).toISOString(),
  };
}
