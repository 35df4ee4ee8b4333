/**
 * From measured points to level tables: the pulse-train route (states after equally spaced
 * pulse counts, mean and σ over every measured cycle) and the write-verify route (the accepted
 * reads of each target level).
 */
import type { Point } from '../run';
import { mean, sampleStd } from '../stats';
import { FitError, fitPulseCurve, type CurveSample } from './fit';
import type { FittedCurve, Level, LevelTable, Provenance } from './level-table';
import { pulsesAt } from './pulse-model';

export interface PulseTrainCurves {
  ltp: CurveSample[];
  ltd: CurveSample[];
}

/** The state reads of a pulse train, per direction, as (pulses so far, conductance, cycle). */
export function curvesFromPoints(points: readonly Point[]): PulseTrainCurves {
  const curves: PulseTrainCurves = { ltp: [], ltd: [] };
  for (const p of points) {
    if (p.kind !== 'read' || (p.phase !== 'ltp' && p.phase !== 'ltd')) continue;
    curves[p.phase].push({ n: p.pulse, g: p.g ?? Number.NaN, cycle: p.cycle, compliance: p.compliance });
  }
  return curves;
}

export interface PulseTrainFit {
  ltp: FittedCurve;
  ltd?: FittedCurve;
  /** Why the LTD curve was not fitted, when it was not. */
  ltdSkipped?: string;
}

export function fitPulseTrain(points: readonly Point[]): PulseTrainFit {
  const curves = curvesFromPoints(points);
  if (curves.ltp.length === 0)
    throw new FitError('The run has no potentiation (LTP) reads: is it a pulse-train run?');
  const ltp = fitPulseCurve(curves.ltp, 'ltp');
  if (curves.ltd.length === 0) return { ltp, ltdSkipped: 'no depression reads' };
  try {
    return { ltp, ltd: fitPulseCurve(curves.ltd, 'ltd') };
  } catch (error) {
    if (error instanceof FitError) return { ltp, ltdSkipped: error.message };
    throw error;
  }
}

export function readVoltageOf(points: readonly Point[]): number {
  // The programmed read level: the measured one sags when a read hits compliance.
  const reads = points.filter((p) => p.kind === 'read' || p.kind === 'final').map((p) => Math.abs(p.vSource));
  if (reads.length === 0) throw new FitError('The run has no reads.');
  reads.sort((a, b) => a - b);
  return reads[Math.floor(reads.length / 2)]!;
}

function sortLevels(levels: Level[], warnings: string[]): Level[] {
  const sorted = [...levels].sort((a, b) => a.g - b.g);
  if (sorted.some((level, k) => level !== levels[k])) {
    warnings.push(
      'Some measured level means were out of order (neighbouring states overlap within noise); the table is sorted by conductance.',
    );
  }
  for (let k = 1; k < sorted.length; k++) {
    if (!(sorted[k]!.g > sorted[k - 1]!.g))
      throw new FitError(`Two levels have the same mean conductance (${sorted[k]!.g} S): use fewer bits.`);
  }
  return sorted;
}

export interface TableOptions {
  name: string;
  provenance: Omit<Provenance, 'method' | 'warnings'>;
}

/** How a b-bit table's states are chosen: at evenly spaced pulse counts, or evenly in conductance. */
export type LevelSpacing = 'pulses' | 'conductance';

/** Sorts the levels (warning when noise reordered them) and assembles the table around them. */
function assembleTable(
  levels: Level[],
  points: readonly Point[],
  options: TableOptions,
  extra: { fits: FittedCurve[]; method: string; warnings: string[] },
): LevelTable {
  const sorted = sortLevels(levels, extra.warnings);
  return {
    name: options.name,
    levels: sorted,
    gMin: sorted[0]!.g,
    gMax: sorted[sorted.length - 1]!.g,
    readVoltage: readVoltageOf(points),
    programming: extra.method === 'write-verify' ? 'write-verify' : 'open-loop',
    fits: extra.fits,
    provenance: { ...options.provenance, method: extra.method, warnings: extra.warnings },
  };
}

/**
 * A b-bit table from a pulse train: the 2^b states after k·Pmax/(2^b − 1) potentiation pulses
 * (rounded to whole pulses), each level's mean and σ taken over every measured cycle. With one
 * cycle, σ is the local scatter of the reads within ±2 pulses around the fitted curve.
 * Without `bits`, every measured state (0…Pmax pulses) becomes a level.
 *
 * With `spacing: 'conductance'`, the states are the ones nearest to 2^b conductances evenly spaced
 * from Gmin to Gmax on the fitted curve, G_k = Gmin + k·(Gmax − Gmin)/(2^b − 1), reached after
 * n_k = round(−A·ln(1 − (G_k − Gmin)/B)) pulses: on a saturating curve, pulse-count spacing
 * crowds the top levels together (levels 5–7 within 0.4 µS), conductance spacing does not.
 */
