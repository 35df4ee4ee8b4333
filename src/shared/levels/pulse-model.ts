/**
 * NeuroSim's pulse-response model of an analog ReRAM cell (docs/architecture.md §4).
 *
 * Potentiation (LTP), after n identical pulses from Gmin:
 *   G(n) = Gmin + B·(1 − exp(−n/A)),   B = (Gmax − Gmin) / (1 − exp(−Pmax/A))
 * so G(0) = Gmin and G(Pmax) = Gmax. Depression (LTD) is the mirror, counted from Gmax:
 *   G(n) = Gmax − B·(1 − exp(−n/A)).
 * A sets the curvature: A ≫ Pmax is linear, A ≪ Pmax saturates early. NeuroSim labels the
 * curvature with a non-linearity NL through a published table of A/Pmax (nl-table.data.ts).
 */
import { NL_LABELS, NORMALIZED_A } from './nl-table.data';

export type PulseDirection = 'ltp' | 'ltd';

export interface PulseModel {
  gMin: number;
  gMax: number;
  /** Curvature in pulses. */
  a: number;
  /** Pulses for a full swing between gMin and gMax. */
  pMax: number;
}

export function amplitudeB(model: PulseModel): number {
  return (model.gMax - model.gMin) / -Math.expm1(-model.pMax / model.a);
}

/** Conductance after n pulses in the given direction, starting from the end state of that direction. */
export function conductanceAfter(model: PulseModel, n: number, direction: PulseDirection): number {
  const rise = amplitudeB(model) * -Math.expm1(-n / model.a);
  return direction === 'ltp' ? model.gMin + rise : model.gMax - rise;
}

/**
 * Inverse: the (fractional) pulse count at which the curve reaches g, clamped to [0, pMax].
 * Used to advance a cell whose state is a conductance (NeuroSim derives the pulse position the same way).
 */
export function pulsesAt(model: PulseModel, g: number, direction: PulseDirection): number {
  const b = amplitudeB(model);
  const rise = direction === 'ltp' ? g - model.gMin : model.gMax - g;
  const fraction = rise / b;
  if (fraction <= 0) return 0;
  if (fraction >= -Math.expm1(-model.pMax / model.a)) return model.pMax;
  return -model.a * Math.log1p(-fraction);
}

export const NL_MIN = NL_LABELS[0]!;
export const NL_MAX = NL_LABELS[NL_LABELS.length - 1]!;

/** A/Pmax for a non-linearity label (negative LTD labels use the magnitude). Interpolated in log A. */
export function normalizedAFromNl(nl: number): number {
  const x = Math.abs(nl);
  if (!Number.isFinite(x) || x < NL_MIN || x > NL_MAX) {
    throw new RangeError(`NL ${nl} is outside the published table (|NL| ${NL_MIN}…${NL_MAX})`);
  }
  const step = NL_LABELS[1]! - NL_LABELS[0]!;
  const position = (x - NL_MIN) / step;
  const i = Math.min(Math.floor(position), NL_LABELS.length - 2);
  const t = position - i;
  return Math.exp((1 - t) * Math.log(NORMALIZED_A[i]!) + t * Math.log(NORMALIZED_A[i + 1]!));
}

export interface NlEstimate {
  /** Non-linearity label (magnitude). */
  nl: number;
  /** True when A/Pmax lies outside the table and NL was clamped to its end. */
  clamped: boolean;
}

/** The NL label for a curvature A/Pmax, interpolating the monotone-decreasing table in log A. */
export function nlFromNormalizedA(normalizedA: number): NlEstimate {
  if (!(normalizedA > 0)) throw new RangeError(`A/Pmax must be positive, got ${normalizedA}`);
  const first = NORMALIZED_A[0]!;
  const last = NORMALIZED_A[NORMALIZED_A.length - 1]!;
  if (normalizedA >= first) return { nl: NL_MIN, clamped: normalizedA > first };
  if (normalizedA <= last) return { nl: NL_MAX, clamped: normalizedA < last };
  // Binary search for NORMALIZED_A[i] >= normalizedA > NORMALIZED_A[i + 1].
  let lo = 0;
  let hi = NORMALIZED_A.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (NORMALIZED_A[mid]! >= normalizedA) lo = mid;
    else hi = mid;
  }
  const y0 = Math.log(NORMALIZED_A[lo]!);
  const y1 = Math.log(NORMALIZED_A[hi]!);
  const t = y0 === y1 ? 0 : (Math.log(normalizedA) - y0) / (y1 - y0);
  return { nl: NL_LABELS[lo]! + t * (NL_LABELS[hi]! - NL_LABELS[lo]!), clamped: false };
}

export function modelFromNl(params: { gMin: number; gMax: number; nl: number; pMax: number }): PulseModel {
  return {
    gMin: params.gMin,
    gMax: params.gMax,
    pMax: params.pMax,
    a: normalizedAFromNl(params.nl) * params.pMax,
  };
}
