/**
 * Evaluators: each runs configurations on chips with one ONNX Runtime (in this thread, or one per
 * worker of a pool). A configuration is compiled once (quantized, its graph built and loaded) and
 * kept for every chip it is given; chips that vary run several per graph call (rca/batched.ts).
 */
import { throwIfCancelled, type CancelToken } from '../errors';
import { selectLevels, type LevelTable } from '../levels/level-table';
import { evaluateCorrect, evaluateCorrectPerChip } from '../nn/evaluate';
import { cloneModel, encodeModel, inputShape, type ModelProto } from '../nn/onnx';
import type { OrtRuntime, OrtSessionLike } from '../nn/runtime';
import { METHODS } from '../quant/methods';
import { candidateWeights } from '../quant/quantize';
import { measureChipRanges, measureRanges } from './calibrate';
import {
  batchedCrossbarGraph,
  canBatch,
  foldAdcSteps,
  stackChips,
  type BatchedGraph,
  type BatchedSpeedups,
} from './batched';
import {
  chipSeed,
  devicesFor,
  driftFor,
  prepareJob,
  variesPerChip,
  type Configuration,
  type Job,
  type PredictInput,
} from './job';
import type { LayerReport } from './report';
import { fraction } from './statistics';
import { NormalMemo } from '../random';
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

/** Chips of one configuration that run in one graph call (fewer when fewer are given). */
export const CHIPS_PER_CALL = 8;

/** Chips split into near-equal groups of at most {@link CHIPS_PER_CALL}, in order. */
export function chipGroups(chips: readonly number[], perCall = CHIPS_PER_CALL): number[][] {
  const groups = Math.ceil(chips.length / perCall);
  const size = Math.ceil(chips.length / Math.max(1, groups));
  return Array.from({ length: groups }, (_, g) => chips.slice(g * size, (g + 1) * size));
}

interface Loaded<G> {
  graph: G;
  session: OrtSessionLike;
}

/**
 * A configuration loaded once. One that varies per chip runs K chips per call on a batched graph
 * (one per K, loaded when first needed); one that does not (float, ideal-linear, σ = 0) runs its
 * single chip on the one-chip graph, exactly as it always has.
 */
interface Compiled {
  plan: CrossbarPlan | undefined;
  inputName: string;
  converters: boolean;
  noiseSeed: number;
  /** The one-chip graph: loaded for a configuration that does not batch, built to save a model. */
  single: Loaded<CrossbarGraph> | undefined;
  /** Its calibration probe (taps, converters off), when the ADC or DAC is on. */
  probe: Loaded<CrossbarGraph> | undefined;
  /** Batched graphs and probes by chips per call. */
  batched: Map<number, { main: Loaded<BatchedGraph>; probe: Loaded<BatchedGraph> | undefined }> | undefined;
}

async function load<G extends { model: ModelProto }>(runtime: OrtRuntime, graph: G): Promise<Loaded<G>> {
  return { graph, session: await runtime.createSession(encodeModel(graph.model)) };
}

async function compile(
  runtime: OrtRuntime,
  job: Job,
  config: Configuration,
  varies: boolean,
  chipsPerCall: number,
): Promise<Compiled> {
  const { base, settings } = job;
  const table: LevelTable = job.input.table;
  const inputName = inputShape(base).name;
  const converters = settings.adcBits !== null || settings.dacBits !== null;
  // Read noise is drawn by the graph; one generator per tile, advancing run by run.
  const noiseSeed = settings.seed * 7919 + 17;
  if (config.method === 'float') {
    const session = await runtime.createSession(encodeModel(base));
    return {
      plan: undefined,
      inputName,
      converters: false,
      noiseSeed,
      single: { graph: { model: base, layers: [], taps: { dac: [], adc: [] } }, session },
      probe: undefined,
      batched: undefined,
    };
  }
  // Measured on LeNet-5 (npm run bench -- sweep): K chips per call pays with the ADC or neither
  // converter; with a DAC (per-chip inputs undo the shared first layer) or read noise (its
  // generator and variance product over K chips) it was slower, so those run one chip per call.
  const batch = chipsPerCall > 1 && varies && settings.dacBits === null && settings.readNoise === 0;
  const levels = selectLevels(table, config.bits!);
  const plan = planCrossbar(
    base,
    {
      mapping: { method: config.method, scheme: settings.scheme, scale: settings.scale, levels },
      device: {
        sigmaScale: settings.sigmaScale,
        seed: settings.seed,
        ...(settings.after > 0 ? { drift: driftFor(levels, settings)! } : {}),
        ...(settings.deviceDraw === 'measured-cells' ? { devices: devicesFor(levels) } : {}),
      },
      array: { tile: settings.tile },
      read: { noise: settings.readNoise },
      adc: { bits: settings.adcBits },
      dac: { bits: settings.dacBits },
    },
    { wholeTiles: batch },
  );
  const common = { plan, inputName, converters, noiseSeed };
  if (batch && canBatch(plan)) return { ...common, single: undefined, probe: undefined, batched: new Map() };
  const single = await load(runtime, crossbarGraph(plan, { converters, noiseSeed, poolFirst: true }));
  const probe = converters
    ? await load(runtime, crossbarGraph(plan, { converters: false, taps: true, noiseSeed: noiseSeed + 1 }))
    : undefined;
  return { ...common, single, probe, batched: undefined };
}

