/**
 * Level placement, the dual of MES (docs/methods.md): instead of choosing the best level for
 * each weight, choose the K write-verify targets themselves. Lloyd–Max on the network's own
 * weight magnitudes, in a normalised space where each layer's largest |w| maps to the top of the
 * window, with each target's expected error including the σ a verified level has there.
 *
 * Pooled over layers: one set of physical levels serves every layer of a chip (the targets are
 * device settings, not layer settings), and each layer's own α rescales them at predict time.
 */
import { invalidInput } from '../errors';
import { ExpectedErrorEnvelope } from './quantize';

/** σ (S) of each target, given all targets (a verify band depends on the neighbours' distance). */
export type SigmaModel = (targets: readonly number[]) => number[];

export interface PlacementOptions {
  gMin: number;
  gMax: number;
  /** Targets to place (2^bits). */
  count: number;
  sigma: SigmaModel;
  /** Fraction of the window left free at each end (device-to-device variation of the window). */
  margin?: number;
  iterations?: number;
}

export interface Placement {
  targets: number[];
  /** σ of each target under the model. */
  sigma: number[];
  /** Mean expected squared error per weight, normalised (|w|/max|w| per layer), at the targets … */
  expectedError: number;
  /** … and at evenly spaced targets over the same range, the starting point. */
  evenExpectedError: number;
  iterations: number;
}

/**
 * σ after write-verify with an acceptance band of ± tolerance × the gap to the nearest
 * neighbour (the write-verify procedure's rule): a level lands anywhere in its band, so its σ
 * is that of a uniform spread, band/√3.
 */
export function verifySigma(tolerance: number): SigmaModel {
  return (targets) =>
    targets.map((g, k) => {
      const gaps = [
        k > 0 ? g - targets[k - 1]! : Infinity,
        k < targets.length - 1 ? targets[k + 1]! - g : Infinity,
      ];
      return (tolerance * Math.min(...gaps)) / Math.sqrt(3);
    });
}

/** σ read off a level table at each target (linear between its levels, flat beyond them). */
export function tableSigma(levels: ReadonlyArray<{ g: number; sigma: number }>): SigmaModel {
  const at = sigmaInterpolator(levels);
  return (targets) => targets.map(at);
}

/** Mean expected error of normalised magnitudes t ∈ [0, 1] on targets (top target ↔ t = 1). */
export function placementError(
  t: ArrayLike<number>,
  targets: readonly number[],
  sigma: readonly number[],
): number {
  const g0 = targets[0]!;
  const span = targets[targets.length - 1]! - g0;
  const d = targets.map((g) => (g - g0) / span);
  // A weight is α(G_k − G_0): both cells of the pair carry their σ.
  const v = sigma.map((s) => (s ** 2 + sigma[0]! ** 2) / span ** 2);
  const envelope = new ExpectedErrorEnvelope(d, v, 1);
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += envelope.error(t[i]!, envelope.best(t[i]!), d, v);
  return t.length ? sum / t.length : 0;
}

/** |w| / max|w| of every layer, pooled. */
export function normalisedMagnitudes(layers: readonly ArrayLike<number>[]): Float64Array {
  const total = layers.reduce((n, w) => n + w.length, 0);
  const out = new Float64Array(total);
  let o = 0;
  for (const w of layers) {
    let m = 0;
    for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs(w[i]!));
    for (let i = 0; i < w.length; i++) out[o++] = m > 0 ? Math.abs(w[i]!) / m : 0;
  }
  return out;
}

export function placeLevels(layers: readonly ArrayLike<number>[], options: PlacementOptions): Placement {
  const { count } = options;
  if (!Number.isInteger(count) || count < 2 || count > 4096)
    throw invalidInput(`Place 2 to 4096 levels, not ${count}.`);
  if (!(options.gMax > options.gMin && options.gMin >= 0))
    throw invalidInput('The window needs 0 ≤ Gmin < Gmax.');
  const margin = options.margin ?? 0.05;
  if (!(margin >= 0 && margin < 0.45))
    throw invalidInput('The margin is a fraction of the window below 0.45.');
  const window = options.gMax - options.gMin;
  const low = options.gMin + margin * window;
  const high = options.gMax - margin * window;
  const span = high - low;
  const t = normalisedMagnitudes(layers);
  // Neighbouring targets closer than this cannot be told apart by a verify loop.
  const minGap = span * 1e-3;
  const even = Array.from({ length: count }, (_, k) => low + (span * k) / (count - 1));
  const errorOf = (targets: number[]) => placementError(t, targets, options.sigma(targets));
  let targets = [...even];
  let best = errorOf(targets);
  const evenExpectedError = best;
  let iterations = 0;
  for (let step = 0; step < (options.iterations ?? 200); step++) {
    // Assignment: each magnitude to the target of least expected error (σ included).
    const sigma = options.sigma(targets);
    const d = targets.map((g) => (g - low) / span);
    const v = sigma.map((s) => (s ** 2 + sigma[0]! ** 2) / span ** 2);
    const envelope = new ExpectedErrorEnvelope(d, v, 1);
    const sums = new Float64Array(count);
    const counts = new Float64Array(count);
    for (let i = 0; i < t.length; i++) {
      const k = envelope.best(t[i]!);
      sums[k] = sums[k]! + t[i]!;
      counts[k] = counts[k]! + 1;
    }
    // Update: interior targets to the centroid of their magnitudes (the ends stay at the window).
    const next = [...targets];
    for (let k = 1; k < count - 1; k++) if (counts[k]! > 0) next[k] = low + span * (sums[k]! / counts[k]!);
    next.sort((a, b) => a - b);
    for (let k = 1; k < count - 1; k++)
      next[k] = Math.min(Math.max(next[k]!, next[k - 1]! + minGap), high - minGap * (count - 1 - k));
    // σ moves with the targets, so a centroid step can overshoot: halve it until it helps.
    let candidate = next;
    let error = errorOf(candidate);
    for (let halving = 0; halving < 8 && !(error < best); halving++) {
      candidate = candidate.map((g, k) => (g + targets[k]!) / 2);
      error = errorOf(candidate);
    }
    if (!(error < best * (1 - 1e-9))) break;
    best = error;
    targets = candidate;
    iterations = step + 1;
  }
  return { targets, sigma: options.sigma(targets), expectedError: best, evenExpectedError, iterations };
}

/** σ as a function of g, interpolated linearly between a table's levels (flat beyond them). */
export function sigmaInterpolator(
  levels: ReadonlyArray<{ g: number; sigma: number }>,
): (g: number) => number {
  const sorted = [...levels].sort((a, b) => a.g - b.g);
  return (g) => {
    if (g <= sorted[0]!.g) return sorted[0]!.sigma;
    for (let k = 1; k < sorted.length; k++) {
      const a = sorted[k - 1]!;
      const b = sorted[k]!;
      if (g <= b.g) return a.sigma + ((b.sigma - a.sigma) * (g - a.g)) / (b.g - a.g);
    }
    return sorted[sorted.length - 1]!.sigma;
  };
}
