/**
 * The statistics of a prediction: each configuration's mean accuracy over chips, and its paired
 * difference to linear, with 95 % intervals that count chip-to-chip spread and test-set sampling.
 */
import { sampleStd, tQuantile975 } from '../stats';
import type { ChipOutcome } from './evaluator';
import type { Configuration } from './job';
import type { MethodResult } from './report';

export interface Config extends Configuration {
  /** Accuracy per chip. */
  accuracies: number[];
  /** Per image: on how many of the evaluated chips it was classified correctly. */
  correctSums: Uint16Array | undefined;
}

export const fraction = (correct: Uint8Array) =>
  correct.reduce((a, b) => a + b, 0) / Math.max(1, correct.length);

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
export function resultOf(config: Config, all: readonly Config[]): MethodResult {
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

/** Adds one chip's outcome to each configuration it ran; returns how many evaluations that was. */
export function addOutcome(configs: readonly Config[], outcome: ChipOutcome): number {
  let evaluations = 0;
  for (const [index, config] of configs.entries()) {
    const accuracy = outcome.accuracies[index];
    if (accuracy === null || accuracy === undefined) continue;
    config.accuracies.push(accuracy);
    evaluations++;
    const correct = outcome.correct[index];
    if (correct) {
      const sums = (config.correctSums ??= new Uint16Array(correct.length));
      for (let i = 0; i < correct.length; i++) sums[i] = sums[i]! + correct[i]!;
    }
  }
  return evaluations;
}
