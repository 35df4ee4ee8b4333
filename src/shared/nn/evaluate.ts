import { throwIfCancelled, type CancelToken } from '../errors';
import { sampleSize, type Dataset } from './datasets';
import type { OrtRuntime, OrtSessionLike } from './runtime';

export interface EvaluateOptions {
  batchSize?: number;
  outputName?: string;
  /** The data input's name (default: the session's first input). */
  inputName?: string;
  /** Further inputs fed with every batch (a compiled crossbar's cells). */
  feeds?: Record<string, unknown>;
  cancel?: CancelToken | undefined;
  onBatch?(done: number, total: number): void;
}

export function argmax(data: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (data[offset + k]! > data[offset + best]!) best = k;
  return best;
}

/** Top-1 accuracy of a session over a dataset, in batches. */
export async function evaluateAccuracy(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  dataset: Dataset,
  options: EvaluateOptions = {},
): Promise<number> {
  const correct = await evaluateCorrect(runtime, session, dataset, options);
  return dataset.count ? correct.reduce((a, b) => a + b, 0) / dataset.count : 0;
}

/** Whether each test image is classified correctly (1) or not (0): the unit of paired comparisons. */
export async function evaluateCorrect(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  dataset: Dataset,
  options: EvaluateOptions = {},
): Promise<Uint8Array> {
  const flags = new Uint8Array(dataset.count);
  const batchSize = options.batchSize ?? 250;
  const size = sampleSize(dataset);
  const inputName = options.inputName ?? session.inputNames[0]!;
  const outputName = options.outputName ?? session.outputNames[0]!;
  for (let start = 0; start < dataset.count; start += batchSize) {
    throwIfCancelled(options.cancel);
    const n = Math.min(batchSize, dataset.count - start);
    const input = runtime.floatTensor(dataset.images.subarray(start * size, (start + n) * size), [
      n,
      ...dataset.shape,
    ]);
    const output = (await session.run({ ...options.feeds, [inputName]: input }))[outputName]!;
    const classes = output.dims[output.dims.length - 1]!;
    for (let k = 0; k < n; k++)
      if (argmax(output.data, k * classes, classes) === dataset.labels[start + k]) flags[start + k] = 1;
    options.onBatch?.(start + n, dataset.count);
  }
  return flags;
}

/**
 * Per chip, which test images it classifies correctly, from a graph that runs K chips per call
 * (its output is chip-major: chip k's answers for the n images fed are rows k·n … k·n + n − 1).
 * Each call feeds ⌈batchSize / K⌉ images, so K chips take the memory one chip's batch did.
 */
export async function evaluateCorrectPerChip(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  dataset: Dataset,
  chips: number,
  options: EvaluateOptions = {},
): Promise<Uint8Array[]> {
  const flags = Array.from({ length: chips }, () => new Uint8Array(dataset.count));
  const batchSize = Math.max(8, Math.ceil((options.batchSize ?? 250) / chips));
  const size = sampleSize(dataset);
  const inputName = options.inputName ?? session.inputNames[0]!;
  const outputName = options.outputName ?? session.outputNames[0]!;
  for (let start = 0; start < dataset.count; start += batchSize) {
    throwIfCancelled(options.cancel);
    const n = Math.min(batchSize, dataset.count - start);
    const input = runtime.floatTensor(dataset.images.subarray(start * size, (start + n) * size), [
      n,
      ...dataset.shape,
    ]);
    const output = (await session.run({ ...options.feeds, [inputName]: input }))[outputName]!;
    const classes = output.dims[output.dims.length - 1]!;
    for (let k = 0; k < chips; k++) {
      const chipFlags = flags[k]!;
      for (let j = 0; j < n; j++)
        if (argmax(output.data, (k * n + j) * classes, classes) === dataset.labels[start + j])
          chipFlags[start + j] = 1;
    }
    options.onBatch?.(start + n, dataset.count);
  }
  return flags;
}
