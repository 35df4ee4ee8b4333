/**
 * Fits NeuroSim's pulse-response model to measured pulse-train curves by Levenberg–Marquardt.
 *
 * To keep LM well conditioned whatever the conductance scale (nS to mS), it works on
 * normalised data y = (g − gRef)/gScale with parameters θ = [u₀, u₁, s]:
 *   gMin = gRef + u₀·gScale,  gMax = gRef + u₁·gScale,  A = Pmax·eˢ
 * and the analytic Jacobian (below). Uncertainties are one standard error: from the Jacobian
 * covariance s²(JᵀJ)⁻¹ and, with three or more cycles, from the spread of per-cycle fits — the
 * larger of the two, because cycle-to-cycle noise accumulates along a curve and makes
 * neighbouring residuals correlated, which the Jacobian estimate alone would understate.
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { ReramError } from '../errors';
import { mean, sampleStd, spearman } from '../stats';
import type { FittedCurve } from './level-table';
import { nlFromNormalizedA, normalizedAFromNl, type PulseDirection } from './pulse-model';

export interface CurveSample {
  /** Pulses applied in this phase before the read. */
  n: number;
  g: number;
  cycle: number;
  compliance?: boolean;
}

export class FitError extends ReramError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('FIT', message, details);
    this.name = 'FitError';
  }
}

export interface FitOptions {
  /** Pulses for the full swing; defaults to the largest pulse count in the data. */
  pMax?: number;
}

interface RawFit {
  theta: [number, number, number];
  ssr: number;
  jtjInverse: number[][] | undefined;
}

/** E(x) = 1 − e^{−x/A} and its derivative with respect to A. */
function rise(x: number, a: number): { e: number; de: number } {
  return { e: -Math.expm1(-x / a), de: (-x * Math.exp(-x / a)) / (a * a) };
}

function shape(x: number, a: number, pMax: number): { f: number; dfdA: number } {
  const ex = rise(x, a);
  const ep = rise(pMax, a);
  return { f: ex.e / ep.e, dfdA: (ex.de * ep.e - ex.e * ep.de) / (ep.e * ep.e) };
}

function modelFn(direction: PulseDirection, pMax: number) {
  return ([u0, u1, s]: number[]) => {
    const a = pMax * Math.exp(s!);
    return (x: number) => {
      const { f } = shape(x, a, pMax);
      return direction === 'ltp' ? u0! + (u1! - u0!) * f : u1! - (u1! - u0!) * f;
    };
  };
}

function jacobianFn(direction: PulseDirection, pMax: number) {
  return ([u0, u1, s]: number[]) => {
    const a = pMax * Math.exp(s!);
    return (x: number) => {
      const { f, dfdA } = shape(x, a, pMax);
      const dS = (u1! - u0!) * dfdA * a;
      return direction === 'ltp' ? [1 - f, f, dS] : [f, 1 - f, -dS];
    };
  };
}

function invert3(m: number[][]): number[][] | undefined {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-300) return undefined;
  const inv = [
    [A, -(b! * i! - c! * h!), b! * f! - c! * e!],
    [B, a! * i! - c! * g!, -(a! * f! - c! * d!)],
    [C, -(a! * h! - b! * g!), a! * e! - b! * d!],
  ];
  return inv.map((row) => row.map((v) => v / det));
}

function solve(xs: number[], ys: number[], direction: PulseDirection, pMax: number): RawFit {
  const model = modelFn(direction, pMax);
  const jac = jacobianFn(direction, pMax);
  // Start from both ends of the data and several curvatures; keep the best.
  const head = ys.filter((_, k) => xs[k]! <= Math.max(1, pMax * 0.05));
  const tail = ys.filter((_, k) => xs[k]! >= pMax * 0.95);
  const start = direction === 'ltp' ? [mean(head), mean(tail)] : [mean(tail), mean(head)];
  let best: RawFit | undefined;
  const ssrOf = (theta: number[]) => {
    const f = model(theta);
    let ssr = 0;
    for (let k = 0; k < xs.length; k++) ssr += (ys[k]! - f(xs[k]!)) ** 2;
    return ssr;
  };
  for (const nl of [0.3, 1.5, 5]) {
    let theta = [start[0]!, start[1]!, Math.log(normalizedAFromNl(nl))];
    let ssr = ssrOf(theta);
    // The library stops only on an absolute error or an iteration cap; run it in short bursts
    // and stop when a burst no longer improves the fit (relative change below 1e-12).
    for (let burst = 0; burst < 30; burst++) {
      const result = levenbergMarquardt({ x: xs, y: ys }, model, {
        initialValues: theta,
        jacobianFunction: jac,
        damping: 1e-2,
        maxIterations: 15,
        errorTolerance: 1e-30,
        improvementThreshold: 1e-9,
        minValues: [-10, -10, Math.log(1e-3)],
        maxValues: [10, 10, Math.log(1e4)],
      });
      const next = result.parameterValues;
      const nextSsr = ssrOf(next);
      const improved = ssr - nextSsr;
      if (nextSsr <= ssr) theta = next;
      const settled = improved <= 1e-12 * ssr + 1e-300;
      ssr = Math.min(ssr, nextSsr);
      if (settled) break;
    }
    if (!best || ssr < best.ssr)
      best = { theta: theta as [number, number, number], ssr, jtjInverse: undefined };
  }
  const j = jac(best!.theta);
  const jtj = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (const x of xs) {
    const row = j(x);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) jtj[r]![c]! += row[r]! * row[c]!;
  }
  best!.jtjInverse = invert3(jtj);
  return best!;
}