/** One chip's result on one configuration, and (chip 0, when asked) its self-contained model. */
interface ChipRun {
  correct: Uint8Array;
  model?: Uint8Array;
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
  /** Chips per graph call where chips vary (default {@link CHIPS_PER_CALL}; 1: one-chip graphs). */
  chipsPerCall?: number;
}

/**
 * Sessions of batched graphs, shared by every configuration whose graph encodes to the same bytes.
 * Each configuration's conductances and ADC steps are fed, not baked in, so on LeNet-5 all eight of
 * a sweep's configurations build one graph: a later one skips loading it (about 35 ms per chip
 * count) and the first call's warm-up (about 100 ms). Only graphs without a random generator are
 * shared, since one advances run by run (read noise never batches; this keeps it so).
 */
class SessionCache {
  private readonly entries: Array<{ bytes: Uint8Array; session: OrtSessionLike; shared: boolean }> = [];

  constructor(private readonly runtime: OrtRuntime) {}

  async load<G extends { model: ModelProto }>(graph: G): Promise<Loaded<G>> {
    const bytes = encodeModel(graph.model);
    const shared = !graph.model.graph?.node?.some((n) => n.opType?.startsWith('Random'));
    const known = shared ? this.entries.find((e) => e.shared && sameBytes(e.bytes, bytes)) : undefined;
    if (known) return { graph, session: known.session };
    const session = await this.runtime.createSession(bytes);
    this.entries.push({ bytes, session, shared });
    return { graph, session };
  }

