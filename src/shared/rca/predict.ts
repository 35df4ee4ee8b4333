/**
 * Predict: the accuracy of a trained network on a ReRAM crossbar built from a device's level
 * table, for float / ideal-linear / linear / MES at each bit width, over seeded chip instances.
 */
import { ReramError, throwIfCancelled, type CancelToken } from '../errors';
import { selectLevels, type LevelTable } from '../levels/level-table';
import { checkDatasetShape, limitDataset, type Dataset } from '../nn/datasets';
import { evaluateCorrect } from '../nn/evaluate';
import { METHODS } from '../quant/methods';
import { checkSupported, crossbarLayers, foldBatchNorm, initializerMap, summarizeModel } from '../nn/graph';
import {
  cloneModel,
  decodeModel,
  encodeModel,
  inputShape,
  ModelError,
  tensorValues,
  type ModelProto,
} from '../nn/onnx';
import type { OrtRuntime, OrtSessionLike } from '../nn/runtime';
import { candidateWeights } from '../quant/quantize';
import { meanCi95 } from '../stats';
import { measureRanges } from './calibrate';
import {
  PredictSettings,
  type LayerReport,
  type MethodResult,
  type PredictionReport,
  type PredictSettingsInput,
  type WeightHistogram,
} from './report';
import {
  bakeInputs,
  converterTensors,
  crossbarGraph,
  drawChip,
  planCrossbar,
  type CrossbarGraph,
  type CrossbarPlan,
  type FeedTensor,
  type PredictMethod,
} from './transform';

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

interface Config {
  method: PredictMethod;
  bits: number | null;
  /** Accuracy per chip. */
  accuracies: number[];
  /** Per-image correctness on chip 0 (the unit of pairing when there is one chip). */
  correct: Uint8Array | undefined;
}

const fraction = (correct: Uint8Array) => correct.reduce((a, b) => a + b, 0) / Math.max(1, correct.length);

/**
 * A configuration's result, and its paired difference to linear at the same bits: over chips
 * (the same physical chips, common random numbers) when there are several, else over images
 * (the same test images, each correct or not under both).
 */
function resultOf(config: Config, all: readonly Config[], chips: number): MethodResult {
  const n = config.correct?.length ?? 0;
  const stats = meanCi95(config.accuracies);
  const ci95 =
    config.accuracies.length > 1
      ? stats.ci95
      : 1.96 * Math.sqrt((stats.mean * (1 - stats.mean)) / Math.max(1, n));
  const result: MethodResult = {
    method: config.method,
    bits: config.bits,
    mean: stats.mean,
    ci95,
    accuracies: [...config.accuracies],
  };
  const linear = all.find((c) => c.method === 'linear' && c.bits === config.bits);
  if (!linear || linear === config || config.bits === null || linear.accuracies.length === 0) return result;
  let difference;
  let unit: 'chips' | 'images';
  const pairs = Math.min(config.accuracies.length, linear.accuracies.length);
  if (pairs > 1) {
    difference = meanCi95(config.accuracies.slice(0, pairs).map((a, k) => a - linear.accuracies[k]!));
    unit = 'chips';
  } else if (config.accuracies.length === 1 && linear.accuracies.length > 1) {
    // A deterministic method against a varying linear: the chips of linear, each against it.
    difference = meanCi95(linear.accuracies.map((a) => config.accuracies[0]! - a));
    unit = 'chips';
  } else {
    const a = config.correct!;
    const b = linear.correct!;
    difference = meanCi95(Array.from(a, (x, i) => x - b[i]!));
    unit = 'images';
  }
  void chips;
  result.vsLinear = {
    difference: difference.mean,
    ci95: difference.ci95,
    significant: Math.abs(difference.mean) > difference.ci95,
    unit,
    n: difference.n,
  };
  return result;
}

/** A configuration loaded once: its graph (cells and converter references fed per chip). */
interface Compiled {
  plan: CrossbarPlan | undefined;
  graph: CrossbarGraph | undefined;
  session: OrtSessionLike;
  inputName: string;
  /** The calibration probe (taps, converters off), when the ADC or DAC is on. */
  probe: { session: OrtSessionLike; taps: CrossbarGraph['taps'] } | undefined;
}