function validate(samples: readonly CurveSample[], direction: PulseDirection): void {
  const label = direction === 'ltp' ? 'potentiation (LTP)' : 'depression (LTD)';
  if (samples.length < 6)
    throw new FitError(`Too few points to fit the ${label} curve: ${samples.length} (need at least 6).`);
  const bad = samples.findIndex((s) => !Number.isFinite(s.g) || !Number.isFinite(s.n));
  if (bad >= 0)
    throw new FitError(
      `The ${label} data contains a non-finite value (point ${bad}: g = ${samples[bad]!.g}).`,
    );
  const clipped = samples.filter((s) => s.compliance).length;
  if (clipped > 0) {
    throw new FitError(
      `${clipped} ${label} read(s) hit the current compliance, so the conductance is clipped. Raise the compliance or lower the read voltage.`,
      { clipped },
    );
  }
  const distinct = new Set(samples.map((s) => s.n)).size;
  if (distinct < 4)
    throw new FitError(`The ${label} data has only ${distinct} distinct pulse counts (need at least 4).`);
  const rho = spearman(
    samples.map((s) => s.n),
    samples.map((s) => s.g),
  );
  const expected = direction === 'ltp' ? 1 : -1;
  if (rho * expected < 0.5) {
    throw new FitError(
      `The ${label} data is not monotonic: conductance does not ${direction === 'ltp' ? 'rise' : 'fall'} with pulse number (Spearman ρ = ${rho.toFixed(2)}).`,
      { spearman: rho },
    );
  }
}

/** Fits one direction of the pulse response to the samples of one or more cycles. */
export function fitPulseCurve(
  samples: readonly CurveSample[],
  direction: PulseDirection,
  options: FitOptions = {},
): FittedCurve {
  validate(samples, direction);
  const xs = samples.map((s) => s.n);
  const gs = samples.map((s) => s.g);
  const pMax = options.pMax ?? Math.max(...xs);
  if (!(pMax > 0)) throw new FitError('The curve needs at least one pulse.');
  const gRef = Math.min(...gs);
  const gScale = Math.max(...gs) - gRef;
  if (!(gScale > 0)) throw new FitError('The conductance does not change with pulses: nothing to fit.');
  const ys = gs.map((g) => (g - gRef) / gScale);

  const fit = solve(xs, ys, direction, pMax);
  const [u0, u1, s] = fit.theta;
  const a = pMax * Math.exp(s);
  const dof = Math.max(1, xs.length - 3);
  const residualVariance = fit.ssr / dof;
  const jacobianSe = fit.jtjInverse
    ? fit.jtjInverse.map((row, k) => Math.sqrt(Math.max(0, row[k]! * residualVariance)))
    : [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];

  // Per-cycle refits give an honest spread when cycle noise is correlated along the curve.
  const cycles = [...new Set(samples.map((x) => x.cycle))];
  const se = [...jacobianSe];
  if (cycles.length >= 3) {
    const perCycle: Array<[number, number, number]> = [];
    for (const cycle of cycles) {
      const idx = samples.flatMap((x, k) => (x.cycle === cycle ? [k] : []));
      if (idx.length < 6) continue;
      perCycle.push(
        solve(
          idx.map((k) => xs[k]!),
          idx.map((k) => ys[k]!),
          direction,
          pMax,
        ).theta,
      );
    }
    if (perCycle.length >= 3) {
      for (let p = 0; p < 3; p++) {
        const spread = sampleStd(perCycle.map((t) => t[p]!)) / Math.sqrt(perCycle.length);
        se[p] = Math.max(se[p]!, spread);
      }
    }
  }

  const gMin = gRef + u0 * gScale;
  const gMax = gRef + u1 * gScale;
  const nlEstimate = nlFromNormalizedA(a / pMax);
  // NL is a table lookup, not a formula, and saturates at the table's ends: map the A interval
  // through the table and take the wider side, so a clamped NL still carries an honest spread.
  const nlAt = (sv: number) => nlFromNormalizedA(Math.min(1e300, Math.max(1e-300, Math.exp(sv)))).nl;
  const nlUncertainty = Math.max(
    Math.abs(nlAt(s - se[2]!) - nlEstimate.nl),
    Math.abs(nlEstimate.nl - nlAt(s + se[2]!)),
  );

  let ssTot = 0;
  const yMean = mean(ys);
  for (const y of ys) ssTot += (y - yMean) ** 2;
  const r2 = ssTot > 0 ? 1 - fit.ssr / ssTot : 1;
  const rmse = Math.sqrt(fit.ssr / xs.length) * gScale;
  return {
    direction,
    gMin,
    gMax,
    a,
    pMax,
    nl: nlEstimate.nl,
    nlClamped: nlEstimate.clamped,
    r2,
    rmse,
    c2cSigma: gMax > gMin ? rmse / (gMax - gMin) : 0,
    uncertainty: {
      gMin: se[0]! * gScale,
      gMax: se[1]! * gScale,
      a: a * se[2]!,
      nl: nlUncertainty,
    },
    points: xs.length,
    cycles: cycles.length,
  };
}
