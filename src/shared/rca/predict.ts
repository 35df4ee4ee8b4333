/**
 * Predict: the accuracy of a trained network on a ReRAM crossbar built from a device's level
 * table, for float / ideal-linear / linear / MES at each bit width, over seeded chip instances.
 */
import { ReramError, throwIfCancelled, type CancelToken } from '../errors';
import { crossbarLayers, initializerMap, summarizeModel } from '../nn/graph';
import { inputShape, tensorValues, type ModelProto } from '../nn/onnx';
import type { OrtRuntime } from '../nn/runtime';
import { CHIPS_PER_CALL, LocalEvaluator, type ChipEvaluator, type ChipOutcome } from './evaluator';
import { prepareJob, variesPerChip, type Job, type PredictInput } from './job';
import {
  groupSettings,
  REPORT_SCHEMA_VERSION,
  type LayerReport,
  type MethodResult,
  type PredictionReport,
  type WeightHistogram,
} from './report';
import { runRound, runRoundsAhead, splitConfigurations, type RoundProgress } from './schedule';
import { addOutcome, resultOf, type Config } from './statistics';
import type { PredictMethod } from './transform';

export { checkPredictInput, devicesFor, driftFor, prepareModel, type PredictInput } from './job';
export { crossedCi95 } from './statistics';
export {
  LocalEvaluator,
  type ChipEvaluator,
  type ChipOutcome,
  type EvaluateHooks,
  type EvaluatorOptions,
} from './evaluator';

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

export interface PredictOptions {
  /**
   * Evaluators to spread chips over (a worker pool); by default one in this thread. Chips go in
   * rounds of CHIPS_PER_CALL per evaluator (each evaluator a block of them), so a given count of
   * evaluators always gives the same answer.
   */
  evaluators?: ChipEvaluator[];
  /** Chips per graph call where chips vary (the default evaluator's, and the rounds' size). */
  chipsPerCall?: number;
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
    new LocalEvaluator(runtime, input, {
      saveModels: hooks.onModel !== undefined,
      ...(options.chipsPerCall !== undefined ? { chipsPerCall: options.chipsPerCall } : {}),
    }),
  ];
  if (evaluators.length === 0)
    throw new ReramError('INVALID_INPUT', 'A prediction needs at least one evaluator.');
  const layers: LayerReport[] = [];
  let chips = 0;
  let reachedTarget: boolean | null = null;
  let limitedBy: 'images' | 'budget' | null = null;
  let completedEvaluations = 0;
  // Per evaluator: evaluations of its calls that ended, and of the one under way.
  const finished = new Array<number>(evaluators.length).fill(0);
  const inFlight = new Array<number>(evaluators.length).fill(0);
  const snapshot = () => configs.filter((c) => c.accuracies.length > 0).map((c) => resultOf(c, configs));
  const assignment = splitConfigurations(configs, perChip, evaluators.length);
  const chipsPerCall = anyPerChip ? Math.max(1, Math.floor(options.chipsPerCall ?? CHIPS_PER_CALL)) : 1;
  let label = '';
  const tally: RoundProgress = {
    progress:
      (k: number, running: string) =>
      (evaluations: number, what: string): void => {
        inFlight[k] = evaluations;
        label = what;
        const done = finished.reduce((a, b) => a + b, 0) + inFlight.reduce((a, b) => a + b, 0);
        hooks.onProgress?.({
          fraction: Math.min(1, done / plannedEvaluations),
          message: `${label}${fixedChips ? ` of ${fixedChips}` : ` (until ±${settings.untilCi} pp, ≤ ${maxChips})`}${running}`,
          partial: snapshot(),
          images: done * job.evaluation.count,
        });
      },
    settled: (k: number) => {
      finished[k]! += inFlight[k]!;
      inFlight[k] = 0;
    },
  };
  const take = (outcomes: ChipOutcome[]) => {
    for (const outcome of outcomes) {
      completedEvaluations += addOutcome(configs, outcome);
      if (outcome.layers) layers.push(...outcome.layers);
      for (const model of outcome.models ?? []) hooks.onModel?.(model.method, model.bits, model.bytes);
    }
    chips += outcomes.length;
  };
  // K chips per evaluator per round: each evaluator runs its chips K per graph call.
  const roundSize = evaluators.length * chipsPerCall;
  try {
    if (fixedChips !== undefined) {
      // A fixed count never stops early, so no evaluator need wait for the others between rounds.
      const rounds = Array.from({ length: Math.ceil(maxChips / roundSize) }, (_, r) =>
        Array.from({ length: Math.min(roundSize, maxChips - r * roundSize) }, (_, k) => r * roundSize + k),
      );
      await runRoundsAhead(evaluators, rounds, assignment, configs, hooks.cancel, tally, take);
    }
    while (fixedChips === undefined && chips < maxChips) {
      throwIfCancelled(hooks.cancel);
      const round = Array.from({ length: Math.min(roundSize, maxChips - chips) }, (_, k) => chips + k);
      take(await runRound(evaluators, round, assignment, configs, hooks.cancel, tally));
      if (chips < settings.minChips) continue;
      const verdict = untilCiVerdict(snapshot(), settings.untilCi);
      ({ reachedTarget, limitedBy } = verdict);
      if (verdict.stop) break;
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

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    ...describeJob(job),
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

/**
 * After a round of an open chip count: whether every paired difference to linear is known to
 * ±untilCi (stop), and if not, what limits it. More chips shrink only the chip part of an
 * interval: once that is small, the test set is what limits, and more chips would not help (stop).
 */
function untilCiVerdict(
  results: readonly MethodResult[],
  untilCi: number,
): { stop: boolean; reachedTarget: boolean; limitedBy: 'images' | 'budget' | null } {
  const differences = results.flatMap((r) => (r.vsLinear ? [r.vsLinear] : []));
  if (100 * Math.max(0, ...differences.map((d) => d.ci95)) <= untilCi)
    return { stop: true, reachedTarget: true, limitedBy: null };
  if (differences.every((d) => 100 * (d.chipsCi95 ?? 0) <= untilCi / 2))
    return { stop: true, reachedTarget: false, limitedBy: 'images' };
  return { stop: false, reachedTarget: false, limitedBy: 'budget' };
}

/** What a report says of its job: the model and its tiles, the data, the device, the settings. */
function describeJob(job: Job): Pick<PredictionReport, 'model' | 'dataset' | 'device' | 'settings'> {
  const { input, settings } = job;
  const summary = summarizeModel(job.base, inputShape(job.base));
  const tile = settings.tile;
  const spread = input.table.cellSpread;
  return {
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
      ...(spread
        ? {
            spread: {
              sigma: spread.sigma,
              cells: spread.cells.length,
              d2dOverC2c: spread.d2dOverC2c,
              dominates: spread.d2dOverC2c > 1 ? ('device-to-device' as const) : ('cycle-to-cycle' as const),
            },
          }
        : {}),
    },
    settings: groupSettings(settings),
  };
}