async function compile(
  runtime: OrtRuntime,
  base: ModelProto,
  config: Config,
  table: LevelTable,
  settings: PredictSettings,
  converters: boolean,
): Promise<Compiled> {
  const inputName = inputShape(base).name;
  if (config.method === 'float')
    return {
      plan: undefined,
      graph: undefined,
      session: await runtime.createSession(encodeModel(base)),
      inputName,
      probe: undefined,
    };
  const levels = selectLevels(table, config.bits!);
  const plan = planCrossbar(base, {
    method: config.method,
    scheme: settings.scheme,
    scale: settings.scale,
    levels,
    tile: settings.tile,
    adcBits: settings.adcBits,
    dacBits: settings.dacBits,
    readNoise: settings.readNoise,
    sigmaScale: settings.sigmaScale,
    seed: settings.seed,
  });
  // Read noise is drawn by the graph; one generator per tile, advancing run by run.
  const noiseSeed = settings.seed * 7919 + 17;
  const graph = crossbarGraph(plan, { converters, noiseSeed });
  const session = await runtime.createSession(encodeModel(graph.model));
  if (!converters) return { plan, graph, session, inputName, probe: undefined };
  const probeGraph = crossbarGraph(plan, { converters: false, taps: true, noiseSeed: noiseSeed + 1 });
  return {
    plan,
    graph,
    session,
    inputName,
    probe: { session: await runtime.createSession(encodeModel(probeGraph.model)), taps: probeGraph.taps },
  };
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
  const varies = settings.sigmaScale > 0 || settings.readNoise > 0;
  const perChip = (method: PredictMethod) => METHODS[method].perChip && varies;
  const configs: Config[] = [];
  for (const method of settings.methods) {
    if (method === 'float') configs.push({ method, bits: null, accuracies: [], correct: undefined });
    else for (const bits of settings.bits) configs.push({ method, bits, accuracies: [], correct: undefined });
  }
  const anyPerChip = configs.some((c) => perChip(c.method));
  // A chip count given is used as is; otherwise chips are added until every paired difference
  // to linear is known to ±untilCi, within the budget.
  const fixedChips = anyPerChip ? settings.trials : 1;
  const maxChips = fixedChips ?? settings.maxChips;
  const plannedEvaluations = configs.reduce((sum, c) => sum + (perChip(c.method) ? maxChips : 1), 0);
  let doneEvaluations = 0;
  const layers: LayerReport[] = [];
  let chips = 0;
  let reachedTarget: boolean | null = null;

  const snapshot = () =>
    configs.filter((c) => c.accuracies.length > 0).map((c) => resultOf(c, configs, chips));
  const compiled = new Map<Config, Compiled>();
  const feedsOf = (tensors: readonly FeedTensor[]) =>
    Object.fromEntries(tensors.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)]));
  try {
    for (let chip = 0; chip < maxChips; chip++) {
      for (const config of configs) {
        if (chip > 0 && !perChip(config.method)) continue;
        throwIfCancelled(hooks.cancel);
        const label = `${METHODS[config.method].label}${config.bits !== null ? ` ${config.bits}-bit` : ''}${perChip(config.method) ? `, chip ${chip + 1}${fixedChips ? `/${fixedChips}` : ` (until ±${settings.untilCi} pp, ≤ ${maxChips})`}` : ''}`;
        let state = compiled.get(config);
        if (!state) {
          // Once per configuration: quantize, build the graph, load it (and its probe).
          state = await compile(runtime, base, config, input.table, settings, converters);
          compiled.set(config, state);
          if (state.plan && config.bits !== null) {
            const g = state.plan.options.levels.levels.map((l) => l.g);
            for (const q of state.plan.quantized) {
              layers.push({
                method: config.method,
                bits: config.bits,
                name: q.name,
                alpha: q.alpha,
                mse: q.mse,
                expectedMse: q.expectedMse,
                maxError: q.maxError,
                histogram: q.histogram,
                candidates: candidateWeights(q.method, q.scheme, q.alpha, g),
              });
            }
          }
        }
        // Common random numbers: chip k is the same physical chip for every method.
        const seed =
          settings.seed * 7919 + chip + (settings.commonChips ? 0 : 104_729 * (configs.indexOf(config) + 1));
        const cells = state.plan ? drawChip(state.plan, seed) : [];
        const feeds = feedsOf(cells);
        let references: FeedTensor[] = [];
        if (state.plan && state.probe) {
          const ranges = await measureRanges(
            runtime,
            state.probe.session,
            state.probe.taps,
            settings.tile.cols,
            calibrationSet,
            { feeds, cancel: hooks.cancel },
          );
          references = converterTensors(state.plan, ranges);
          Object.assign(feeds, feedsOf(references));
        }
        if (chip === 0 && state.plan && config.bits !== null && hooks.onModel)
          hooks.onModel(
            config.method,
            config.bits,
            bakeInputs(cloneModel(state.graph!.model), [...cells, ...references]),
          );
        const correct = await evaluateCorrect(runtime, state.session, evaluation, {
          batchSize: settings.batchSize,
          inputName: state.inputName,
          feeds,
          cancel: hooks.cancel,
          onBatch: (done, total) =>
            hooks.onProgress?.({
              fraction: Math.min(1, (doneEvaluations + done / total) / plannedEvaluations),
              message: label,
              partial: snapshot(),
            }),
        });
        config.accuracies.push(fraction(correct));
        if (chip === 0) config.correct = correct;
        doneEvaluations++;
      }
      chips = chip + 1;
      if (fixedChips !== undefined || chips < settings.minChips) continue;
      const widest = Math.max(0, ...snapshot().map((r) => r.vsLinear?.ci95 ?? 0));
      if (100 * widest <= settings.untilCi) {
        reachedTarget = true;
        break;
      }
      reachedTarget = false;
    }
  } finally {
    for (const state of compiled.values()) {
      await state.session.release?.();
      await state.probe?.session.release?.();
    }
  }
  const results = snapshot();
  hooks.onProgress?.({ fraction: 1, message: 'done', partial: results });

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
      programming: input.table.programming ?? null,
      levels: input.table.levels.length,
      gMin: input.table.gMin,
      gMax: input.table.gMax,
    },
    settings,
    runtime: runtime.description,
    chips: {
      count: chips,
      mode: fixedChips !== undefined ? 'fixed' : 'until-ci',
      target: settings.untilCi,
      reachedTarget,
    },
    results,
    layers,
    weightHistograms: weightHistograms(base),
    elapsedS: (now() - started) / 1000,
    createdAt: new Date(started).toISOString(),
  };
}
