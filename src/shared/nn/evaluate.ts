import { throwIfCancelled, type CancelToken } from '../errors';
import { sampleSize, type Dataset } from './datasets';
import type { OrtRuntime, OrtSessionLike, OrtTensorLike } from './runtime';

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

/**
 * Runs a session over a data set in batches of at most `batchSize` images (with the same further
 * inputs each time), handing each batch's outputs, first image and size to `take`.
 */
export async function runInBatches(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  dataset: Dataset,
  batchSize: number,
  options: Pick<EvaluateOptions, 'inputName' | 'feeds' | 'cancel'>,
  take: (outputs: Record<string, OrtTensorLike>, start: number, n: number) => void,
): Promise<void> {
  const size = sampleSize(dataset);
  const inputName = options.inputName ?? session.inputNames[0]!;
  for (let start = 0; start < dataset.count; start += batchSize) {
    throwIfCancelled(options.cancel);
    const n = Math.min(batchSize, dataset.count - start);
    const input = runtime.floatTensor(dataset.images.subarray(start * size, (start + n) * size), [
      n,
      ...dataset.shape,
    ]);
    take(await session.run({ ...options.feeds, [inputName]: input }), start, n);
  }
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
  return (await correctPerChip(runtime, session, dataset, 1, options.batchSize ?? 250, options))[0]!;
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
  const batchSize = Math.max(8, Math.ceil((options.batchSize ?? 250) / chips));
  return correctPerChip(runtime, session, dataset, chips, batchSize, options);
}

async function correctPerChip(
  runtime: OrtRuntime,
  session: OrtSessionLike,
  dataset: Dataset,
  chips: number,
  batchSize: number,
  options: EvaluateOptions,
): Promise<Uint8Array[]> {
  const flags = Array.from({ length: chips }, () => new Uint8Array(dataset.count));
  const outputName = options.outputName ?? session.outputNames[0]!;
  await runInBatches(runtime, session, dataset, batchSize, options, (outputs, start, n) => {
    const output = outputs[outputName]!;
    const classes = output.dims[output.dims.length - 1]!;
    for (let k = 0; k < chips; k++) {
      const chipFlags = flags[k]!;
      for (let j = 0; j < n; j++)
        if (argmax(output.data, (k * n + j) * classes, classes) === dataset.labels[start + j])
          chipFlags[start + j] = 1;
    }
    options.onBatch?.(start + n, dataset.count);
  });
  return flags;
}
