/**
 * Retention: how a programmed level moves with time, fitted two ways and compared.
 *
 * Power law (the form aihwkit uses for PCM drift): G(t) = G₀ · (t/t₀)^(−ν), fitted as the least
 * squares line ln G = ln G₀ − ν · ln(t/t₀).
 * Linear in log time (relaxation): G(t) = a − b · log₁₀(t/t₀), the least squares line in log₁₀ t.
 * Both have two parameters, so they are compared by AIC on the residuals in conductance:
 * ΔAIC = n · ln(SSE_loglinear / SSE_powerlaw), positive when the power law fits better. Within
 * ±2 the data do not tell them apart (Burnham & Anderson's rule), and we say so: over a few
 * decades a small ν makes the two forms nearly the same line. R² is in conductance too.
 * Times are seconds since programming, t₀ = 1 s; reads at t ≤ 0 are not used.
 */

export interface LineFit {
  slope: number;
  intercept: number;
}

/** Ordinary least squares y = intercept + slope · x. */
export function leastSquares(x: readonly number[], y: readonly number[]): LineFit {
  const n = x.length;
  if (n < 2 || y.length !== n) throw new RangeError('a line needs at least two points');
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (x[k]! - mx) * (y[k]! - my);
    sxx += (x[k]! - mx) ** 2;
  }
  if (!(sxx > 0)) throw new RangeError('the reads must span more than one time');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export interface DriftFit {
  n: number;
  powerLaw: { g0: number; nu: number; sse: number; r2: number };
  logLinear: { a: number; b: number; sse: number; r2: number };
  /** n · ln(SSE_loglinear / SSE_powerlaw): > 0 favours the power law. */
  deltaAic: number;
  better: 'power-law' | 'log-linear' | 'either';
}

/** |ΔAIC| below this: the two forms fit equally well. */
export const AIC_EVIDENCE = 2;

export const DRIFT_T0_S = 1;

export function fitDrift(times: readonly number[], conductances: readonly number[]): DriftFit | null {
  const points = times
    .map((t, k) => ({ t, g: conductances[k]! }))
    .filter((p) => p.t > 0 && p.g > 0 && Number.isFinite(p.t) && Number.isFinite(p.g));
  if (points.length < 3 || new Set(points.map((p) => p.t)).size < 2) return null;
  const lnT = points.map((p) => Math.log(p.t / DRIFT_T0_S));
  const g = points.map((p) => p.g);
  const power = leastSquares(
    lnT,
    g.map((x) => Math.log(x)),
  );
  const linear = leastSquares(
    lnT.map((x) => x / Math.LN10),
    g,
  );
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  const sst = g.reduce((s, x) => s + (x - mean) ** 2, 0);
  const powerPredicted = lnT.map((x) => Math.exp(power.intercept + power.slope * x));
  const linearPredicted = lnT.map((x) => linear.intercept + linear.slope * (x / Math.LN10));
  const sse = (predicted: number[]) => predicted.reduce((s, p, k) => s + (g[k]! - p) ** 2, 0);
  const powerSse = sse(powerPredicted);
  const linearSse = sse(linearPredicted);
  const r2 = (e: number) => (sst > 0 ? 1 - e / sst : 1);
  const deltaAic = points.length * Math.log(Math.max(linearSse, 1e-300) / Math.max(powerSse, 1e-300));
  return {
    n: points.length,
    powerLaw: { g0: Math.exp(power.intercept), nu: -power.slope, sse: powerSse, r2: r2(powerSse) },
    logLinear: { a: linear.intercept, b: -linear.slope, sse: linearSse, r2: r2(linearSse) },
    deltaAic,
    better: deltaAic > AIC_EVIDENCE ? 'power-law' : deltaAic < -AIC_EVIDENCE ? 'log-linear' : 'either',
  };
}

/** Read times (s after programming): `first`, then `perDecade` log-spaced per decade, up to `duration`. */
export function retentionReadTimes(first: number, duration: number, perDecade: number): number[] {
  const times: number[] = [];
  for (let k = 0; ; k++) {
    const t = first * 10 ** (k / perDecade);
    if (t > duration * (1 + 1e-9)) break;
    times.push(Number(t.toPrecision(6)));
  }
  if (times.at(-1)! < duration) times.push(duration);
  return times;
}

/** The law's ν and its spread at conductance g: linear in ln g between points, clamped outside them. */
export function driftAt(
  points: ReadonlyArray<{ g: number; nu: number; nuSigma: number }>,
  g: number,
): { nu: number; nuSigma: number } {
  const sorted = [...points].sort((a, b) => a.g - b.g);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (g <= first.g) return { nu: first.nu, nuSigma: first.nuSigma };
  if (g >= last.g) return { nu: last.nu, nuSigma: last.nuSigma };
  const k = sorted.findIndex((p) => p.g >= g);
  const a = sorted[k - 1]!;
  const b = sorted[k]!;
  const w = Math.log(g / a.g) / Math.log(b.g / a.g);
  return { nu: a.nu + w * (b.nu - a.nu), nuSigma: a.nuSigma + w * (b.nuSigma - a.nuSigma) };
}

/** The power law's factor G(t)/G(t₀) = (t/t₀)^−ν; none before t₀ (the law is fitted from t₀ on). */
export function driftFactor(t: number, nu: number, t0: number): number {
  return t <= t0 ? 1 : (t / t0) ** -nu;
}
