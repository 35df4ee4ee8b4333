/**
 * Predict: the accuracy of a trained network on a ReRAM crossbar built from a device's level
 * table, for float / ideal-linear / linear / MES at each bit width, over seeded chip instances.
 */
import { ReramError, throwIfCancelled, type CancelToken } from '../errors';
import { DRIFT_T0_S, driftAt } from '../levels/drift';
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
import { sampleStd, tQuantile975 } from '../stats';
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
  type DeviceOptions,
  type DriftOptions,
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
  /** Test images classified so far, over every configuration and chip (for images/s). */
  images: number;
}

export interface PredictHooks {
  cancel?: CancelToken;
  onProgress?(progress: PredictProgress): void;
  /** Receives each configuration's simulated model on chip 1 (to save it as .onnx). */
  onModel?(method: PredictMethod, bits: number, model: Uint8Array): void;
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

/** One method at one bit width (bits null for float). */
export interface Configuration {
  method: PredictMethod;
  bits: number | null;
}

interface Config extends Configuration {
  /** Accuracy per chip. */
  accuracies: number[];
  /** Per image: on how many of the evaluated chips it was classified correctly. */
  correctSums: Uint16Array | undefined;
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

const fraction = (correct: Uint8Array) => correct.reduce((a, b) => a + b, 0) / Math.max(1, correct.length);

/** Sample standard deviation of per-image values. */
function imageSd(values: Float64Array): number {
  return values.length > 1 ? sampleStd(values) : 0;
}

/**
 * Half-width of a 95 % interval for a mean over chips × the same test images: chip-to-chip
 * spread (t over the chips) and test-set sampling (over the images, each averaged over the
 * chips) both count. Adding the two is slightly conservative (their interaction is in both).
 */
export function crossedCi95(
  perChip: readonly number[],
  perImage: Float64Array,
): { ci95: number; chips: number; images: number } {
  const c = perChip.length;
  const chips = c > 1 ? (tQuantile975(c - 1) * sampleStd(perChip)) / Math.sqrt(c) : 0;
  const images = perImage.length > 1 ? (1.96 * imageSd(perImage)) / Math.sqrt(perImage.length) : 0;
  return { ci95: Math.hypot(chips, images), chips, images };
}

const rates = (config: Config) => {
  const sums = config.correctSums!;
  const n = Math.max(1, config.accuracies.length);
  return Float64Array.from(sums, (s) => s / n);
};

/**
 * A configuration's result, and its paired difference to linear at the same bits. Both are
 * means over the same chips (common random numbers) and the same test images, and their
 * intervals count both sources of uncertainty: more chips shrink one, more images the other.
 */
function resultOf(config: Config, all: readonly Config[]): MethodResult {
  const accuracy = crossedCi95(config.accuracies, rates(config));
  const result: MethodResult = {
    method: config.method,
    bits: config.bits,
    mean: config.accuracies.reduce((a, b) => a + b, 0) / Math.max(1, config.accuracies.length),
    ci95: accuracy.ci95,
    accuracies: [...config.accuracies],
  };
  const linear = all.find((c) => c.method === 'linear' && c.bits === config.bits);
  if (!linear || linear === config || config.bits === null || linear.accuracies.length === 0) return result;
  // Per chip: the same chips where both ran; a deterministic method (one evaluation) against each of linear's.
  const perChip =
    config.accuracies.length === 1 && linear.accuracies.length > 1
      ? linear.accuracies.map((a) => config.accuracies[0]! - a)
      : config.accuracies
          .slice(0, Math.min(config.accuracies.length, linear.accuracies.length))
          .map((a, k) => a - linear.accuracies[k]!);
  const a = rates(config);
  const b = rates(linear);
  const perImage = Float64Array.from(a, (x, i) => x - b[i]!);
  const difference = perChip.reduce((x, y) => x + y, 0) / Math.max(1, perChip.length);
  const ci = crossedCi95(perChip, perImage);
  result.vsLinear = {
    difference,
    ci95: ci.ci95,
    significant: Math.abs(difference) > ci.ci95,
    unit: perChip.length > 1 ? 'chips and images' : 'images',
    n: perChip.length,
    chipsCi95: ci.chips,
    imagesCi95: ci.images,
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
  config: Configuration,
  table: LevelTable,
  settings: PredictSettings,
): Promise<Compiled> {
  const inputName = inputShape(base).name;
  const converters = settings.adcBits !== null || settings.dacBits !== null;
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
    ...(settings.after > 0 ? { drift: driftFor(levels, settings)! } : {}),
    ...(settings.deviceDraw === 'measured-cells' ? { devices: devicesFor(levels) } : {}),
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

/** What one evaluator returns for one chip. */
export interface ChipOutcome {
  chip: number;
  /** Per configuration (same order as {@link configurations}); null where it was not run on this chip. */
  accuracies: Array<number | null>;
  /** Per configuration: which test images it classified correctly on this chip (null: not run). */
  correct: Array<Uint8Array | null>;
  /** Chip 0 only: the quantized layers of every configuration. */
  layers?: LayerReport[];
  /** Chip 0 only, when asked: each configuration's simulated model, self-contained. */
  models?: Array<{ method: PredictMethod; bits: number; bytes: Uint8Array }>;
}

export interface EvaluateHooks {
  cancel?: CancelToken | undefined;
  /** Evaluations finished on this evaluator so far (fractional within one), and what runs now. */
  onProgress?(evaluations: number, label: string): void;
  /** The configuration indices to run (all when absent): a pool may split configurations. */
  configs?: readonly number[] | undefined;
}

/**
 * Runs every configuration on given chips. One lives in each worker of a pool (or one in-process):
 * it compiles each configuration once and keeps it for all the chips it is given.
 */
export interface ChipEvaluator {
  evaluate(chips: readonly number[], hooks?: EvaluateHooks): Promise<ChipOutcome[]>;
  release(): Promise<void>;
}

export interface EvaluatorOptions {
  /** Return each configuration's model for chip 0 (to save as .onnx). */
  saveModels?: boolean;
}

/** A prepared prediction job, the same for every evaluator. */
interface Job {
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

function prepareJob(input: PredictInput): Job {
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
function chipSeed(settings: PredictSettings, chip: number, configIndex: number): number {
  return settings.seed * 7919 + chip + (settings.commonChips ? 0 : 104_729 * (configIndex + 1));
}

/** Evaluates chips in this thread, with one ONNX Runtime. */
export class LocalEvaluator implements ChipEvaluator {
  private readonly job: Job;
  private readonly compiled = new Map<number, Compiled>();

  constructor(
    private readonly runtime: OrtRuntime,
    input: PredictInput,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.job = prepareJob(input);
  }

  async evaluate(chips: readonly number[], hooks: EvaluateHooks = {}): Promise<ChipOutcome[]> {
    const { runtime } = this;
    const { settings, configs, evaluation, calibrationSet } = this.job;
    const feedsOf = (tensors: readonly FeedTensor[]) =>
      Object.fromEntries(tensors.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)]));
    const outcomes: ChipOutcome[] = [];
    let evaluations = 0;
    for (const chip of chips) {
      const outcome: ChipOutcome = {
        chip,
        accuracies: configs.map(() => null),
        correct: configs.map(() => null),
      };
      if (chip === 0) {
        outcome.layers = [];
        if (this.options.saveModels) outcome.models = [];
      }
      for (const [index, config] of configs.entries()) {
        if (hooks.configs && !hooks.configs.includes(index)) continue;
        const varies = variesPerChip(settings, config.method);
        if (chip > 0 && !varies) continue;
        throwIfCancelled(hooks.cancel);
        const label = `${METHODS[config.method].label}${config.bits !== null ? ` ${config.bits}-bit` : ''}${varies ? `, chip ${chip + 1}` : ''}`;
        hooks.onProgress?.(evaluations, label);
        let state = this.compiled.get(index);
        if (!state) {
          // Once per configuration: quantize, build the graph, load it (and its probe).
          state = await compile(runtime, this.job.base, config, this.job.input.table, settings);
          this.compiled.set(index, state);
        }
        if (chip === 0 && state.plan && config.bits !== null) {
          const g = state.plan.options.levels.levels.map((l) => l.g);
          for (const q of state.plan.quantized)
            outcome.layers!.push({
              method: config.method,
              bits: config.bits,
              name: q.name,
              alpha: q.alpha,
              mse: q.mse,
              expectedMse: q.expectedMse,
              gain: q.gain,
              maxError: q.maxError,
              histogram: q.histogram,
              candidates: candidateWeights(q.method, q.scheme, q.alpha, g),
            });
        }
        const cells = state.plan ? drawChip(state.plan, chipSeed(settings, chip, index)) : [];
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
        if (chip === 0 && state.graph && config.bits !== null && outcome.models)
          outcome.models.push({
            method: config.method,
            bits: config.bits,
            bytes: encodeModel(bakeInputs(cloneModel(state.graph.model), [...cells, ...references])),
          });
        const done = evaluations;
        const correct = await evaluateCorrect(runtime, state.session, evaluation, {
          batchSize: settings.batchSize,
          inputName: state.inputName,
          feeds,
          cancel: hooks.cancel,
          onBatch: (n, total) => hooks.onProgress?.(done + n / total, label),
        });
        outcome.accuracies[index] = fraction(correct);
        outcome.correct[index] = correct;
        evaluations++;
      }
      outcomes.push(outcome);
    }
    hooks.onProgress?.(evaluations, 'done');
    return outcomes;
  }

  async release(): Promise<void> {
    for (const state of this.compiled.values()) {
      await state.session.release?.();
      await state.probe?.session.release?.();
    }
    this.compiled.clear();
  }
}

/**
 * With several evaluators and at least as many configurations that vary per chip (or none varies,
 * so every configuration runs once), each evaluator takes a share of the configurations (and
 * compiles only those) instead of a share of the chips.
 * Each configuration then sees the chips in order on one session, so the answer is the same as
 * in one thread. Null: split by chips.
 */
function splitConfigurations(
  configs: readonly Configuration[],
  varies: (method: PredictMethod) => boolean,
  evaluators: number,
): number[][] | null {
  const varying = configs.flatMap((c, i) => (varies(c.method) ? [i] : []));
  if (evaluators < 2) return null;
  const shares: number[][] = Array.from({ length: evaluators }, () => []);
  if (varying.length === 0) {
    // One deterministic chip (σ = 0, no read noise): every configuration runs once, so share them all.
    if (configs.length < 2) return null;
    configs.forEach((_, index) => shares[index % evaluators]!.push(index));
    return shares;
  }
  if (varying.length < evaluators) return null;
  varying.forEach((index, k) => shares[k % evaluators]!.push(index));
  // The once-only configurations (float, ideal-linear) go to the evaluators with the fewest.
  for (const [index, config] of configs.entries())
    if (!varies(config.method)) shares.reduce((a, b) => (b.length < a.length ? b : a)).push(index);
  return shares.map((share) => share.sort((a, b) => a - b));
}

/** One outcome per chip from evaluators that each ran some of the configurations. */
function mergeOutcomes(parts: ChipOutcome[][], configs: readonly Configuration[]): ChipOutcome[] {
  const byChip = new Map<number, ChipOutcome>();
  const order = (method: PredictMethod, bits: number | null) =>
    configs.findIndex((c) => c.method === method && c.bits === bits);
  for (const outcome of parts.flat()) {
    const merged = byChip.get(outcome.chip);
    if (!merged) {
      byChip.set(outcome.chip, {
        ...outcome,
        accuracies: [...outcome.accuracies],
        correct: [...outcome.correct],
        ...(outcome.layers ? { layers: [...outcome.layers] } : {}),
        ...(outcome.models ? { models: [...outcome.models] } : {}),
      });
      continue;
    }
    outcome.accuracies.forEach((a, i) => {
      if (a !== null && a !== undefined) merged.accuracies[i] = a;
    });
    outcome.correct.forEach((c, i) => {
      if (c) merged.correct[i] = c;
    });
    if (outcome.layers) merged.layers = [...(merged.layers ?? []), ...outcome.layers];
    if (outcome.models) merged.models = [...(merged.models ?? []), ...outcome.models];
  }
  // Layer reports and models in configuration order, as one evaluator gives them.
  for (const outcome of byChip.values()) {
    outcome.layers?.sort((a, b) => order(a.method, a.bits) - order(b.method, b.bits));
    outcome.models?.sort((a, b) => order(a.method, a.bits) - order(b.method, b.bits));
  }
  return [...byChip.values()];
}

export interface PredictOptions {
  /**
   * Evaluators to spread chips over (a worker pool); by default one in this thread. Chips go
   * round-robin in rounds of one per evaluator, so a given count of evaluators always gives the
   * same answer.
   */
  evaluators?: ChipEvaluator[];
  /** How the evaluators run (for the report), when they are not this runtime. */
  runtimeDescription?: string;
}

export async function predict(
  runtime: OrtRuntime,
  input: PredictInput,
  hooks: PredictHooks = {},
  options: PredictOptions = {},
): Promise<PredictionReport> {
  const now = hooks.now ?? (() => Date.now());
  const started = now();
  const job = prepareJob(input);
  const { settings, base } = job;
  const shape = inputShape(base);
  const configs: Config[] = job.configs.map((c) => ({ ...c, accuracies: [], correctSums: undefined }));
  const perChip = (method: PredictMethod) => variesPerChip(settings, method);
  const anyPerChip = configs.some((c) => perChip(c.method));
  // A chip count given is used as is; otherwise chips are added until every paired difference
  // to linear is known to ±untilCi, within the budget.
  const fixedChips = anyPerChip ? settings.trials : 1;
  const maxChips = fixedChips ?? settings.maxChips;
  const varying = configs.filter((c) => perChip(c.method)).length;
  const plannedEvaluations = configs.length + varying * (maxChips - 1);
  const evaluators = options.evaluators ?? [
    new LocalEvaluator(runtime, input, { saveModels: hooks.onModel !== undefined }),
  ];
  if (evaluators.length === 0)
    throw new ReramError('INVALID_INPUT', 'A prediction needs at least one evaluator.');
  const layers: LayerReport[] = [];
  let chips = 0;
  let reachedTarget: boolean | null = null;
  let limitedBy: 'images' | 'budget' | null = null;
  let completedEvaluations = 0;
  const inFlight = new Array<number>(evaluators.length).fill(0);
  const snapshot = () => configs.filter((c) => c.accuracies.length > 0).map((c) => resultOf(c, configs));
  const assignment = splitConfigurations(configs, perChip, evaluators.length);
  try {
    while (chips < maxChips) {
      throwIfCancelled(hooks.cancel);
      const round = Array.from(
        { length: Math.min(evaluators.length, maxChips - chips) },
        (_, k) => chips + k,
      );
      let label = '';
      const progress =
        (k: number, running: string) =>
        (evaluations: number, what: string): void => {
          inFlight[k] = evaluations;
          label = what;
          const done = completedEvaluations + inFlight.reduce((a, b) => a + b, 0);
          hooks.onProgress?.({
            fraction: Math.min(1, done / plannedEvaluations),
            message: `${label}${fixedChips ? ` of ${fixedChips}` : ` (until ±${settings.untilCi} pp, ≤ ${maxChips})`}${running}`,
            partial: snapshot(),
            images: done * job.evaluation.count,
          });
        };
      const outcomes = assignment
        ? // Each evaluator runs its own configurations on every chip of the round.
          mergeOutcomes(
            await Promise.all(
              assignment.map((mine, k) =>
                evaluators[k]!.evaluate(round, {
                  cancel: hooks.cancel,
                  configs: mine,
                  onProgress: progress(k, ` (${evaluators.length} workers)`),
                }),
              ),
            ),
            configs,
          )
        : (
            await Promise.all(
              round.map((chip, k) =>
                evaluators[k]!.evaluate([chip], {
                  cancel: hooks.cancel,
                  onProgress: progress(k, round.length > 1 ? ` (${round.length} chips in parallel)` : ''),
                }),
              ),
            )
          ).flat();
      inFlight.fill(0);
      // Merge in chip order, so the result does not depend on which evaluator finished first.
      for (const outcome of outcomes.sort((a, b) => a.chip - b.chip)) {
        for (const [index, config] of configs.entries()) {
          const accuracy = outcome.accuracies[index];
          if (accuracy === null || accuracy === undefined) continue;
          config.accuracies.push(accuracy);
          completedEvaluations++;
          const correct = outcome.correct[index];
          if (correct) {
            const sums = (config.correctSums ??= new Uint16Array(correct.length));
            for (let i = 0; i < correct.length; i++) sums[i] = sums[i]! + correct[i]!;
          }
        }
        if (outcome.layers) layers.push(...outcome.layers);
        for (const model of outcome.models ?? []) hooks.onModel?.(model.method, model.bits, model.bytes);
      }
      chips += round.length;
      if (fixedChips !== undefined || chips < settings.minChips) continue;
      const differences = snapshot().flatMap((r) => (r.vsLinear ? [r.vsLinear] : []));
      if (100 * Math.max(0, ...differences.map((d) => d.ci95)) <= settings.untilCi) {
        reachedTarget = true;
        limitedBy = null;
        break;
      }
      reachedTarget = false;
      // More chips shrink only the chip part: once it is small, the test set is what limits.
      if (differences.every((d) => 100 * (d.chipsCi95 ?? 0) <= settings.untilCi / 2)) {
        limitedBy = 'images';
        break;
      }
      limitedBy = 'budget';
    }
  } finally {
    for (const evaluator of evaluators) await evaluator.release();
  }
  const results = snapshot();
  hooks.onProgress?.({
    fraction: 1,
    message: 'done',
    partial: results,
    images: completedEvaluations * job.evaluation.count,
  });

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
      evaluated: job.evaluation.count,
      calibration: settings.adcBits !== null || settings.dacBits !== null ? job.calibrationSet.count : 0,
    },
    device: {
      profile: input.profileName,
      table: input.table.name,
      programming: input.table.programming ?? null,
      levels: input.table.levels.length,
      gMin: input.table.gMin,
      gMax: input.table.gMax,
      ...(input.table.cellSpread
        ? {
            spread: {
              sigma: input.table.cellSpread.sigma,
              cells: input.table.cellSpread.cells.length,
              d2dOverC2c: input.table.cellSpread.d2dOverC2c,
              dominates:
                input.table.cellSpread.d2dOverC2c > 1
                  ? ('device-to-device' as const)
                  : ('cycle-to-cycle' as const),
            },
          }
        : {}),
    },
    settings,
    runtime: options.runtimeDescription ?? runtime.description,
    chips: {
      count: chips,
      mode: fixedChips !== undefined ? 'fixed' : 'until-ci',
      target: settings.untilCi,
      reachedTarget,
      limitedBy: reachedTarget === false ? limitedBy : null,
    },
    results,
    layers,
    weightHistograms: weightHistograms(base),
    elapsedS: (now() - started) / 1000,
    createdAt: new Date(started).toISOString(),
  };
}