  async release(): Promise<void> {
    for (const entry of this.entries.splice(0)) await entry.session.release?.();
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Evaluates chips in this thread, with one ONNX Runtime. */
export class LocalEvaluator implements ChipEvaluator {
  private readonly job: Job;
  private readonly compiled = new Map<number, Compiled>();
  private readonly batchedSessions: SessionCache;

  constructor(
    private readonly runtime: OrtRuntime,
    input: PredictInput,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.job = prepareJob(input);
    this.batchedSessions = new SessionCache(runtime);
    this.chipsPerCall = Math.max(1, Math.floor(options.chipsPerCall ?? CHIPS_PER_CALL));
  }

  private readonly chipsPerCall: number;
  /**
   * A chip's programming deviates, drawn by its first configuration and reused by the others: set
   * while more than one configuration that varies per chip is being evaluated.
   */
  private normals: NormalMemo | undefined;

  /**
   * Block by block of K chips, every configuration in turn, so a chip's programming deviates,
   * drawn by its first configuration, are still remembered when the next one draws it
   * ({@link NormalMemo}). Each configuration still sees its chips in order, in the same groups.
   */
  async evaluate(chips: readonly number[], hooks: EvaluateHooks = {}): Promise<ChipOutcome[]> {
    const { configs } = this.job;
    const outcomes = chips.map((chip): ChipOutcome => ({
      chip,
      accuracies: configs.map(() => null),
      correct: configs.map(() => null),
      ...(chip === 0 ? { layers: [], ...(this.options.saveModels ? { models: [] } : {}) } : {}),
    }));
    const byChip = new Map(outcomes.map((o) => [o.chip, o]));
    const mine = configs.flatMap((config, index) =>
      hooks.configs && !hooks.configs.includes(index) ? [] : [{ config, index }],
    );
    const drawnAgain =
      mine.filter(({ config }) => variesPerChip(this.job.settings, config.method)).length > 1;
    this.normals = drawnAgain ? new NormalMemo() : undefined;
    let evaluations = 0;
    try {
      for (const block of chipGroups(chips, this.chipsPerCall))
        for (const { config, index } of mine)
          evaluations = await this.evaluateBlock(config, index, block, byChip, evaluations, hooks);
    } finally {
      this.normals = undefined;
    }
    hooks.onProgress?.(evaluations, 'done');
    return outcomes;
  }

  /** One configuration on one block of chips (only chip 0 where it does not vary); returns the count. */
  private async evaluateBlock(
    config: Configuration,
    index: number,
    block: readonly number[],
    byChip: Map<number, ChipOutcome>,
    evaluations: number,
    hooks: EvaluateHooks,
  ): Promise<number> {
    const varies = variesPerChip(this.job.settings, config.method);
    const chips = varies ? block : block.filter((chip) => chip === 0);
    if (chips.length === 0) return evaluations;
    throwIfCancelled(hooks.cancel);
    const name = `${METHODS[config.method].label}${config.bits !== null ? ` ${config.bits}-bit` : ''}`;
    hooks.onProgress?.(evaluations, name);
    let state = this.compiled.get(index);
    if (!state) {
      // Once per configuration: quantize, build the graph, load it (and its probe).
      state = await compile(this.runtime, this.job, config, varies, this.chipsPerCall);
      this.compiled.set(index, state);
    }
    const zero = chips.includes(0) ? byChip.get(0) : undefined;
    if (zero && state.plan && config.bits !== null) zero.layers!.push(...layerReports(state.plan, config));
    for (const group of state.batched ? [chips] : chips.map((chip) => [chip])) {
      const label = varies
        ? `${name}, chip${group.length > 1 ? `s ${group[0]! + 1}–${group.at(-1)! + 1}` : ` ${group[0]! + 1}`}`
        : name;
      const done = evaluations;
      const runHooks = {
        cancel: hooks.cancel,
        onBatch: (n: number, total: number) => hooks.onProgress?.(done + (group.length * n) / total, label),
      };
      const runs = state.batched
        ? await this.runGroup(state, index, group, runHooks)
        : [await this.runChip(state, index, group[0]!, runHooks)];
      runs.forEach((run, k) => {
        const outcome = byChip.get(group[k]!)!;
        outcome.accuracies[index] = fraction(run.correct);
        outcome.correct[index] = run.correct;
        if (run.model && outcome.models && config.bits !== null)
          outcome.models.push({ method: config.method, bits: config.bits, bytes: run.model });
      });
      evaluations += group.length;
    }
    return evaluations;
  }

  /** One chip on the one-chip graph: draw, calibrate the converters, evaluate. */
  private async runChip(state: Compiled, index: number, chip: number, hooks: RunHooks): Promise<ChipRun> {
    const { runtime } = this;
    const { settings, evaluation, calibrationSet } = this.job;
    const cells = state.plan ? drawChip(state.plan, chipSeed(settings, chip, index), this.normals) : [];
    const feeds = feedsOf(runtime, cells);
    let references: FeedTensor[] = [];
    if (state.plan && state.probe) {
      const ranges = await measureRanges(
        runtime,
        state.probe.session,
        state.probe.graph.taps,
        settings.tile.cols,
        calibrationSet,
        { feeds, cancel: hooks.cancel },
      );
      references = converterTensors(state.plan, ranges);
      Object.assign(feeds, feedsOf(runtime, references));
    }
    const correct = await evaluateCorrect(runtime, state.single!.session, evaluation, {
      batchSize: settings.batchSize,
      inputName: state.inputName,
      feeds,
      cancel: hooks.cancel,
      onBatch: hooks.onBatch,
    });
    return { correct, ...this.savedModel(state, chip, cells, references) };
  }

  /** K chips in one graph call per image chunk: drawn, calibrated together, evaluated together. */
  private async runGroup(
    state: Compiled,
    index: number,
    group: readonly number[],
    hooks: RunHooks,
  ): Promise<ChipRun[]> {
    const { runtime } = this;
    const { settings, evaluation, calibrationSet } = this.job;
    const plan = state.plan!;
    const graphs = await this.batchedFor(state, group.length);
    const cells = group.map((chip) => drawChip(plan, chipSeed(settings, chip, index), this.normals));
    let references: FeedTensor[][] = group.map(() => []);
    if (graphs.probe) {
      const feeds = feedsOf(runtime, stackChips(graphs.probe.graph, cells));
      const ranges = await measureChipRanges(
        runtime,
        graphs.probe.session,
        graphs.probe.graph,
        settings.tile.cols,
        calibrationSet,
        { feeds, cancel: hooks.cancel },
      );
      references = ranges.map((r) => converterTensors(plan, r));
    }
    const feeds = feedsOf(
      runtime,
      stackChips(
        graphs.main.graph,
        cells.map((c, k) => foldAdcSteps(plan, c, references[k]!)),
      ),
    );
    const correct = await evaluateCorrectPerChip(runtime, graphs.main.session, evaluation, group.length, {
      batchSize: settings.batchSize,
      inputName: state.inputName,
      feeds,
      cancel: hooks.cancel,
      onBatch: hooks.onBatch,
    });
    return correct.map((c, k) => ({
      correct: c,
      ...this.savedModel(state, group[k]!, cells[k]!, references[k]!),
    }));
  }

  private async batchedFor(state: Compiled, chips: number) {
    let graphs = state.batched!.get(chips);
    if (!graphs) {
      const { plan, converters, noiseSeed } = state;
      const speedups = await batchedSpeedups(this.runtime);
      const main = await this.batchedSessions.load(
        batchedCrossbarGraph(plan!, { converters, noiseSeed }, chips, speedups),
      );
      const probe = converters
        ? await this.batchedSessions.load(
            batchedCrossbarGraph(
              plan!,
              { converters: false, taps: true, noiseSeed: noiseSeed + 1 },
              chips,
              speedups,
            ),
          )
        : undefined;
      graphs = { main, probe };
      state.batched!.set(chips, graphs);
    }
    return graphs;
  }

  /** Chip 0's configuration as a self-contained model, when the caller saves models. */
  private savedModel(
    state: Compiled,
    chip: number,
    cells: readonly FeedTensor[],
    references: readonly FeedTensor[],
  ): { model?: Uint8Array } {
    if (chip !== 0 || !this.options.saveModels || !state.plan) return {};
    const graph =
      state.single?.graph ??
      crossbarGraph(state.plan, { converters: state.converters, noiseSeed: state.noiseSeed });
    return { model: encodeModel(bakeInputs(cloneModel(graph.model), [...cells, ...references])) };
  }

  async release(): Promise<void> {
    for (const state of this.compiled.values()) {
      await state.single?.session.release?.();
      await state.probe?.session.release?.();
    }
    this.compiled.clear();
    await this.batchedSessions.release();
  }
}

interface RunHooks {
  cancel: CancelToken | undefined;
  onBatch(done: number, total: number): void;
}

/**
 * What the batched graphs use on this runtime: pooling first, and its blocked kernels (with the
 * model's pools on them) where it has them. Benchmarks build their graphs with the same.
 */
export async function batchedSpeedups(runtime: OrtRuntime): Promise<BatchedSpeedups> {
  const nchwc = await runtime.nchwc?.();
  return { poolFirst: true, ...(nchwc ? { nchwc, blockedPools: true } : {}) };
}

/** Chip tensors as the runtime's feeds, by name. */
export function feedsOf(runtime: OrtRuntime, tensors: readonly FeedTensor[]): Record<string, unknown> {
  return Object.fromEntries(tensors.map((t) => [t.name, runtime.floatTensor(t.data, t.dims)]));
}

/** A configuration's quantized layers, for the report (chip 0). */
function layerReports(plan: CrossbarPlan, config: Configuration): LayerReport[] {
  const g = plan.options.mapping.levels.levels.map((l) => l.g);
  return plan.quantized.map((q) => ({
    method: config.method,
    bits: config.bits!,
    name: q.name,
    alpha: q.alpha,
    mse: q.mse,
    expectedMse: q.expectedMse,
    gain: q.gain,
    maxError: q.maxError,
    histogram: q.histogram,
    candidates: candidateWeights(q.method, q.scheme, q.alpha, g),
  }));
}