export function levelTableFromPulseTrain(
  points: readonly Point[],
  bits: number | undefined,
  options: TableOptions & { spacing?: LevelSpacing },
): LevelTable {
  const curves = curvesFromPoints(points);
  const fit = fitPulseTrain(points);
  const pMax = fit.ltp.pMax;
  const states = bits === undefined ? pMax + 1 : 2 ** bits;
  if (bits !== undefined && (!Number.isInteger(bits) || bits < 1))
    throw new FitError(`bits must be a positive integer, got ${bits}`);
  if (states > pMax + 1) {
    throw new FitError(
      `The curve has ${pMax + 1} states (${pMax} pulses); ${bits} bits need ${states}. Use at most ${Math.floor(Math.log2(pMax + 1))} bits or more pulses.`,
    );
  }
  const byPulse = new Map<number, CurveSample[]>();
  for (const s of curves.ltp) byPulse.set(s.n, [...(byPulse.get(s.n) ?? []), s]);
  const cycles = new Set(curves.ltp.map((s) => s.cycle)).size;
  const modelAt = (n: number) => {
    const { gMin, gMax, a } = fit.ltp;
    const b = (gMax - gMin) / -Math.expm1(-pMax / a);
    return gMin + b * -Math.expm1(-n / a);
  };
  const conductanceSpaced = bits !== undefined && options.spacing === 'conductance';
  const pulsesFor = (k: number) => {
    if (states === 1) return 0;
    if (!conductanceSpaced) return Math.round((k * pMax) / (states - 1));
    const { gMin, gMax, a } = fit.ltp;
    const g = gMin + ((gMax - gMin) * k) / (states - 1);
    return Math.round(pulsesAt({ gMin, gMax, a, pMax }, g, 'ltp'));
  };
  const counts = Array.from({ length: states }, (_, k) => pulsesFor(k));
  if (new Set(counts).size < states)
    throw new FitError(
      `Evenly spaced in conductance, ${states} levels need ${states} different pulse counts; this ${pMax}-pulse curve gives only ${new Set(counts).size}. Use fewer bits, or more pulses per direction.`,
    );
  const warnings: string[] = [];
  const levels: Level[] = [];
  for (let k = 0; k < states; k++) {
    const n = counts[k]!;
    const samples = byPulse.get(n) ?? [];
    if (samples.length === 0) throw new FitError(`No read after ${n} pulses in the potentiation data.`);
    const values = samples.map((s) => s.g);
    let sigma = sampleStd(values);
    if (values.length < 2) {
      const window = curves.ltp.filter((s) => Math.abs(s.n - n) <= 2).map((s) => s.g - modelAt(s.n));
      sigma = Math.sqrt(mean(window.map((r) => r * r)));
    }
    levels.push({ g: mean(values), sigma, n: values.length });
  }
  if (cycles < 2)
    warnings.push(
      'One cycle only: per-level σ is the local scatter around the fit. Measure more cycles for a real spread.',
    );
  if (fit.ltdSkipped && fit.ltdSkipped !== 'no depression reads')
    warnings.push(`LTD not fitted: ${fit.ltdSkipped}`);
  return assembleTable(levels, points, options, {
    fits: fit.ltd ? [fit.ltp, fit.ltd] : [fit.ltp],
    method:
      bits === undefined
        ? 'pulse-train (all states)'
        : `pulse-train (${bits}-bit${conductanceSpaced ? ', spaced in conductance' : ''})`,
    warnings,
  });
}

/** A table from write-verify: per target, the accepted reads over all repeats. */
export function levelTableFromWriteVerify(points: readonly Point[], options: TableOptions): LevelTable {
  const finals = points.filter((p) => p.kind === 'final' && p.target !== null);
  if (finals.length === 0) throw new FitError('The run has no accepted write-verify reads.');
  const bad = finals.find((p) => p.g === null || !Number.isFinite(p.g));
  if (bad) throw new FitError(`Accepted read ${bad.seq} has no finite conductance.`);
  const clipped = finals.filter((p) => p.compliance).length;
  if (clipped) throw new FitError(`${clipped} accepted read(s) hit compliance; the conductance is clipped.`);
  const targets = [...new Set(finals.map((p) => p.target!))].sort((a, b) => a - b);
  const repeats = new Set(points.filter((p) => p.phase === 'verify').map((p) => p.cycle)).size;
  const warnings: string[] = [];
  const levels: Level[] = targets.map((target) => {
    const values = finals.filter((p) => p.target === target).map((p) => p.g!);
    if (values.length < repeats)
      warnings.push(`Target ${target}: ${repeats - values.length} of ${repeats} attempts did not converge.`);
    return { g: mean(values), sigma: sampleStd(values), n: values.length };
  });
  if (levels.length < 2) throw new FitError('Write-verify reached fewer than 2 distinct targets.');
  if (levels.some((l) => l.n < 2))
    warnings.push('Some levels have a single accepted read: their σ is 0. Use more repeats.');
  return assembleTable(levels, points, options, { fits: [], method: 'write-verify', warnings });
}
